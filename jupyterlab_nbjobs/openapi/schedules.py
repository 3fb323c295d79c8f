"""The schedules, cron, sweeps and comparison paths."""

from __future__ import annotations

from typing import Any

from .. import models
from .parts import BOOLEAN_ARG, FILE_HEADERS, JOB_ID, SCHEDULE_ID, SWEEP_ID, op, query_arg


def schedule_paths() -> dict[str, Any]:
    sid, wid = [SCHEDULE_ID], [SWEEP_ID]
    return {
        "/schedules": {
            "get": op("List schedules", 200, models.ScheduleList, errors=()),
            "post": op("Create a schedule", 201, models.Schedule, body=models.ScheduleCreate),
        },
        "/schedules/{schedule_id}": {
            "get": op("Get a schedule (next fires, last runs)", 200, models.Schedule,
                       params=sid, errors=(404, 409)),
            "patch": op("Change any field", 200, models.Schedule, body=models.ScheduleUpdate,
                         params=sid, errors=(404, 409)),
            "delete": op("Delete a schedule", 204, errors=(400, 404, 409), params=[
                SCHEDULE_ID, query_arg("delete_runs", BOOLEAN_ARG, "delete its runs too")]),
        },
        "/schedules/{schedule_id}/pause": {"post": op("Pause", 200, models.Schedule,
                                                       params=sid, errors=(404, 409))},
        "/schedules/{schedule_id}/resume": {"post": op("Resume (missed fires are skipped)",
                                                        200, models.Schedule, params=sid,
                                                        errors=(404, 409))},
        "/schedules/{schedule_id}/run": {"post": op(
            "Run now, optionally with other parameters", 201, models.RunResult,
            body=models.ScheduleRunRequest, params=sid, errors=(404, 409))},
        "/schedules/{schedule_id}/refresh-snapshot": {"post": op(
            "Take the current version of the notebook", 200, models.Schedule, params=sid,
            errors=(400, 404, 409))},
        "/cron/validate": {"post": op("Describe a cron and list its next fires", 200,
                                       models.CronInfo, body=models.CronCheck)},
        "/sweeps": {
            "get": op("List sweeps", 200, models.SweepList, errors=()),
            "post": op("Create one job per combination", 201, models.Sweep,
                        body=models.SweepCreate),
        },
        "/sweeps/{sweep_id}": {
            "get": op("Get a sweep and its jobs' status", 200, models.Sweep, params=wid,
                       errors=(404, 409)),
            "delete": op("Stop and delete a sweep and its jobs", 204, params=wid,
                          errors=(404,)),
        },
        "/sweeps/{sweep_id}/stop": {"post": op("Stop the sweep's unfinished jobs", 200,
                                                models.Sweep, params=wid, errors=(404, 409))},
    }


# -- runs side by side, a job's outputs as one archive ----------------------------------------
def comparison_paths() -> dict[str, Any]:
    return {
        "/sweeps/{sweep_id}/comparison": {"get": op(
            "A sweep's runs side by side: parameters, status, duration, recorded values", 200,
            models.Comparison, params=[SWEEP_ID], errors=(404,))},
        "/schedules/{schedule_id}/comparison": {"get": op(
            "A schedule's runs (the newest 500) side by side", 200, models.Comparison,
            params=[SCHEDULE_ID], errors=(404,))},
        "/jobs/{job_id}/archive": {"get": op(
            "Every output of a job as one zip archive (a download)", 200, params=[JOB_ID],
            errors=(400, 404, 409), also={"200": {
                "description": "The archive: one folder named as the job's outputs folder",
                "headers": FILE_HEADERS,
                "content": {"application/zip": {"schema": {"type": "string",
                                                           "format": "binary"}}}}})},
    }
