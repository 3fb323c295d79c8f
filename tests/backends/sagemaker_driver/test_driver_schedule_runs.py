"""Runs of a SageMaker schedule become jobs: a schedule made through the REST API is a pipeline
in moto; its executions (started here as EventBridge Scheduler would) are imported as job rows
with the schedule's id, watched, and their outputs, written by AWS's real driver, brought home:
while the server is up and, for runs that ended while it was down, on catch-up.

moto's pipelines make no training job and answer ListPipelineExecutionSteps with a 500: the thin
fake below makes the step's training job from the pipeline's own arguments (what SageMaker
does) and answers the step listing."""

from __future__ import annotations

import asyncio
import json

from botocore.awsrequest import AWSResponse

from tests.backends.sagemaker_driver.container import Container


class PipelineFake:
    def __init__(self, sm):
        self.sm = sm
        self.jobs: dict[str, str] = {}  # execution ARN -> training job name
        sm.meta.events.register("before-call.sagemaker.ListPipelineExecutionSteps", self._steps)

    def fire(self, pipeline: str, name: str, make_job: bool = True) -> tuple[str, dict | None]:
        arn = self.sm.start_pipeline_execution(PipelineName=pipeline,
                                               PipelineExecutionDisplayName=name)["PipelineExecutionArn"]
        if not make_job:
            return arn, None
        definition = json.loads(self.sm.describe_pipeline(PipelineName=pipeline)["PipelineDefinition"])
        request = {"TrainingJobName": f"pipelines-{arn.rsplit('/', 1)[-1][:12]}-RunNotebook-{name}",
                   **definition["Steps"][0]["Arguments"]}
        self.sm.create_training_job(**request)
        self.jobs[arn] = request["TrainingJobName"]
        return arn, request

    def _steps(self, params, **_kw):
        arn = json.loads(params["body"])["PipelineExecutionArn"]
        steps = []
        if arn in self.jobs:
            steps = [{"StepName": "RunNotebook", "Metadata": {"TrainingJob": {
                "Arn": f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{self.jobs[arn]}"}}}]
        return AWSResponse("http://fake", 200, {}, None), {"PipelineExecutionSteps": steps}


async def test_schedule_runs_become_jobs_live_and_on_catch_up(api, notebook, jp_serverapp,
                                                             sagemaker):
    app = jp_serverapp.extension_manager.extension_points["jupyterlab_nbjobs"].app
    importer = app.nbjobs.schedules.run_importer
    nb = notebook("reports/daily.v1.ipynb", "print('n is', n)\nopen('n.txt', 'w').write(repr(n))",
                  parameters="n = 1")
    code, sched = await api.post("schedules", {"input_path": nb, "backend": "sagemaker",
                                               "cron": "0 9 * * *", "parameters": {"n": 5}})
    assert code == 201, sched
    pipeline = sched["trigger_handle"]["pipeline_name"]
    sm = sagemaker.backend.clients.client("sagemaker")
    pipelines = PipelineFake(sm)

    live_arn, live = pipelines.fire(pipeline, "live")
    sagemaker.fake.set(live["TrainingJobName"], "InProgress")
    [job_id] = await importer.import_once()
    assert await importer.import_once() == []  # one job per run, however often it looks
    job = await api.wait(job_id, statuses=("running",))
    assert job["schedule_id"] == sched["id"] and job["backend"] == "sagemaker"
    assert job["started_at"] and job["parameters"] == {"n": 5}

    box = Container(live, sagemaker.tmp_path / "live")
    box.stage(sagemaker.backend.clients.client("s3"))
    assert await box.run() == 0, box.output[-3000:]
    box.upload(sagemaker.backend)
    sagemaker.fake.set(live["TrainingJobName"], "Completed")
    done = await api.wait(job_id, timeout=60)
    assert done["status"] == "completed", done
    code, listed = await api.get(f"jobs/{job_id}/outputs")
    assert {o["name"] for o in listed["outputs"]} == {"daily.v1.ipynb", "daily.v1.log", "files/n.txt"}
    written = (await api.call("GET", f"jobs/{job_id}/outputs/files/n.txt", raw=True)).body
    assert written == b"5"  # an int, through the pipeline's string hyperparameters

    # While the server was "down": one run finished (its tarball is where SageMaker puts it),
    # one failed before it made a training job. The next pass imports and settles both.
    late_arn, late = pipelines.fire(pipeline, "late")
    late_box_request = {**live, "TrainingJobName": late["TrainingJobName"]}
    Container(late_box_request, sagemaker.tmp_path / "live").upload(sagemaker.backend)
    sagemaker.fake.set(late["TrainingJobName"], "Completed")
    broken_arn, _ = pipelines.fire(pipeline, "broken", make_job=False)
    sm.meta.events.register("after-call.sagemaker.ListPipelineExecutions", _fail(broken_arn))
    await importer.start()  # what the server does when it starts: a first pass at once
    try:
        for _ in range(100):
            code, page = await api.get("jobs", schedule_id=sched["id"])
            rows = {j["id"]: j for j in page["jobs"]}
            if len(rows) == 3:
                break
            await asyncio.sleep(0.1)
    finally:
        await importer.stop()
    made = [j for j in rows if j != job_id]
    assert len(made) == 2
    assert set(rows) == {job_id, *made}
    late_job = await api.wait(next(j for j in made if rows[j]["status"] != "failed"), timeout=30)
    assert late_job["status"] == "completed"
    code, listed = await api.get(f"jobs/{late_job['id']}/outputs")
    assert "daily.v1.ipynb" in {o["name"] for o in listed["outputs"]}
    [broken] = [j for j in made if rows[j]["status"] == "failed"]
    assert rows[broken]["error"]["reason"] == "start_failed"
    assert "RoleArn is not valid" in rows[broken]["error"]["message"]


def _fail(arn):
    def patch(parsed, **_kw):
        for item in parsed.get("PipelineExecutionSummaries") or []:
            if item.get("PipelineExecutionArn") == arn:
                item.update(PipelineExecutionStatus="Failed",
                            PipelineExecutionFailureReason="Step RunNotebook: RoleArn is not valid")
    return patch
