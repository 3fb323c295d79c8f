"""Build the OpenAPI document from the pydantic models; `python -m jupyterlab_nbjobs.openapi`
rewrites openapi.yaml, and a test fails when the committed file is out of date."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from . import models

SPEC_PATH = Path(__file__).parent / "openapi.yaml"
ERROR = {"$ref": "#/components/schemas/Error"}
JOB_ID = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}

# The request and response models of the paths below.
MODELS = [models.Job, models.JobCreate, models.JobPage, models.JobRerun, models.BulkRequest,
          models.BulkResult, models.OutputList, models.LogChunk, models.Environments,
          models.NotebookParameters, models.Schedule, models.ScheduleCreate,
          models.ScheduleUpdate, models.ScheduleList, models.ScheduleRunRequest,
          models.RunResult, models.CronCheck, models.CronInfo, models.SweepCreate,
          models.Sweep, models.SweepList]
SCHEDULE_ID = {"name": "schedule_id", "in": "path", "required": True,
               "schema": {"type": "string"}}
SWEEP_ID = {"name": "sweep_id", "in": "path", "required": True, "schema": {"type": "string"}}


def _ref(model) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _op(summary: str, ok: int, response: Any = None, body=None, params=(), errors=(400,)):
    op: dict[str, Any] = {"summary": summary, "responses": {}}
    if params:
        op["parameters"] = list(params)
    if body is not None:
        op["requestBody"] = {"required": True, **_json(_ref(body))}
    op["responses"][str(ok)] = (
        {"description": "OK", **_json(_ref(response))} if response is not None
        else {"description": "OK"}
    )
    for code in (*errors, 403):
        op["responses"][str(code)] = {"description": "Error", **_json(dict(ERROR))}
    return op


def _query(name: str, schema: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def build_spec() -> dict[str, Any]:
    _, defs = models_json_schema([(m, "serialization") for m in MODELS],
                                 ref_template="#/components/schemas/{model}")
    schemas = defs["$defs"]
    schemas["Error"] = {
        "type": "object", "required": ["message", "reason"],
        "properties": {"message": {"type": "string"}, "reason": {"type": "string"},
                       "field": {"type": "string"}},
    }
    list_params = [
        _query("status", {"type": "string"}, "comma-separated statuses"),
        _query("name", {"type": "string"}, "substring, case-insensitive"),
        _query("tag", {"type": "string"}), _query("schedule_id", {"type": "string"}),
        _query("sweep_id", {"type": "string"}),
        _query("updated_since", {"type": "string", "format": "date-time"}),
        _query("sort", {"type": "string"}, "created_at, name or status; '-' for descending"),
        _query("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
        _query("cursor", {"type": "string"}),
    ]
    paths = {
        "/jobs": {
            "get": _op("List jobs", 200, models.JobPage, params=list_params),
            "post": _op("Create a job", 201, models.Job, body=models.JobCreate),
        },
        "/jobs/bulk/delete": {"post": _op("Delete jobs", 200, models.BulkResult,
                                          body=models.BulkRequest)},
        "/jobs/bulk/stop": {"post": _op("Stop jobs", 200, models.BulkResult,
                                        body=models.BulkRequest)},
        "/jobs/{job_id}": {
            "get": _op("Get a job", 200, models.Job, params=[JOB_ID], errors=(404,)),
            "delete": _op("Delete a job (stopping it first)", 204, params=[JOB_ID],
                          errors=(404,)),
        },
        "/jobs/{job_id}/stop": {"post": _op("Stop a job", 200, models.Job, params=[JOB_ID],
                                            errors=(404, 409))},
        "/jobs/{job_id}/rerun": {"post": _op("Run a job again", 201, models.Job,
                                             body=models.JobRerun, params=[JOB_ID],
                                             errors=(400, 404))},
        "/jobs/{job_id}/outputs": {"get": _op("List outputs", 200, models.OutputList,
                                              params=[JOB_ID], errors=(404,))},
        "/jobs/{job_id}/log": {"get": _op(
            "Read the log", 200, models.LogChunk, errors=(400, 404),
            params=[JOB_ID, _query("offset", {"type": "integer", "minimum": 0}),
                    _query("tail", {"type": "integer", "minimum": 0})])},
        "/environments": {"get": _op("Kernels, formats, backends", 200, models.Environments,
                                     errors=())},
        "/parameters": {"get": _op(
            "A notebook's parameters", 200, models.NotebookParameters,
            params=[{**_query("path", {"type": "string"}), "required": True}])},
    }
    paths.update(schedule_paths())
    return {
        "openapi": "3.1.0",
        "info": {"title": "jupyterlab_nbjobs", "version": "1"},
        "servers": [{"url": "/nbjobs"}],
        "paths": paths,
        "components": {"schemas": schemas},
    }


def schedule_paths() -> dict[str, Any]:
    sid, wid = [SCHEDULE_ID], [SWEEP_ID]
    return {
        "/schedules": {
            "get": _op("List schedules", 200, models.ScheduleList, errors=()),
            "post": _op("Create a schedule", 201, models.Schedule, body=models.ScheduleCreate),
        },
        "/schedules/{schedule_id}": {
            "get": _op("Get a schedule (next fires, last runs)", 200, models.Schedule,
                       params=sid, errors=(404,)),
            "patch": _op("Change any field", 200, models.Schedule, body=models.ScheduleUpdate,
                         params=sid, errors=(400, 404)),
            "delete": _op("Delete a schedule", 204, errors=(400, 404), params=[
                SCHEDULE_ID, _query("delete_runs", {"type": "boolean"}, "delete its runs too")]),
        },
        "/schedules/{schedule_id}/pause": {"post": _op("Pause", 200, models.Schedule,
                                                       params=sid, errors=(404,))},
        "/schedules/{schedule_id}/resume": {"post": _op("Resume (missed fires are skipped)",
                                                        200, models.Schedule, params=sid,
                                                        errors=(404,))},
        "/schedules/{schedule_id}/run": {"post": _op(
            "Run now, optionally with other parameters", 201, models.RunResult,
            body=models.ScheduleRunRequest, params=sid, errors=(400, 404))},
        "/schedules/{schedule_id}/refresh-snapshot": {"post": _op(
            "Take the current version of the notebook", 200, models.Schedule, params=sid,
            errors=(400, 404))},
        "/cron/validate": {"post": _op("Describe a cron and list its next fires", 200,
                                       models.CronInfo, body=models.CronCheck)},
        "/sweeps": {
            "get": _op("List sweeps", 200, models.SweepList, errors=()),
            "post": _op("Create one job per combination", 201, models.Sweep,
                        body=models.SweepCreate),
        },
        "/sweeps/{sweep_id}": {
            "get": _op("Get a sweep and its jobs' status", 200, models.Sweep, params=wid,
                       errors=(404,)),
            "delete": _op("Stop and delete a sweep and its jobs", 204, params=wid,
                          errors=(404,)),
        },
        "/sweeps/{sweep_id}/stop": {"post": _op("Stop the sweep's unfinished jobs", 200,
                                                models.Sweep, params=wid, errors=(404,))},
    }


def render() -> str:
    import yaml

    class NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data):
            return True

    return yaml.dump(build_spec(), Dumper=NoAliases, sort_keys=False, width=100)


if __name__ == "__main__":
    SPEC_PATH.write_text(render())
    sys.stdout.write(f"wrote {SPEC_PATH}\n")
