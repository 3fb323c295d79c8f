"""Through the REST API of a real Jupyter server: a schedule with backend "sagemaker" becomes a
SageMaker pipeline fired by an EventBridge Scheduler schedule in moto; pause/resume/PATCH/
refresh/delete reach AWS; the local scheduler never fires it; GET lists its pipeline runs."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from jupyterlab_nbjobs.backends.sagemaker.schedules import SageMakerScheduleTrigger
from tests.support.aws import (
    IN_BUCKET,
    make_backend,
    moto_url,
    reset_moto,
    set_fake_credentials,
)


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture
def sm(jp_serverapp, monkeypatch, tmp_path):
    """The SageMaker backend added to the running server, as the composition root does when
    the backend is configured; the schedule service finds its trigger through the backend."""
    url = moto_url()
    set_fake_credentials(monkeypatch)
    reset_moto(url)
    app = jp_serverapp.extension_manager.extension_points["jupyterlab_nbjobs"].app
    backend, recorder, _ = make_backend(tmp_path, url, events=app.jobs)
    app.jobs.add_backend(backend)
    clients = {s: backend.clients.client(s) for s in ("sagemaker", "scheduler", "s3")}
    return app, clients, recorder


def aws_schedule(clients, sid: str) -> dict:
    return clients["scheduler"].get_schedule(Name=f"nbjobs-{sid}", GroupName="nbjobs")


def pipeline_args(clients, sid: str) -> dict:
    got = clients["sagemaker"].describe_pipeline(PipelineName=f"nbjobs-{sid}")
    return json.loads(got["PipelineDefinition"])["Steps"][0]["Arguments"]


def staged_keys(clients) -> list[str]:
    return sorted(o["Key"] for o in
                  clients["s3"].list_objects_v2(Bucket=IN_BUCKET).get("Contents", []))


async def test_sagemaker_schedule_lifecycle(api, notebook, sm):
    app, clients, recorder = sm
    nb = notebook("reports/daily.ipynb", "print(n)", parameters="n = 1")
    code, sched = await api.post("schedules", {
        "input_path": nb, "cron": "weekdays at 09:00", "timezone": "Europe/Paris",
        "backend": "sagemaker", "backend_options": {"instance_type": "ml.m5.xlarge"},
        "parameters": {"n": 5}})
    assert code == 201, sched
    sid = sched["id"]
    assert sched["trigger_handle"]["pipeline_name"] == f"nbjobs-{sid}"
    # Next fires still shown: 09:00 on the Paris wall clock, on weekdays.
    times = [ts(t).astimezone(ZoneInfo("Europe/Paris")) for t in sched["next_fire_times"]]
    assert len(times) == 5 and ts(sched["next_fire_at"]) == ts(sched["next_fire_times"][0])
    assert all((t.hour, t.minute) == (9, 0) and t.weekday() < 5 for t in times)

    got = aws_schedule(clients, sid)
    assert got["ScheduleExpression"] == "cron(0 9 ? * 2-6 *)"
    assert got["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert got["State"] == "ENABLED" and got["Target"]["Arn"] == sched["trigger_handle"]["pipeline_arn"]
    args = pipeline_args(clients, sid)
    assert args["ResourceConfig"]["InstanceType"] == "ml.m5.xlarge"
    assert args["HyperParameters"] == {"n": "5"}
    assert args["Environment"]["SM_INPUT_NOTEBOOK_NAME"] == "daily.ipynb"
    prefix = f"stage/schedules/{sid}/input/"
    assert staged_keys(clients) == [prefix + ".nbjobs/bootstrap.py", prefix + ".nbjobs/bootstrap.sh",
                                   prefix + ".nbjobs/job.json", prefix + "daily.ipynb"]
    folder = Path(app.schedules.schedules_dir) / sid
    assert [p.name for p in folder.iterdir() if p.name.startswith("trigger-")] == []

    code, paused = await api.post(f"schedules/{sid}/pause")
    assert code == 200 and paused["active"] is False and paused["next_fire_times"] == []
    assert aws_schedule(clients, sid)["State"] == "DISABLED"
    code, resumed = await api.post(f"schedules/{sid}/resume")
    assert code == 200 and resumed["active"] is True and len(resumed["next_fire_times"]) == 5
    assert aws_schedule(clients, sid)["State"] == "ENABLED"

    code, patched = await api.call("PATCH", f"schedules/{sid}", {
        "cron": "30 7 * * 0", "timezone": "America/New_York",
        "backend_options": {"instance_type": "ml.c5.xlarge"}})
    assert code == 200, patched
    got = aws_schedule(clients, sid)
    assert (got["ScheduleExpression"], got["ScheduleExpressionTimezone"]) == (
        "cron(30 7 ? * 1 *)", "America/New_York")
    assert pipeline_args(clients, sid)["ResourceConfig"]["InstanceType"] == "ml.c5.xlarge"
    assert all(ts(t).astimezone(ZoneInfo("America/New_York")).isoweekday() == 7
               for t in patched["next_fire_times"])

    # A cron EventBridge cannot express: 400 from the trigger, nothing changes.
    code, err = await api.call("PATCH", f"schedules/{sid}", {"cron": "0 9 1 * 1"})
    assert code == 400 and err["reason"] == "invalid_cron", err
    assert "both day-of-month and day-of-week" in err["message"]
    assert aws_schedule(clients, sid)["ScheduleExpression"] == "cron(30 7 ? * 1 *)"
    assert (await api.get(f"schedules/{sid}"))[1]["cron"] == "30 7 * * 0"

    # Refresh: the edited notebook is staged again for the pipeline.
    notebook("reports/daily.ipynb", "print('edited', n)", parameters="n = 1")
    code, _ = await api.post(f"schedules/{sid}/refresh-snapshot")
    assert code == 200
    body = clients["s3"].get_object(Bucket=IN_BUCKET, Key=prefix + "daily.ipynb")["Body"].read()
    assert b"edited" in body

    # Runs come from pipeline executions (moto never fires: start them as EventBridge would).
    code, got = await api.get(f"schedules/{sid}")
    assert got["trigger_runs"] == []
    for i in range(2):
        clients["sagemaker"].start_pipeline_execution(
            PipelineName=f"nbjobs-{sid}", PipelineExecutionDisplayName=f"fire-{i}")
        time.sleep(0.05)
    code, got = await api.get(f"schedules/{sid}")
    assert code == 200, got
    assert [r["display_name"] for r in got["trigger_runs"]] == ["fire-1", "fire-0"]
    assert all(r["execution_arn"] and r["status"] for r in got["trigger_runs"])
    assert "trigger_runs" in got and got["last_runs"] == []

    code, _ = await api.delete(f"schedules/{sid}")
    assert code == 204
    with pytest.raises(clients["scheduler"].exceptions.ResourceNotFoundException):
        aws_schedule(clients, sid)
    assert clients["sagemaker"].list_pipelines()["PipelineSummaries"] == []
    assert staged_keys(clients) == []
    assert (await api.get(f"schedules/{sid}"))[0] == 404
    assert not folder.exists()


async def test_the_local_scheduler_never_fires_it(api, notebook, sm):
    app, clients, _ = sm
    nb = notebook("every.ipynb", "x = 1")
    code, sched = await api.post("schedules", {"input_path": nb, "cron": "* * * * *",
                                               "backend": "sagemaker"})
    assert code == 201, sched
    sid = sched["id"]
    assert aws_schedule(clients, sid)["ScheduleExpression"] == "cron(* * * * ? *)"
    store = app.schedules.store.sync
    row = store.get(sid)
    assert row["next_fire_at"] is None and row["trigger_handle"]["schedule_name"] == f"nbjobs-{sid}"
    # Even with a due time forced into the row, the loop's queries leave it to AWS.
    past = datetime.now(ZoneInfo("UTC")) - timedelta(minutes=3)
    store.update(sid, next_fire_at=past)
    assert store.next_due_time() is None
    await app.scheduler.tick(datetime.now(ZoneInfo("UTC")) + timedelta(minutes=5))
    assert store.fires(sid) == []
    code, page = await api.get("jobs", schedule_id=sid)
    assert page["jobs"] == []


async def test_bad_input_and_failed_create_leave_nothing(api, notebook, sm):
    app, clients, recorder = sm
    nb = notebook("b.ipynb", "x = 1")
    code, err = await api.post("schedules", {"input_path": nb, "cron": "0 9 1 * 1",
                                             "backend": "sagemaker"})
    assert code == 400 and err["reason"] == "invalid_cron", err
    assert recorder.ops("sagemaker") == [] and recorder.ops("scheduler") == []

    from botocore.exceptions import ClientError

    def deny(**_kw):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not authorized "
                           "to perform: scheduler:CreateSchedule on resource: x"}}, "CreateSchedule")

    clients["scheduler"].meta.events.register("before-call.scheduler.CreateSchedule", deny)
    code, err = await api.post("schedules", {"input_path": nb, "cron": "@daily",
                                             "backend": "sagemaker"})
    assert code == 403 and "scheduler:CreateSchedule" in err["message"], err
    assert (await api.get("schedules"))[1]["schedules"] == []
    assert clients["sagemaker"].list_pipelines()["PipelineSummaries"] == []
    assert staged_keys(clients) == []
    folder = Path(app.schedules.schedules_dir)
    assert not folder.exists() or list(folder.iterdir()) == []


async def test_switching_backends_moves_the_schedule(api, notebook, sm):
    app, clients, _ = sm
    nb = notebook("s.ipynb", "x = 1")
    code, sched = await api.post("schedules", {"input_path": nb, "cron": "@daily"})
    assert code == 201 and sched["trigger_handle"] is None
    sid = sched["id"]
    code, moved = await api.call("PATCH", f"schedules/{sid}", {"backend": "sagemaker"})
    assert code == 200, moved
    assert moved["trigger_handle"]["pipeline_name"] == f"nbjobs-{sid}"
    assert aws_schedule(clients, sid)["ScheduleExpression"] == "cron(0 0 * * ? *)"
    assert app.schedules.store.sync.get(sid)["next_fire_at"] is None
    code, back = await api.call("PATCH", f"schedules/{sid}", {"backend": "local"})
    assert code == 200 and back["trigger_handle"] is None, back
    assert clients["sagemaker"].list_pipelines()["PipelineSummaries"] == []
    assert app.schedules.store.sync.get(sid)["next_fire_at"] is not None  # fired here again


async def test_start_and_end_reach_the_aws_schedule(api, notebook, sm):
    app, clients, _ = sm
    nb = notebook("w.ipynb", "x = 1")
    now = datetime.now(ZoneInfo("UTC")).replace(microsecond=0)
    start, end = now + timedelta(days=2), now + timedelta(days=30)
    code, sched = await api.post("schedules", {
        "input_path": nb, "cron": "0 6 * * *", "timezone": "Asia/Tokyo", "backend": "sagemaker",
        "start_at": start.isoformat(), "end_at": end.isoformat()})
    assert code == 201, sched
    got = aws_schedule(clients, sched["id"])
    assert got["StartDate"] == start and got["EndDate"] == end
    assert ts(sched["next_fire_at"]) >= start  # shown from the same window
    code, patched = await api.call("PATCH", f"schedules/{sched['id']}",
                                   {"end_at": (end + timedelta(days=1)).isoformat()})
    assert code == 200, patched
    assert aws_schedule(clients, sched["id"])["EndDate"] == end + timedelta(days=1)


async def test_unreachable_runs_are_a_warning(api, notebook, sm):
    """GET still shows the schedule when its runs cannot be listed."""
    app, clients, _ = sm
    code, sched = await api.post("schedules", {"input_path": notebook("r.ipynb", "x = 1"),
                                               "cron": "@daily", "backend": "sagemaker"})
    assert code == 201, sched
    from botocore.exceptions import ClientError

    def deny(**_kw):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not authorized "
                           "to perform: sagemaker:ListPipelineExecutions on resource: x"}},
                          "ListPipelineExecutions")

    clients["sagemaker"].meta.events.register(
        "before-call.sagemaker.ListPipelineExecutions", deny)
    code, got = await api.get(f"schedules/{sched['id']}")
    assert code == 200 and got["trigger_runs"] == [], got
    [warning] = got["warnings"]
    assert warning.startswith("could not list the runs of the cloud schedule: ")
    assert "sagemaker:ListPipelineExecutions" in warning
    clients["sagemaker"].meta.events.unregister(
        "before-call.sagemaker.ListPipelineExecutions", deny)


async def test_without_its_backend_the_schedule_is_left_alone(api, notebook, sm):
    """A server that lost the SageMaker backend refuses to change the AWS side (409) rather
    than leave a pipeline firing with no row to manage it."""
    app, clients, _ = sm
    code, sched = await api.post("schedules", {"input_path": notebook("m.ipynb", "x = 1"),
                                               "cron": "@daily", "backend": "sagemaker"})
    sid = sched["id"]
    backend = app.jobs.backends.pop("sagemaker")
    snaps = sorted(p.name for p in (Path(app.schedules.schedules_dir) / sid).iterdir())
    for route in ("pause", "resume", "refresh-snapshot"):
        code, err = await api.post(f"schedules/{sid}/{route}")
        assert code == 409 and err["reason"] == "backend_missing", (route, err)
    code, err = await api.delete(f"schedules/{sid}")
    assert code == 409 and err["reason"] == "backend_missing"
    assert sorted(p.name for p in (Path(app.schedules.schedules_dir) / sid).iterdir()) == snaps
    assert aws_schedule(clients, sid)["State"] == "ENABLED"
    app.jobs.add_backend(backend)
    assert (await api.delete(f"schedules/{sid}"))[0] == 204
    assert clients["sagemaker"].list_pipelines()["PipelineSummaries"] == []


class TestWiring:
    """A configured SageMaker backend offers its trigger, and the schedule service uses it."""

    @pytest.fixture
    def jp_server_config(self, nbjobs_config, tmp_path):
        from traitlets.config import Config

        return Config({
            "ServerApp": {"jpserver_extensions": {"jupyterlab_nbjobs": True},
                          "allow_unauthenticated_access": False},
            "NbJobsApp": nbjobs_config,
            "SageMakerConfig": {"region": "us-east-1", "endpoint_url": "http://127.0.0.1:9",
                                "resource_metadata_path": str(tmp_path / "none.json")},
        })

    async def test_the_backends_trigger_is_used(self, jp_serverapp):
        app = jp_serverapp.extension_manager.extension_points["jupyterlab_nbjobs"].app
        backend = app.jobs.backends["sagemaker"]
        trigger = backend.schedule_trigger()
        assert isinstance(trigger, SageMakerScheduleTrigger)
        assert trigger.clients is backend.clients
        assert app.schedules.triggers.of_backend("sagemaker") is trigger
        assert app.jobs.backends["local"].schedule_trigger() is None



class TestNoSageMaker:
    @pytest.fixture
    def nbjobs_config(self, nbjobs_config):
        return {**nbjobs_config, "enable_sagemaker": False}

    async def test_no_trigger_without_the_backend(self, api, notebook, jp_serverapp):
        app = jp_serverapp.extension_manager.extension_points["jupyterlab_nbjobs"].app
        assert [b.schedule_trigger() for b in app.jobs.backends.values()] == [None]
        code, err = await api.post("schedules", {"input_path": notebook("n.ipynb", "x = 1"),
                                                 "cron": "@daily", "backend": "sagemaker"})
        assert code == 400 and err["reason"] == "unknown_backend", err
