"""SageMaker schedules against moto: the pipeline definition, the EventBridge Scheduler schedule
in the user's time zone, tags, pause/resume/update/delete, runs from pipeline executions; and
the cron conversion, table-tested and checked day by day against croniter."""

from __future__ import annotations

import json
import time
from datetime import datetime

import pytest
from croniter import croniter

from jupyterlab_nbjobs.backends.base import ScheduleRequest
from jupyterlab_nbjobs.backends.sagemaker.cron import to_eventbridge
from jupyterlab_nbjobs.backends.sagemaker.schedules import (
    SageMakerScheduleTrigger,
)
from jupyterlab_nbjobs.errors import InvalidRequest, NbJobsError
from tests.support.aws import (
    IMAGE,
    IN_BUCKET,
    OUT_BUCKET,
    REGION,
    ROLE,
    make_backend,
    make_run,
    moto_url,
    reset_moto,
    set_fake_credentials,
)

CRON_TABLE = [
    ("0 9 * * 1-5", "cron(0 9 ? * 2-6 *)"),
    ("0 9 * * MON-FRI", "cron(0 9 ? * 2-6 *)"),
    ("30 6 * * 0", "cron(30 6 ? * 1 *)"),
    ("30 6 * * 7", "cron(30 6 ? * 1 *)"),
    ("30 6 * * SUN", "cron(30 6 ? * 1 *)"),
    ("0 0 * * 6", "cron(0 0 ? * 7 *)"),
    ("0 12 * * 5-7", "cron(0 12 ? * 1,6,7 *)"),
    ("0 12 * * SAT-SUN", "cron(0 12 ? * 1,7 *)"),
    ("0 0 * * 1,3,5", "cron(0 0 ? * 2,4,6 *)"),
    ("0 0 * * */2", "cron(0 0 ? * 1,3,5,7 *)"),
    ("0 0 * * 1-5/2", "cron(0 0 ? * 2,4,6 *)"),
    ("0 0 * * 0-6", "cron(0 0 * * ? *)"),
    ("0 0 * * 5L", "cron(0 0 ? * 6L *)"),
    ("0 0 * * 1#2", "cron(0 0 ? * 2#2 *)"),
    ("*/15 * * * *", "cron(0/15 * * * ? *)"),
    ("5 */2 * * *", "cron(5 0/2 * * ? *)"),
    ("0 0 1 * *", "cron(0 0 1 * ? *)"),
    ("0 0 */10 * *", "cron(0 0 1/10 * ? *)"),
    ("0 0 L * *", "cron(0 0 L * ? *)"),
    ("0 0 15W * *", "cron(0 0 15W * ? *)"),
    ("0 8 1,15 JAN-MAR *", "cron(0 8 1,15 JAN-MAR ? *)"),
    ("0 8 * */3 0,6", "cron(0 8 ? 1/3 1,7 *)"),
    ("15 10 * * *", "cron(15 10 * * ? *)"),
    ("@daily", "cron(0 0 * * ? *)"),
    ("@hourly", "cron(0 * * * ? *)"),
    ("@weekly", "cron(0 0 ? * 1 *)"),
    ("@monthly", "cron(0 0 1 * ? *)"),
    ("@yearly", "cron(0 0 1 1 ? *)"),
]


@pytest.mark.parametrize("cron, expected", CRON_TABLE)
def test_cron_to_eventbridge(cron, expected):
    assert to_eventbridge(cron) == expected


@pytest.mark.parametrize("cron", ["0 9 * * 1-5", "30 6 * * 0", "0 12 * * 5-7", "0 0 * * */2",
                                  "0 0 * * 1-5/2", "0 12 * * SAT-SUN", "0 8 * * 0,6"])
def test_no_day_of_week_shift(cron):
    """The weekdays cron fires on are exactly the EventBridge days (Sunday=1) we produce."""
    fired = set()
    it = croniter(cron, datetime(2026, 1, 4))  # a Sunday
    for _ in range(40):
        fired.add(it.get_next(datetime).isoweekday() % 7 + 1)  # Python Mon=1..Sun=7 -> EB Sun=1
    dow = to_eventbridge(cron)[5:-1].split()[4]
    eb_days = set()
    for part in dow.split(","):
        a, _, b = part.partition("-")
        eb_days.update(range(int(a), int(b or a) + 1))
    assert fired == eb_days


@pytest.mark.parametrize("cron, text", [
    ("0 9 1 * 1", "both day-of-month and day-of-week"),
    ("0 9 * *", "expected 5 fields"),
    ("0 0 0 9 * * *", "expected 5 fields"),
    ("61 * * * *", "outside 0-59"),
    ("0 25 * * *", "outside 0-23"),
    ("0 0 * * 8", "not 0-7"),
    ("0 0 * * FUNDAY", "not 0-7"),
    ("0 0 * * 5-1", "backwards"),
    ("@reboot", "only @yearly"),
    ("0 0 32 * *", "outside 1-31"),
])
def test_cron_refusals(cron, text):
    with pytest.raises(InvalidRequest) as info:
        to_eventbridge(cron)
    assert text in info.value.message and info.value.field == "cron"


@pytest.fixture
def setup(monkeypatch, tmp_path):
    url = moto_url()
    set_fake_credentials(monkeypatch)
    reset_moto(url)
    backend, recorder, fake = make_backend(tmp_path, url, scheduler_role_arn=ROLE + "-scheduler")
    trigger = backend.schedule_trigger()
    assert isinstance(trigger, SageMakerScheduleTrigger) and backend.schedule_trigger() is trigger
    return backend, recorder, trigger, fake


def _request(tmp_path, sid="sched-1", cron="0 9 * * 1-5", tz="Europe/Paris", **kw):
    run = make_run(tmp_path, f"snap-{sid}", 1, parameters={"a": 2, "b": "z"})
    return ScheduleRequest(schedule_id=sid, cron=cron, timezone=tz, job_dir=run.job_dir,
                           spec=run.spec, options=kw.pop("options", {"instance_type": "ml.m5.xlarge"}), **kw)


def _tags(tag_list):
    return {t["Key"]: t["Value"] for t in tag_list}


EXPECTED_TAGS = {"project": "proj-x", "system": "jupyterlab_nbjobs", "user": "ana"}
STUDIO = {"sagemaker:name": "analysis", "sagemaker:notebook-name": "analysis.ipynb",
          "sagemaker:is-scheduling-notebook-job": "true", "sagemaker:is-studio-archived": "false",
          "sagemaker:headless-execution-version": "false"}


async def test_create_makes_a_tagged_pipeline_and_a_zoned_schedule(setup, tmp_path):
    backend, recorder, schedules, _ = setup
    handle = await schedules.create(_request(tmp_path))
    sm, sch, s3 = (backend.clients.client(s) for s in ("sagemaker", "scheduler", "s3"))

    assert handle["pipeline_name"] == "nbjobs-sched-1" and handle["group"] == "nbjobs"
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=IN_BUCKET)["Contents"])
    assert keys == ["stage/schedules/sched-1/input/.nbjobs/bootstrap.py",
                    "stage/schedules/sched-1/input/.nbjobs/bootstrap.sh",
                    "stage/schedules/sched-1/input/.nbjobs/job.json",
                    "stage/schedules/sched-1/input/analysis.ipynb"]

    definition = json.loads(sm.describe_pipeline(PipelineName="nbjobs-sched-1")["PipelineDefinition"])
    [step] = definition["Steps"]
    assert definition["Version"] == "2020-12-01"
    assert (step["Name"], step["Type"]) == ("RunNotebook", "Training")
    args = step["Arguments"]
    assert "TrainingJobName" not in args  # the pipeline names each run's job
    assert args["AlgorithmSpecification"]["TrainingImage"] == IMAGE
    assert args["ResourceConfig"]["InstanceType"] == "ml.m5.xlarge"
    assert args["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] == \
        f"s3://{IN_BUCKET}/stage/schedules/sched-1/input/"
    assert args["OutputDataConfig"]["S3OutputPath"] == f"s3://{OUT_BUCKET}/results/schedules/sched-1"
    assert args["HyperParameters"] == {"a": "2", "b": "z"}
    assert args["Environment"]["SM_INPUT_NOTEBOOK_NAME"] == "analysis.ipynb"
    assert args["Environment"]["NBJOBS_JOB_ID"] == "sched-1"
    assert args["Environment"]["AWS_DEFAULT_REGION"] == REGION
    assert args["RetryStrategy"] == {"MaximumRetryAttempts": 1}
    # Studio's Notebook Jobs page: its job definitions are tagged pipelines, their runs carry
    # the definition's id.
    assert _tags(args["Tags"]) == {**EXPECTED_TAGS, **STUDIO, "nbjobs:schedule-id": "sched-1",
                                   "sagemaker:job-definition-id": "nbjobs-sched-1"}
    assert _tags(sm.list_tags(ResourceArn=handle["pipeline_arn"])["Tags"]) == {
        **EXPECTED_TAGS, **STUDIO, "nbjobs:schedule-id": "sched-1"}
    group_arn = sch.get_schedule_group(Name="nbjobs")["Arn"]
    assert _tags(sch.list_tags_for_resource(ResourceArn=group_arn)["Tags"]) == EXPECTED_TAGS

    got = sch.get_schedule(Name="nbjobs-sched-1", GroupName="nbjobs")
    assert got["ScheduleExpression"] == "cron(0 9 ? * 2-6 *)"
    assert got["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert got["State"] == "ENABLED" and got["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert got["Target"]["Arn"] == handle["pipeline_arn"]
    assert got["Target"]["RoleArn"] == ROLE + "-scheduler"
    [create] = recorder.params("CreateSchedule")
    assert create["ScheduleExpressionTimezone"] == "Europe/Paris"


async def test_pause_resume_update_delete(setup, tmp_path):
    backend, recorder, schedules, _ = setup
    handle = await schedules.create(_request(tmp_path))
    sch, sm, s3 = (backend.clients.client(s) for s in ("scheduler", "sagemaker", "s3"))
    get = lambda: sch.get_schedule(Name="nbjobs-sched-1", GroupName="nbjobs")  # noqa: E731

    await schedules.pause(handle)
    assert get()["State"] == "DISABLED"
    assert get()["ScheduleExpressionTimezone"] == "Europe/Paris"  # pausing keeps the rest
    await schedules.resume(handle)
    assert get()["State"] == "ENABLED"

    req = _request(tmp_path, cron="30 7 * * 0", tz="America/New_York",
                   options={"instance_type": "ml.c5.xlarge"})
    (req.job_dir / "work" / "extra.csv").write_text("1\n")
    handle = await schedules.update(handle, req)
    assert get()["ScheduleExpression"] == "cron(30 7 ? * 1 *)"
    assert get()["ScheduleExpressionTimezone"] == "America/New_York"
    definition = json.loads(sm.describe_pipeline(PipelineName="nbjobs-sched-1")["PipelineDefinition"])
    assert definition["Steps"][0]["Arguments"]["ResourceConfig"]["InstanceType"] == "ml.c5.xlarge"
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=IN_BUCKET)["Contents"])
    assert "stage/schedules/sched-1/input/extra.csv" in keys

    await schedules.delete(handle)
    with pytest.raises(sch.exceptions.ResourceNotFoundException):
        get()
    with pytest.raises(Exception, match="Could not find pipeline"):
        sm.describe_pipeline(PipelineName="nbjobs-sched-1")
    assert "Contents" not in s3.list_objects_v2(Bucket=IN_BUCKET)
    await schedules.delete(handle)  # twice is fine


async def test_runs_are_listed_from_pipeline_executions(setup, tmp_path):
    backend, _, schedules, _ = setup
    handle = await schedules.create(_request(tmp_path))
    assert await schedules.list_runs(handle) == []
    sm = backend.clients.client("sagemaker")
    # moto's schedules never fire: start the executions EventBridge would start.
    for i in range(2):
        sm.start_pipeline_execution(PipelineName=handle["pipeline_name"],
                                    PipelineExecutionDisplayName=f"fire-{i}")
        time.sleep(0.05)  # distinct start times
    runs = await schedules.list_runs(handle)
    assert [r["display_name"] for r in runs] == ["fire-1", "fire-0"]  # newest first
    assert {r["status"] for r in runs} == {"completed"} and all(r["execution_arn"] for r in runs)


async def test_bad_schedule_input_creates_nothing(setup, tmp_path):
    backend, recorder, schedules, _ = setup
    with pytest.raises(InvalidRequest) as info:
        await schedules.create(_request(tmp_path, tz="Mars/Olympus"))
    assert info.value.field == "timezone"
    with pytest.raises(InvalidRequest):
        await schedules.create(_request(tmp_path, cron="0 0 1 * 1"))
    assert recorder.ops() == []


async def test_failed_schedule_create_removes_the_pipeline_and_inputs(setup, tmp_path):
    backend, _, schedules, _ = setup
    from botocore.exceptions import ClientError

    def deny(**_kw):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not authorized to "
                           "perform: scheduler:CreateSchedule on resource: x"}}, "CreateSchedule")

    backend.clients.client("scheduler").meta.events.register("before-call.scheduler.CreateSchedule", deny)
    with pytest.raises(NbJobsError) as info:
        await schedules.create(_request(tmp_path))
    assert info.value.status_code == 403 and "scheduler:CreateSchedule" in info.value.message
    sm, s3 = backend.clients.client("sagemaker"), backend.clients.client("s3")
    assert sm.list_pipelines()["PipelineSummaries"] == []
    assert "Contents" not in s3.list_objects_v2(Bucket=IN_BUCKET)


async def test_run_training_job_reads_the_step_metadata(setup, tmp_path):
    """moto answers 500 to ListPipelineExecutionSteps: the thin fake supplies the answer."""
    backend, _, schedules, _ = setup
    from botocore.awsrequest import AWSResponse

    arn = "arn:aws:sagemaker:us-east-1:123456789012:training-job/pipelines-abc-runnotebook-x"

    def steps(**_kw):
        return AWSResponse("http://fake", 200, {}, None), {"PipelineExecutionSteps": [
            {"StepName": "RunNotebook", "Metadata": {"TrainingJob": {"Arn": arn}}}]}

    backend.clients.client("sagemaker").meta.events.register(
        "before-call.sagemaker.ListPipelineExecutionSteps", steps)
    assert await schedules.run_training_job("arn:exec") == "pipelines-abc-runnotebook-x"

