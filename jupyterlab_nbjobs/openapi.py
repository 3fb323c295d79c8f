"""Build the OpenAPI document from the pydantic models; `python -m jupyterlab_nbjobs.openapi`
rewrites openapi.yaml, and a test fails when the committed file is out of date.

The document says exactly what the server does: request bodies in pydantic's validation view,
answers in its serialization view, plus what pydantic cannot see (the checks inside field
validators, the query arguments the handlers read, the error answers of each operation).
tests/handlers/test_openapi.py checks the rules below against the validators, and
tests/handlers/test_fuzz.py checks the whole document against a live server."""

from __future__ import annotations

import keyword
import sys
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from . import models
from .errors import MAX_LISTED_ERRORS
from .models.jobs import SORT_KEYS

SPEC_PATH = Path(__file__).parent / "openapi.yaml"
ERROR = {"$ref": "#/components/schemas/Error"}

# Request bodies and answers. A request model is read as pydantic validates it (defaults are
# optional, for example); an answer as pydantic writes it.
REQUESTS = [models.JobCreate, models.JobRerun, models.BulkRequest, models.ScheduleCreate,
            models.ScheduleUpdate, models.ScheduleRunRequest, models.CronCheck,
            models.SweepCreate]
REQUESTS += [models.ProjectCreate, models.ProjectUpdate, models.InstanceCreate,  # instances
             models.InstanceUpdate]
RESPONSES = [models.Job, models.JobPage, models.BulkResult, models.OutputList, models.LogChunk,
             models.Environments, models.NotebookParameters, models.Schedule,
             models.ScheduleList, models.RunResult, models.CronInfo, models.Sweep,
             models.SweepList]
RESPONSES += [models.Comparison]  # runs side by side
RESPONSES += [models.Me, models.ProjectList, models.Project, models.InstanceList,  # instances
              models.Instance, models.InstanceUrl, models.LogPage, models.InstanceOptions]

# -- what the field validators check, in JSON Schema words -------------------------------------
# Python identifiers (str.isidentifier) start with a letter or `_` and go on with letters,
# digits and `_`, where "letter" and "digit" take most of Unicode. JSON Schema patterns cannot
# name Unicode classes portably, so the spec says what holds for ASCII (no other ASCII
# character, no digit first) and lets the rest of Unicode through: the server answers 400 for
# what it refuses there, and the spec never forbids what the server takes. (Said with `not`:
# a pattern with a class of "any non-ASCII character" breaks generators limited to ASCII.)
ASCII_NON_WORD = "[\\x00-\\x2F\\x3A-\\x40\\x5B-\\x5E\\x60\\x7B-\\x7F]"
_NOT_A_WORD = [{"pattern": "^[0-9]"}, {"pattern": ASCII_NON_WORD}]
PARAMETER_NAME = {
    "minLength": 1,
    "not": {"anyOf": [*_NOT_A_WORD, {"enum": sorted(keyword.kwlist)},
                      {"pattern": "^(?:__|___|__.*__)$"}]},
    "description": "a Python identifier, not a keyword, not a __dunder__ name",
}
ENV_NAME = {"minLength": 1, "not": {"anyOf": _NOT_A_WORD},
            "description": "letters, digits and _, not starting with a digit"}

# Per property name, in every request body that has it: merged into the property's schema
# (into the non-null branch of an optional one). Items of arrays: under "items".
VALIDATOR_RULES: dict[str, dict[str, Any]] = {
    "input_path": {"minLength": 1},
    "parameters": {"propertyNames": PARAMETER_NAME},
    "env": {"propertyNames": ENV_NAME},
    "grid": {"propertyNames": PARAMETER_NAME},
    "combinations": {"items": {"propertyNames": PARAMETER_NAME}},
}

# Every query argument given empty is refused (handlers/base.py): leave it out instead.
STATUS_WORD = "(?:" + "|".join(s.value for s in models.JobStatus) + ")"


def _ref(model) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


ERROR_TEXT = {400: "Bad request: a parameter or the body is not valid",
              403: "Not authenticated, or not allowed",
              404: "No such job, schedule, sweep or output",
              409: "Not possible in the resource's current state",
              413: "Request body too large",
              502: "AWS answered with an error that is not the request's fault"}


def _op(summary: str, ok: int, response: Any = None, body=None, params=(), errors=(400,),
        also: dict[str, dict] | None = None):
    """One operation. Every operation may answer 403; one with a body also 400 and 413. Every
    error is the Error object."""
    op: dict[str, Any] = {"summary": summary, "responses": {}}
    if params:
        op["parameters"] = list(params)
    codes = set(errors) | {403}
    if body is not None:
        # An empty body reads as {}: the body is required only when {} is not a valid request.
        required = any(f.is_required() for f in body.model_fields.values())
        op["requestBody"] = {"required": required, **_json(_ref(body))}
        if not required:
            op["requestBody"]["description"] = "optional: no body is the same as {}"
        codes |= {400, 413}
    op["responses"][str(ok)] = (
        {"description": "OK", **_json(_ref(response))} if response is not None
        else {"description": "OK"}
    )
    op["responses"].update(also or {})
    for code in sorted(codes):
        op["responses"][str(code)] = {"description": ERROR_TEXT[code], **_json(dict(ERROR))}
    return op


def _query(name: str, schema: dict, description: str = "") -> dict:
    param = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        param["description"] = description
    return param


def _path(name: str, description: str = "") -> dict:
    param = {"name": name, "in": "path", "required": True,
             "schema": {"type": "string", "minLength": 1}}
    if description:
        param["description"] = description
    return param


JOB_ID, SCHEDULE_ID, SWEEP_ID = _path("job_id"), _path("schedule_id"), _path("sweep_id")
BOOLEAN_ARG = {"type": "string", "enum": ["true", "false", "1", "0"]}
DOWNLOAD = _query("download", BOOLEAN_ARG, "true or 1: sent as an attachment")
# What a job wrote is served so that it never runs script in the Jupyter origin.
FILE_HEADERS = {
    "Content-Disposition": {"required": True, "schema": {
        "type": "string", "pattern": "^(inline|attachment); filename=\"[ -~]*\"; "
                                     "filename\\*=UTF-8''"},
        "description": "inline or attachment, with the file name (RFC 6266, RFC 5987)"},
    "Content-Security-Policy": {"required": True, "schema": {
        "type": "string", "pattern": "^sandbox;"},
        "description": "sandbox: an opaque origin, no script"},
    "X-Content-Type-Options": {"required": True, "schema": {"type": "string",
                                                              "const": "nosniff"}},
}


def _non_null(schema: dict) -> dict:
    """The schema without its `null` branch (an optional field's value when it is given)."""
    branches = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if len(branches) == 1:
        extra = {k: v for k, v in schema.items() if k not in ("anyOf", "default", "title")}
        return {**branches[0], **extra}
    return schema


def _merge(schema: dict, rule: dict) -> None:
    target = schema
    if "anyOf" in schema:  # optional: the rule is for the non-null branch
        target = next(s for s in schema["anyOf"] if s.get("type") != "null")
    for key, value in rule.items():
        if key == "items":
            _merge(target["items"], value)
        else:
            target[key] = value


def apply_validator_rules(schemas: dict[str, dict]) -> None:
    for model in REQUESTS:
        props = schemas[model.__name__].get("properties", {})
        for name, rule in VALIDATOR_RULES.items():
            if name in props:
                _merge(props[name], rule)


def job_list_params() -> list[dict]:
    """GET /jobs: the fields of JobListQuery (by alias), as query arguments."""
    schema = models.JobListQuery.model_json_schema(by_alias=True, mode="validation")
    out = []
    for name, prop in schema["properties"].items():
        prop = _non_null(prop)
        description = prop.pop("description", "")
        prop.pop("title", None)
        if name == "status":
            prop = {"type": "string", "pattern": f"^{STATUS_WORD}?(?:,{STATUS_WORD}?)*$"}
            description = ("comma-separated statuses (" +
                           ", ".join(s.value for s in models.JobStatus) + ")")
        elif name == "updated_since":
            # The model reads it with datetime.fromisoformat, which takes more than RFC 3339's
            # date-time (a date alone, no "T", basic format): the spec must not refuse those.
            prop = {"type": "string", "minLength": 1}
            description = ("an ISO 8601 date or date and time (UTC when it has no offset): "
                           "jobs changed since then")
        elif name == "sort":
            prop = {"type": "string", "enum": [f"{d}{k}" for k in SORT_KEYS for d in ("", "-")],
                    "default": "-created_at"}
            description = "a sort key; '-' for descending"
        if prop.get("type") == "string" and "enum" not in prop and "format" not in prop:
            prop["minLength"] = max(1, prop.get("minLength", 0))
            if name != "status":
                # tornado turns control characters in a query argument into spaces, so a NUL
                # in a text filter reaches the model as a space: any text is taken.
                prop.pop("pattern", None)
        out.append(_query(name, prop, description))
    return out


def build_spec() -> dict[str, Any]:
    _, defs = models_json_schema([(m, "validation") for m in REQUESTS] +
                                 [(m, "serialization") for m in RESPONSES],
                                 ref_template="#/components/schemas/{model}")
    schemas = defs["$defs"]
    apply_validator_rules(schemas)
    schemas["Error"] = {
        "type": "object", "required": ["message", "reason"],
        "properties": {"message": {"type": "string", "description": "for people"},
                       "reason": {"type": "string",
                                  "description": "a short machine-readable word"},
                       "field": {"type": "string",
                                 "description": "the request field at fault, when one is"},
                       "errors": {
                           "type": "array", "maxItems": MAX_LISTED_ERRORS,
                           "description": "every problem of a request that failed validation "
                                          "(message, reason and field describe the first)",
                           "items": {
                               "type": "object", "required": ["message"],
                               "properties": {
                                   "message": {"type": "string", "description": "for people"},
                                   "field": {"type": "string",
                                             "description": "the request field at fault"}},
                               "additionalProperties": False}}},
        "additionalProperties": False,
    }
    output_name = _path("name", "the output's name as GET .../outputs lists it (`/` separated)")
    paths = {
        "/jobs": {
            "get": _op("List jobs", 200, models.JobPage, params=job_list_params()),
            "post": _op("Create a job", 201, models.Job, body=models.JobCreate, also={
                "200": {"description": "A repeat of an idempotency_key: the job created first",
                        **_json(_ref(models.Job))}}),
        },
        "/jobs/bulk/delete": {"post": _op("Delete jobs", 200, models.BulkResult,
                                          body=models.BulkRequest)},
        "/jobs/bulk/stop": {"post": _op("Stop jobs", 200, models.BulkResult,
                                        body=models.BulkRequest)},
        "/jobs/{job_id}": {
            "get": _op("Get a job", 200, models.Job, params=[JOB_ID], errors=(404, 409)),
            "delete": _op("Delete a job (stopping it first)", 204, params=[JOB_ID],
                          errors=(404,)),
        },
        "/jobs/{job_id}/stop": {"post": _op("Stop a job", 200, models.Job, params=[JOB_ID],
                                            errors=(404, 409))},
        "/jobs/{job_id}/rerun": {"post": _op("Run a job again", 201, models.Job,
                                             body=models.JobRerun, params=[JOB_ID],
                                             errors=(404, 409))},
        "/jobs/{job_id}/outputs": {"get": _op("List outputs", 200, models.OutputList,
                                              params=[JOB_ID], errors=(404, 409))},
        "/jobs/{job_id}/outputs/{name}": {"get": _op(
            "Read one output file", 200, params=[JOB_ID, output_name, DOWNLOAD],
            errors=(400, 404, 409), also={"200": {
                "description": "The file, with its own media type (a notebook is "
                               "application/x-ipynb+json, an unknown type "
                               "application/octet-stream, text has charset=utf-8); only "
                               "types a browser shows safely are inline, the others are "
                               "attachments",
                "headers": FILE_HEADERS,
                "content": {"*/*": {}}}})},
        "/jobs/{job_id}/view": {"get": _op(
            "The executed notebook as a read-only HTML page (no kernel, no script)", 200,
            params=[JOB_ID, DOWNLOAD], errors=(400, 404, 409), also={"200": {
                "description": "The page", "headers": FILE_HEADERS,
                "content": {"text/html": {"schema": {"type": "string"}}}}})},
        "/jobs/{job_id}/log": {"get": _op(
            "Read the log", 200, models.LogChunk, errors=(400, 404, 409),
            params=[JOB_ID,
                    _query("offset", {"type": "integer", "minimum": 0, "maximum": 2**62},
                           "byte offset to read from (the `offset` of the previous chunk)"),
                    _query("tail", {"type": "integer", "minimum": 0, "maximum": 100_000},
                           "the last lines only (offset is then ignored)")])},
        "/environments": {"get": _op("Kernels, formats, backends", 200, models.Environments,
                                     errors=())},
        "/parameters": {"get": _op(
            "A notebook's parameters", 200, models.NotebookParameters,
            params=[{**_query("path", {"type": "string", "minLength": 1},
                              "notebook path relative to the server root"),
                     "required": True}])},
    }
    paths.update(schedule_paths())
    paths.update(instance_paths())
    paths.update(comparison_paths())
    return {
        "openapi": "3.1.0",
        "info": {"title": "jupyterlab_nbjobs", "version": "1"},
        "servers": [{"url": "/nbjobs"}],
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"token": {
                "type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`token <the Jupyter server's token>`; a browser session "
                               "uses its cookie and the _xsrf token instead"}},
        },
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
                       params=sid, errors=(404, 409)),
            "patch": _op("Change any field", 200, models.Schedule, body=models.ScheduleUpdate,
                         params=sid, errors=(404, 409)),
            "delete": _op("Delete a schedule", 204, errors=(400, 404, 409), params=[
                SCHEDULE_ID, _query("delete_runs", BOOLEAN_ARG, "delete its runs too")]),
        },
        "/schedules/{schedule_id}/pause": {"post": _op("Pause", 200, models.Schedule,
                                                       params=sid, errors=(404, 409))},
        "/schedules/{schedule_id}/resume": {"post": _op("Resume (missed fires are skipped)",
                                                        200, models.Schedule, params=sid,
                                                        errors=(404, 409))},
        "/schedules/{schedule_id}/run": {"post": _op(
            "Run now, optionally with other parameters", 201, models.RunResult,
            body=models.ScheduleRunRequest, params=sid, errors=(404, 409))},
        "/schedules/{schedule_id}/refresh-snapshot": {"post": _op(
            "Take the current version of the notebook", 200, models.Schedule, params=sid,
            errors=(400, 404, 409))},
        "/cron/validate": {"post": _op("Describe a cron and list its next fires", 200,
                                       models.CronInfo, body=models.CronCheck)},
        "/sweeps": {
            "get": _op("List sweeps", 200, models.SweepList, errors=()),
            "post": _op("Create one job per combination", 201, models.Sweep,
                        body=models.SweepCreate),
        },
        "/sweeps/{sweep_id}": {
            "get": _op("Get a sweep and its jobs' status", 200, models.Sweep, params=wid,
                       errors=(404, 409)),
            "delete": _op("Stop and delete a sweep and its jobs", 204, params=wid,
                          errors=(404,)),
        },
        "/sweeps/{sweep_id}/stop": {"post": _op("Stop the sweep's unfinished jobs", 200,
                                                models.Sweep, params=wid, errors=(404, 409))},
    }


# -- runs side by side, a job's outputs as one archive ----------------------------------------
def comparison_paths() -> dict[str, Any]:
    return {
        "/sweeps/{sweep_id}/comparison": {"get": _op(
            "A sweep's runs side by side: parameters, status, duration, recorded values", 200,
            models.Comparison, params=[SWEEP_ID], errors=(404,))},
        "/schedules/{schedule_id}/comparison": {"get": _op(
            "A schedule's runs (the newest 500) side by side", 200, models.Comparison,
            params=[SCHEDULE_ID], errors=(404,))},
        "/jobs/{job_id}/archive": {"get": _op(
            "Every output of a job as one zip archive (a download)", 200, params=[JOB_ID],
            errors=(400, 404, 409), also={"200": {
                "description": "The archive: one folder named as the job's outputs folder",
                "headers": FILE_HEADERS,
                "content": {"application/zip": {"schema": {"type": "string",
                                                           "format": "binary"}}}}})},
    }


# -- notebook instances and projects ----------------------------------------------------------
PROJECT_NAME, INSTANCE_NAME = _path("project_name"), _path("instance_name")


def instance_paths() -> dict[str, Any]:
    """Projects, notebook instances and who-am-I. Every instance operation may answer 404 when
    the server does not manage instances (c.NotebookInstances.enabled), and 502 when AWS fails."""
    aws = (404, 502)
    pid, iid = [PROJECT_NAME], [INSTANCE_NAME]
    project_arg = _query("project", {"type": "string", "pattern": models.projects.
                                     PROJECT_NAME_PATTERN}, "a project's name")
    iso = {"type": "string", "minLength": 1}
    return {
        "/me": {"get": _op("Who am I: user, admin flag, projects and roles", 200, models.Me,
                           errors=())},
        "/projects": {
            "get": _op("List projects (admins: all; others: theirs)", 200, models.ProjectList,
                       errors=(404,)),
            "post": _op("Create a project (admins)", 201, models.Project,
                        body=models.ProjectCreate, errors=(404, 409)),
        },
        "/projects/{project_name}": {
            "get": _op("Get a project", 200, models.Project, params=pid, errors=(404,)),
            "patch": _op("Change a project's settings, members or owners", 200, models.Project,
                         body=models.ProjectUpdate, params=pid, errors=(404, 409, 502)),
            "delete": _op("Delete a suspended project whose instances are all Stopped or "
                          "Failed", 204, params=pid, errors=(404, 409, 502)),
        },
        "/instances": {
            "get": _op("List instances of the caller's projects", 200, models.InstanceList,
                       params=[project_arg, _query("mine", BOOLEAN_ARG,
                                                   "only the caller's own")],
                       errors=(400, *aws)),
            "post": _op("Create an instance (status Pending)", 201, models.Instance,
                        body=models.InstanceCreate, errors=(*aws, 409)),
        },
        "/instances/options": {"get": _op(
            "The create form's choices for a project", 200, models.InstanceOptions,
            params=[{**project_arg, "required": True}], errors=(400, *aws))},
        "/instances/{instance_name}": {
            "get": _op("Get an instance", 200, models.Instance, params=iid, errors=aws),
            "patch": _op("Change an instance (Stopped or Failed; stop_time at any time)", 200,
                         models.Instance, body=models.InstanceUpdate, params=iid,
                         errors=(*aws, 409)),
            "delete": _op("Delete a Stopped or Failed instance", 202, models.Instance,
                          params=iid, errors=(*aws, 409)),
        },
        "/instances/{instance_name}/start": {"post": _op(
            "Start a Stopped or Failed instance (its owner only)", 202, models.Instance,
            params=iid, errors=(*aws, 409))},
        "/instances/{instance_name}/stop": {"post": _op(
            "Stop an InService instance", 202, models.Instance, params=iid,
            errors=(*aws, 409))},
        "/instances/{instance_name}/url": {"get": _op(
            "A presigned URL that opens JupyterLab (its owner only; valid 5 minutes)", 200,
            models.InstanceUrl, params=iid, errors=(*aws, 409))},
        "/instances/{instance_name}/logs": {"get": _op(
            "CloudWatch log events of the instance, newest page first", 200, models.LogPage,
            params=[INSTANCE_NAME,
                    _query("start", iso, "ISO 8601 date-time: no events before"),
                    _query("end", iso, "ISO 8601 date-time: no events at or after"),
                    _query("cursor", {"type": "string", "minLength": 1},
                           "next_cursor of the previous page (older events)"),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000},
                           "events per page (default 100)")],
            errors=(400, *aws))},
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
