"""The jobs, environments and parameters paths."""

from __future__ import annotations

from typing import Any

from .. import models
from .parts import (
    DOWNLOAD,
    FILE_HEADERS,
    JOB_ID,
    job_list_params,
    json_body,
    op,
    path_arg,
    query_arg,
    ref,
)


def job_paths() -> dict[str, Any]:
    output_name = path_arg("name", "the output's name as GET .../outputs lists it (`/` separated)")
    return {
        "/jobs": {
            "get": op("List jobs", 200, models.JobPage, params=job_list_params()),
            "post": op("Create a job", 201, models.Job, body=models.JobCreate, also={
                "200": {"description": "A repeat of an idempotency_key: the job created first",
                        **json_body(ref(models.Job))}}),
        },
        "/jobs/bulk/delete": {"post": op("Delete jobs", 200, models.BulkResult,
                                          body=models.BulkRequest)},
        "/jobs/bulk/stop": {"post": op("Stop jobs", 200, models.BulkResult,
                                        body=models.BulkRequest)},
        "/jobs/{job_id}": {
            "get": op("Get a job", 200, models.Job, params=[JOB_ID], errors=(404, 409)),
            "delete": op("Delete a job (stopping it first)", 204, params=[JOB_ID],
                          errors=(404,)),
        },
        "/jobs/{job_id}/stop": {"post": op("Stop a job", 200, models.Job, params=[JOB_ID],
                                            errors=(404, 409))},
        "/jobs/{job_id}/rerun": {"post": op("Run a job again", 201, models.Job,
                                             body=models.JobRerun, params=[JOB_ID],
                                             errors=(404, 409))},
        "/jobs/{job_id}/outputs": {"get": op("List outputs", 200, models.OutputList,
                                              params=[JOB_ID], errors=(404, 409))},
        "/jobs/{job_id}/outputs/{name}": {"get": op(
            "Read one output file", 200, params=[JOB_ID, output_name, DOWNLOAD],
            errors=(400, 404, 409), also={"200": {
                "description": "The file, with its own media type (a notebook is "
                               "application/x-ipynb+json, an unknown type "
                               "application/octet-stream, text has charset=utf-8); only "
                               "types a browser shows safely are inline, the others are "
                               "attachments",
                "headers": FILE_HEADERS,
                "content": {"*/*": {}}}})},
        "/jobs/{job_id}/view": {"get": op(
            "The executed notebook as a read-only HTML page (no kernel, no script)", 200,
            params=[JOB_ID, DOWNLOAD], errors=(400, 404, 409), also={"200": {
                "description": "The page", "headers": FILE_HEADERS,
                "content": {"text/html": {"schema": {"type": "string"}}}}})},
        "/jobs/{job_id}/log": {"get": op(
            "Read the log", 200, models.LogChunk, errors=(400, 404, 409),
            params=[JOB_ID,
                    query_arg("offset", {"type": "integer", "minimum": 0, "maximum": 2**62},
                           "byte offset to read from (the `offset` of the previous chunk)"),
                    query_arg("tail", {"type": "integer", "minimum": 0, "maximum": 100_000},
                           "the last lines only (offset is then ignored)")])},
        "/environments": {"get": op("Kernels, formats, backends", 200, models.Environments,
                                     errors=())},
        "/parameters": {"get": op(
            "A notebook's parameters", 200, models.NotebookParameters,
            params=[{**query_arg("path", {"type": "string", "minLength": 1},
                              "notebook path relative to the server root"),
                     "required": True}])},
    }
