"""The pieces every part of the spec is made of: the models it shows, what the field
validators check in JSON Schema words, and operation / argument builders."""

from __future__ import annotations

import keyword
from typing import Any

from .. import models
from ..errors import MAX_LISTED_ERRORS
from ..models.jobs import SORT_KEYS

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


def ref(model) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def json_body(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


ERROR_TEXT = {400: "Bad request: a parameter or the body is not valid",
              403: "Not authenticated, or not allowed",
              404: "No such job, schedule, sweep or output",
              409: "Not possible in the resource's current state",
              413: "Request body too large",
              502: "AWS answered with an error that is not the request's fault"}


def op(summary: str, ok: int, response: Any = None, body=None, params=(), errors=(400,),
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
        op["requestBody"] = {"required": required, **json_body(ref(body))}
        if not required:
            op["requestBody"]["description"] = "optional: no body is the same as {}"
        codes |= {400, 413}
    op["responses"][str(ok)] = (
        {"description": "OK", **json_body(ref(response))} if response is not None
        else {"description": "OK"}
    )
    op["responses"].update(also or {})
    for code in sorted(codes):
        op["responses"][str(code)] = {"description": ERROR_TEXT[code], **json_body(dict(ERROR))}
    return op


def query_arg(name: str, schema: dict, description: str = "") -> dict:
    param = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        param["description"] = description
    return param


def path_arg(name: str, description: str = "") -> dict:
    param = {"name": name, "in": "path", "required": True,
             "schema": {"type": "string", "minLength": 1}}
    if description:
        param["description"] = description
    return param


JOB_ID, SCHEDULE_ID, SWEEP_ID = path_arg("job_id"), path_arg("schedule_id"), path_arg("sweep_id")
BOOLEAN_ARG = {"type": "string", "enum": ["true", "false", "1", "0"]}
DOWNLOAD = query_arg("download", BOOLEAN_ARG, "true or 1: sent as an attachment")
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


def non_null(schema: dict) -> dict:
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
        prop = non_null(prop)
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
        out.append(query_arg(name, prop, description))
    return out


def error_schema() -> dict[str, Any]:
    """The one shape of every error answer."""
    return {
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
