"""Through the REST API of a real Jupyter server: a job with backend "sagemaker" is staged and
created in moto, its container runs here for real, and its outputs come back through the API."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.support.aws import (
    build_opt_ml,
    make_backend,
    moto_url,
    reset_moto,
    run_container,
    set_fake_credentials,
    upload_output_tar,
)


@pytest.fixture
def sagemaker(nbjobs_app, monkeypatch, tmp_path):
    """Add the SageMaker backend to the running server's job service, as composition.build does
    when c.SageMakerConfig is set."""
    url = moto_url()
    set_fake_credentials(monkeypatch)
    reset_moto(url)
    jobs = nbjobs_app.jobs
    backend, recorder, fake = make_backend(tmp_path, url, events=jobs)
    jobs.add_backend(backend)
    return backend, recorder, fake


async def _created(recorder, timeout=30):
    for _ in range(int(timeout / 0.1)):
        if recorder.params("CreateTrainingJob"):
            return recorder.params("CreateTrainingJob")[0]
        await asyncio.sleep(0.1)
    raise AssertionError("no CreateTrainingJob")


async def test_sagemaker_job_through_the_api(api, notebook, jp_root_dir, sagemaker, tmp_path):
    backend, recorder, fake = sagemaker
    code, env = await api.get("environments")
    [sm_info] = [b for b in env["backends"] if b["name"] == "sagemaker"]
    assert sm_info["label"] == "Amazon SageMaker"
    fields = {f["name"]: f for f in sm_info["options"]["fields"]}
    assert fields["instance_type"]["default"] == "ml.m5.large"

    code, bad = await api.post("jobs", {"input_path": "x.ipynb", "backend": "sagemaker",
                                        "backend_options": {"instance_type": "m5"}})
    assert code == 400 and bad["reason"] == "invalid_backend_options"

    nb = notebook("work/sm.ipynb",
                  "import json\nopen('seen.json', 'w').write(json.dumps({'n': n, 'items': items}))",
                  parameters="n = 1\nitems = []")
    job = await api.create(input_path=nb, backend="sagemaker", parameters={"n": 3, "items": [1, "two"]},
                           backend_options={"instance_type": "ml.m5.xlarge"})
    request = await _created(recorder)
    assert request["ResourceConfig"]["InstanceType"] == "ml.m5.xlarge"
    assert request["HyperParameters"] == {"n": "3", "items": '[1, "two"]'}
    running = await api.wait(job["id"], statuses=("running",))
    assert running["status"] == "running"

    root = tmp_path / "opt-ml"
    build_opt_ml(backend.clients.client("s3"), request, root)
    assert await run_container(request, root) == 0
    upload_output_tar(backend, request, root)
    fake.set(request["TrainingJobName"], "Completed")

    done = await api.wait(job["id"], timeout=60)
    assert done["status"] == "completed", done
    code, outputs = await api.get(f"jobs/{job['id']}/outputs")
    names = {o["name"] for o in outputs["outputs"]}
    assert {"sm.ipynb", "sm.log", "files/seen.json"} <= names, names
    resp = await api.call("GET", f"jobs/{job['id']}/outputs/files/seen.json", raw=True)
    assert json.loads(resp.body) == {"n": 3, "items": [1, "two"]}


async def test_stop_through_the_api(api, notebook, sagemaker):
    backend, recorder, fake = sagemaker
    nb = notebook("work/long.ipynb", "import time; time.sleep(600)")
    job = await api.create(input_path=nb, backend="sagemaker")
    request = await _created(recorder)
    await api.wait(job["id"], statuses=("running",))
    code, stopping = await api.post(f"jobs/{job['id']}/stop")
    assert code == 200, stopping
    assert fake.stopped == [request["TrainingJobName"]]
    fake.set(request["TrainingJobName"], "Stopped")
    done = await api.wait(job["id"], timeout=30)
    assert done["status"] == "stopped"


async def test_sagemaker_limits_are_a_400_naming_the_field(api, notebook, sagemaker):
    backend, recorder, _ = sagemaker
    nb = notebook("work/limits.ipynb", "print(1)")
    cases = [
        ({"parameters": {"big": "x" * 2501}}, "parameters.big"),
        ({"parameters": {"k" * 257: 1}}, "parameters"),
        ({"parameters": {f"p{i}": i for i in range(101)}}, "parameters"),
        ({"env": {"SM_KERNEL_NAME": "other"}}, "env.SM_KERNEL_NAME"),
        ({"env": {"NBJOBS_JOB_ID": "x"}}, "env.NBJOBS_JOB_ID"),
        ({"env": {"LONG": "v" * 513}}, "env.LONG"),
        ({"env": {f"V{i}": "1" for i in range(90)}}, "env"),  # with ours, past 100 entries
        ({"backend_options": {"env": {"AWS_REGION": "x"}}}, "backend_options.env"),
    ]
    for body, field in cases:
        code, err = await api.post("jobs", {"input_path": nb, "backend": "sagemaker", **body})
        assert code == 400, (body.keys(), err)
        assert err["field"] == field and err["message"], err
    # The same limits hold for a schedule of this backend, before anything is made in AWS.
    code, err = await api.post("schedules", {"input_path": nb, "backend": "sagemaker",
                                             "cron": "0 9 * * *", "env": {"SM_X": "1"}})
    assert code == 400 and err["field"] == "env.SM_X", err
    assert recorder.params("CreateTrainingJob") == [] and recorder.params("CreatePipeline") == []

    backend.settings.extra_tags = {f"t{i}": "v" for i in range(6)}
    code, err = await api.post("jobs", {"input_path": nb, "backend": "sagemaker"})
    assert code == 400 and err["field"] == "SageMakerConfig.extra_tags", err
    backend.settings.extra_tags = {f"t{i}": "v" for i in range(5)}  # 10 tags per S3 object: fits
    job = await api.create(input_path=nb, backend="sagemaker")
    request = await _created(recorder)
    assert len(request["Tags"]) == 15 and request["Environment"]["NBJOBS_JOB_ID"] == job["id"]
    tagged = backend.clients.client("s3").get_object_tagging(
        Bucket="nbjobs-in", Key=f"stage/{job['id']}/input/limits.ipynb")["TagSet"]
    assert len(tagged) == 10


async def test_a_failed_start_ends_that_job_and_the_queue_keeps_going(api, notebook, sagemaker):
    backend, recorder, _ = sagemaker
    from botocore.exceptions import ClientError

    def refuse(**_kw):
        raise ClientError({"Error": {"Code": "ValidationException", "Message":
                           "1 validation error detected: Value at 'resourceConfig.instanceType'"}},
                          "CreateTrainingJob")

    backend.clients.client("sagemaker").meta.events.register(
        "before-call.sagemaker.CreateTrainingJob", refuse)
    nb = notebook("work/refused.ipynb", "print(1)")
    job = await api.create(input_path=nb, backend="sagemaker")
    done = await api.wait(job["id"], timeout=30)
    assert done["status"] == "failed" and done["error"]["reason"] == "start_failed", done
    assert "resourceConfig.instanceType" in done["error"]["message"]
    local = await api.create(input_path=notebook("work/local.ipynb", "print(2)"))
    assert (await api.wait(local["id"], timeout=60))["status"] == "completed"


async def test_progress_in_the_log_and_a_timeout_is_a_failure(api, notebook, sagemaker):
    backend, recorder, fake = sagemaker
    job = await api.create(input_path=notebook("work/slow.ipynb", "print(1)"), backend="sagemaker")
    request = await _created(recorder)
    name = request["TrainingJobName"]
    fake.set(name, "InProgress", SecondaryStatus="Downloading", SecondaryStatusTransitions=[
        {"Status": "Starting", "StatusMessage": "Launching requested ML instances"},
        {"Status": "Downloading", "StatusMessage": "Downloading input data"}])
    for _ in range(100):
        code, logged = await api.get(f"jobs/{job['id']}/log")
        if "Downloading input data" in logged["text"]:
            break
        await asyncio.sleep(0.1)
    assert "SageMaker: Starting - Launching requested ML instances" in logged["text"]
    assert "SageMaker: Downloading - Downloading input data" in logged["text"]
    assert not logged["complete"]
    fake.set(name, "Stopped", SecondaryStatus="MaxRuntimeExceeded",
             FailureReason="Training job runtime exceeded MaxRuntimeInSeconds provided")
    done = await api.wait(job["id"], timeout=30)
    assert done["status"] == "failed" and done["error"]["reason"] == "timeout", done
