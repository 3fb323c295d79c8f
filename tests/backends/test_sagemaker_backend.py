"""SageMakerBackend against a real moto server: staging, the CreateTrainingJob request, tags,
status polling (transitions from the thin fake), stop, reconcile, clean-up on failure."""

from __future__ import annotations

import asyncio

import pytest

from jupyterlab_nbjobs.backends.base import ActiveRun
from jupyterlab_nbjobs.backends.sagemaker.backend import SageMakerBackend
from jupyterlab_nbjobs.errors import InvalidRequest, NbJobsError
from tests.support.aws import (
    IMAGE,
    IN_BUCKET,
    OUT_BUCKET,
    REGION,
    ROLE,
    RecordingEvents,
    make_backend,
    make_run,
    moto_url,
    reset_moto,
    set_fake_credentials,
)

TAGS = {"project": "proj-x", "system": "jupyterlab_nbjobs", "user": "ana"}
# What amazon-sagemaker-jupyter-scheduler puts on a notebook job, so Studio lists ours too.
STUDIO_TAGS = [{"Key": "sagemaker:name", "Value": "analysis"},
               {"Key": "sagemaker:notebook-name", "Value": "analysis.ipynb"},
               {"Key": "sagemaker:is-scheduling-notebook-job", "Value": "true"},
               {"Key": "sagemaker:is-studio-archived", "Value": "false"},
               {"Key": "sagemaker:headless-execution-version", "Value": "false"}]


@pytest.fixture
def aws(monkeypatch):
    url = moto_url()
    set_fake_credentials(monkeypatch)
    reset_moto(url)
    return url


@pytest.fixture
def sm(aws, tmp_path):
    return make_backend(tmp_path, aws)  # tests close the backend (its poller is on their loop)


def _tags(tag_list):
    return {t["Key"]: t["Value"] for t in tag_list}


async def test_start_stages_inputs_and_sends_the_exact_request(sm, tmp_path):
    backend, recorder, fake = sm
    run = make_run(tmp_path, "job-1", 1, parameters={"a": 5, "b": "y", "c": [1, 2]},
                   extra_files={"data/rows.csv": "x\n1\n"},
                   options={"instance_type": "ml.c5.xlarge", "env": {"MODE": "fast"},
                            "max_retries": 2, "init_script": "export FROM_INIT=1\n"})
    await backend.start(run)
    try:
        s3 = backend.clients.client("s3")
        keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=IN_BUCKET)["Contents"])
        assert keys == ["stage/job-1/input/.nbjobs/bootstrap.py", "stage/job-1/input/.nbjobs/bootstrap.sh",
                        "stage/job-1/input/.nbjobs/init.sh", "stage/job-1/input/.nbjobs/job.json",
                        "stage/job-1/input/analysis.ipynb", "stage/job-1/input/data/rows.csv"]
        for key in keys:
            tagset = _tags(s3.get_object_tagging(Bucket=IN_BUCKET, Key=key)["TagSet"])
            assert tagset == {**TAGS, "nbjobs:job-id": "job-1", "nbjobs:attempt": "1"}
        staged_spec = s3.get_object(Bucket=IN_BUCKET, Key="stage/job-1/input/.nbjobs/job.json")["Body"].read()
        assert b'"c": [1, 2]' in staged_spec  # parameter types survive in JSON

        [request] = recorder.params("CreateTrainingJob")
        env = request.pop("Environment")
        assert request == {
            "TrainingJobName": "nbjobs-job-1-a1",
            "RoleArn": ROLE,
            "AlgorithmSpecification": {
                "TrainingImage": IMAGE, "TrainingInputMode": "File",
                "ContainerEntrypoint": ["/bin/sh", "-c",
                                        "if command -v nbjobs-sagemaker-run >/dev/null 2>&1; then exec "
                                        "nbjobs-sagemaker-run; else exec amazon_sagemaker_scheduler; fi"]},
            "InputDataConfig": [{"ChannelName": "sagemaker_headless_execution", "DataSource": {
                "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{IN_BUCKET}/stage/job-1/input/",
                                 "S3DataDistributionType": "FullyReplicated"}}}],
            "OutputDataConfig": {"S3OutputPath": f"s3://{OUT_BUCKET}/results"},
            "ResourceConfig": {"InstanceType": "ml.c5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
            "StoppingCondition": {"MaxRuntimeInSeconds": 172800},
            "HyperParameters": {"a": "5", "b": "y", "c": "[1, 2]"},
            "EnableNetworkIsolation": False,
            "RetryStrategy": {"MaximumRetryAttempts": 2},
            "Tags": [{"Key": "project", "Value": "proj-x"}, {"Key": "system", "Value": "jupyterlab_nbjobs"},
                     {"Key": "user", "Value": "ana"}, *STUDIO_TAGS, {"Key": "nbjobs:job-id", "Value": "job-1"},
                     {"Key": "nbjobs:attempt", "Value": "1"}],
        }
        assert env == {
            "SM_JOB_DEF_VERSION": "1.0", "SM_KERNEL_NAME": "python3",
            "SM_INPUT_NOTEBOOK_NAME": "analysis.ipynb", "SM_OUTPUT_NOTEBOOK_NAME": "nbjobs-output.ipynb",
            "SM_OUTPUT_FORMATS": "", "SM_PACKAGE_INPUT_FOLDER": "true", "SM_SKIP_EFS_SIMULATION": "true",
            "SM_EXECUTION_INPUT_PATH": "/opt/ml/input/data/sagemaker_headless_execution",
            "SM_INIT_SCRIPT": ".nbjobs/bootstrap.sh", "NBJOBS_INIT_SCRIPT": ".nbjobs/init.sh",
            "NBJOBS_JOB_ID": "job-1", "NBJOBS_ATTEMPT": "1", "AWS_DEFAULT_REGION": REGION,
            "GREETING": "hi", "MODE": "fast"}
        # What moto stored matches what we sent (moto does not return Environment).
        smc = backend.clients.client("sagemaker")
        desc = smc.describe_training_job(TrainingJobName="nbjobs-job-1-a1")
        for key in ("RoleArn", "InputDataConfig", "OutputDataConfig", "ResourceConfig",
                    "StoppingCondition", "HyperParameters"):
            assert desc[key] == request[key], key
        assert desc["AlgorithmSpecification"]["ContainerEntrypoint"] == request["AlgorithmSpecification"]["ContainerEntrypoint"]
        assert _tags(smc.list_tags(ResourceArn=desc["TrainingJobArn"])["Tags"]) == {
            **TAGS, **_tags(STUDIO_TAGS), "nbjobs:job-id": "job-1", "nbjobs:attempt": "1"}
        [(job_id, attempt, handle)] = backend.events.started
        assert (job_id, attempt) == ("job-1", 1)
        assert handle["training_job_name"] == "nbjobs-job-1-a1" and handle["region"] == REGION
        assert handle["training_job_arn"] == desc["TrainingJobArn"]
    finally:
        await backend.close()


async def test_vpc_kms_and_timeout_reach_the_request(sm, tmp_path):
    backend, recorder, _ = sm
    run = make_run(tmp_path, "job-vpc", 1, timeout=120, options={
        "subnets": ["subnet-1"], "security_groups": ["sg-1"], "network_isolation": True,
        "volume_kms_key": "alias/vol", "output_kms_key": "alias/out"})
    await backend.start(run)
    await backend.close()
    [request] = recorder.params("CreateTrainingJob")
    assert request["VpcConfig"] == {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}
    assert request["EnableNetworkIsolation"] is True
    assert request["ResourceConfig"]["VolumeKmsKeyId"] == "alias/vol"
    assert request["OutputDataConfig"]["KmsKeyId"] == "alias/out"
    assert request["StoppingCondition"]["MaxRuntimeInSeconds"] == 120 + 600
    [put] = [p for p in recorder.params("PutObject") if p["Key"].endswith("analysis.ipynb")]
    assert put["ServerSideEncryption"] == "aws:kms" and put["SSEKMSKeyId"] == "alias/vol"


async def test_failed_create_removes_the_staged_inputs(sm, tmp_path):
    backend, recorder, _ = sm
    from botocore.exceptions import ClientError

    def deny(**_kw):  # what IAM answers when the role lacks the permission
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message":
                           "User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: "
                           "sagemaker:CreateTrainingJob on resource: x"}}, "CreateTrainingJob")

    backend.clients.client("sagemaker").meta.events.register("before-call.sagemaker.CreateTrainingJob", deny)
    with pytest.raises(NbJobsError) as info:
        await backend.start(make_run(tmp_path, "job-denied", 1))
    assert info.value.status_code == 403 and "sagemaker:CreateTrainingJob" in info.value.message
    assert "Contents" not in backend.clients.client("s3").list_objects_v2(Bucket=IN_BUCKET)
    assert len(recorder.params("PutObject")) == 4 and recorder.params("DeleteObjects")
    assert backend.events.started == []


async def test_missing_bucket_is_a_clear_400_and_nothing_is_created(aws, tmp_path):
    backend, recorder, _ = make_backend(tmp_path, aws, s3_input="s3://no-such-bucket-x/p")
    with pytest.raises(NbJobsError) as info:
        await backend.start(make_run(tmp_path, "job-nob", 1))
    assert info.value.status_code == 400 and info.value.reason == "aws_no_such_bucket"
    assert "no-such-bucket-x" in info.value.message
    assert recorder.params("CreateTrainingJob") == []


@pytest.mark.parametrize("final, fields, status, reason", [
    ("Completed", {}, "completed", None),
    ("Failed", {"FailureReason": "AlgorithmError: [SM-nbjobs] cell_error: boom"}, "failed", "runner_error"),
    ("Failed", {"SecondaryStatus": "MaxRuntimeExceeded",
                "FailureReason": "MaxRuntimeExceeded: Training job runtime exceeded"}, "failed", "timeout"),
    ("Stopped", {}, "stopped", "stopped"),
])
async def test_statuses_map_to_results(sm, tmp_path, final, fields, status, reason):
    backend, _, fake = sm
    await backend.start(make_run(tmp_path, "job-st", 1))
    await asyncio.sleep(0.2)
    assert "job-st" not in backend.events.finished  # InProgress: still watched
    fake.set("nbjobs-job-st-a1", final, **fields)
    result = await backend.events.wait_finished("job-st")
    await backend.close()
    assert result["status"] == status and result["attempt"] == 1
    assert (result["error"] or {}).get("reason") == reason
    if reason == "timeout":
        assert "MaxRuntimeExceeded" in result["error"]["message"]
    if final == "Failed" and reason == "runner_error":
        assert "boom" in result["error"]["message"]
    # No tarball was uploaded: said so, not hidden.
    assert any("no outputs" in w for w in result.get("warnings", []))


async def test_stop_calls_stop_training_job_then_reports_stopped(sm, tmp_path):
    backend, recorder, fake = sm
    await backend.start(make_run(tmp_path, "job-stop", 1))
    await backend.stop("job-stop")
    assert fake.stopped == ["nbjobs-job-stop-a1"]
    await asyncio.sleep(0.2)
    assert "job-stop" not in backend.events.finished  # Stopping is not final
    fake.set("nbjobs-job-stop-a1", "Stopped")
    result = await backend.events.wait_finished("job-stop")
    await backend.close()
    assert result["status"] == "stopped" and result["error"]["reason"] == "stopped"
    await backend.stop("job-stop")  # finished: nothing to stop, no error
    assert fake.stopped == ["nbjobs-job-stop-a1"]


async def test_many_jobs_are_polled_in_one_search_call(sm, tmp_path):
    backend, recorder, fake = sm
    for i in range(3):
        await backend.start(make_run(tmp_path, f"job-b{i}", 1))
    await backend.close()  # stop the background poller: poll by hand, count the calls
    recorder.calls.clear()
    assert await backend.poll_once() is True  # unknown -> InProgress
    assert recorder.ops("sagemaker") == ["Search"]  # batched: one call for three jobs
    assert await backend.poll_once() is False
    for i in range(3):
        fake.set(f"nbjobs-job-b{i}-a1", "Completed")
    recorder.calls.clear()
    await backend.poll_once()
    assert recorder.ops("sagemaker") == ["Search"]
    assert {k: v["status"] for k, v in backend.events.finished.items()} == {
        "job-b0": "completed", "job-b1": "completed", "job-b2": "completed"}


async def test_reconcile_resumes_polling_and_fails_unknown_jobs(sm, tmp_path):
    backend, _, fake = sm
    run = make_run(tmp_path, "job-rc", 1)
    await backend.start(run)
    handle = backend.events.started[0][2]
    await backend.close()

    events = RecordingEvents()
    again, _, fake2 = make_backend(tmp_path, backend.settings.endpoint_url, events=events)
    ghost = make_run(tmp_path, "job-ghost", 1)
    await again.reconcile([ActiveRun("job-rc", 1, run.job_dir, handle),
                           ActiveRun("job-ghost", 1, ghost.job_dir, {})])
    ghost_result = await events.wait_finished("job-ghost")
    assert ghost_result["status"] == "failed" and ghost_result["error"]["reason"] == "runner_died"
    await asyncio.sleep(0.2)
    assert "job-rc" not in events.finished
    fake2.set("nbjobs-job-rc-a1", "Completed")
    assert (await events.wait_finished("job-rc"))["status"] == "completed"
    await again.close()


def test_validate_options_messages(sm):
    backend, _, _ = sm
    assert backend.validate_options({"instance_type": "ml.g5.xlarge", "max_runtime_seconds": 3600}) == {
        "instance_type": "ml.g5.xlarge", "max_runtime_seconds": 3600}
    cases = {
        "instance_type": ("m5.large", "instance type"), "role": ("admin", "IAM role ARN"),
        "s3_input": ("bucket/x", "s3://"), "subnets": (["net-1"], "subnet id"),
        "max_runtime_seconds": (0, "whole number"), "max_retries": (31, "whole number"),
        "env": ({"SM_X": "1"}, "reserved"), "network_isolation": ("yes", "true or false"),
        "bogus": (1, "unknown SageMaker option"),
    }
    for name, (value, text) in cases.items():
        with pytest.raises(InvalidRequest) as info:
            backend.validate_options({name: value})
        assert text in info.value.message, name
        assert info.value.status_code == 400 and name in info.value.field
    with pytest.raises(InvalidRequest) as info:
        backend.validate_options({"subnets": ["subnet-1"]})
    assert "go together" in info.value.message


def test_unconfigured_backend_refuses_jobs_with_a_400(aws, tmp_path):
    backend, _, _ = make_backend(tmp_path, aws, image_uri="", role_arn="")
    with pytest.raises(InvalidRequest) as info:
        backend.validate_options({})
    assert "image, role" in info.value.message
    assert backend.validate_options({"image": "img:1", "role": ROLE}) == {"image": "img:1", "role": ROLE}


def test_form_options_carry_defaults_from_discovery(aws, tmp_path):
    (tmp_path / "params.json").write_text('{"bucket": "team-bkt", "SubnetIds": ["subnet-9"],'
                                          ' "SecurityGroupIds": ["sg-9"], "KmsKeyId": "alias/k"}')
    backend, _, _ = make_backend(tmp_path, aws, s3_input="", s3_output="",
                                 notebook_params_path=str(tmp_path / "params.json"))
    form = backend.form_options()
    by_name = {f["name"]: f for f in form["fields"]}
    assert by_name["instance_type"]["default"] == "ml.m5.large"
    assert "ml.m5.large" in by_name["instance_type"]["choices"]
    assert by_name["s3_input"]["default"] == "s3://team-bkt/nbjobs"
    assert by_name["s3_output"]["default"] == "s3://team-bkt/nbjobs-output"
    assert by_name["subnets"]["default"] == ["subnet-9"]
    assert by_name["volume_kms_key"]["default"] == "alias/k"
    assert by_name["role"]["default"] == ROLE
    assert set(by_name) >= {"image", "role", "s3_input", "s3_output", "volume_kms_key", "output_kms_key",
                            "subnets", "security_groups", "network_isolation", "max_runtime_seconds",
                            "max_retries", "env", "init_script"}


def test_backend_reads_traitlets_config(aws):
    from traitlets.config import Config

    backend = SageMakerBackend(RecordingEvents(), config=Config(
        {"SageMakerConfig": {"region": "eu-west-1", "instance_type": "ml.t3.medium", "tag_project": "p9"}}))
    assert backend.name == "sagemaker" and backend.label == "Amazon SageMaker"
    assert backend.settings.instance_type == "ml.t3.medium" and backend.clients.region == "eu-west-1"
    assert backend.tag_policy().project == "p9"
    assert backend.capacity() is None


async def test_reconcile_survives_aws_being_unreachable(aws, tmp_path):
    from jupyterlab_nbjobs.backends.sagemaker.backend import SageMakerBackend
    from jupyterlab_nbjobs.backends.sagemaker.config import SageMakerConfig

    events = RecordingEvents()
    backend = SageMakerBackend(events, SageMakerConfig(
        endpoint_url="http://127.0.0.1:9", region=REGION, max_attempts=1, poll_interval=0.05,
        poll_max_interval=0.1, read_domain_settings=False,
        resource_metadata_path=str(tmp_path / "none"), notebook_params_path=str(tmp_path / "none")))
    run = make_run(tmp_path, "job-down", 1)
    await backend.reconcile([ActiveRun("job-down", 1, run.job_dir, {
        "training_job_name": "nbjobs-job-down-a1", "s3_output": f"s3://{OUT_BUCKET}/results"})])
    await asyncio.sleep(0.3)  # a few failed polls
    assert events.finished == {} and backend.watcher.watches("job-down")  # still watched, not failed
    await backend.close()


async def test_bucket_in_another_region_is_refused_before_uploading(aws, tmp_path):
    backend, recorder, _ = make_backend(tmp_path, aws, s3_output="s3://eu-results-bkt/r")
    backend.clients.client("s3").create_bucket(
        Bucket="eu-results-bkt", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    with pytest.raises(InvalidRequest) as info:
        await backend.start(make_run(tmp_path, "job-eu", 1))
    assert info.value.reason == "aws_bucket_region" and info.value.field == "backend_options.s3_output"
    assert info.value.message.startswith("bucket eu-results-bkt is in eu-west-1, but the backend uses region us-east-1")
    assert recorder.params("PutObject") == [] and recorder.params("CreateTrainingJob") == []


def test_bad_bucket_setting_does_not_break_the_form(aws, tmp_path):
    backend, _, _ = make_backend(tmp_path, aws, s3_input="bucket-without-scheme")
    fields = {f["name"]: f for f in backend.form_options()["fields"]}
    assert fields["instance_type"]["default"] == "ml.m5.large" and fields["s3_input"]["default"] is None
    with pytest.raises(InvalidRequest):
        backend.validate_options({})
