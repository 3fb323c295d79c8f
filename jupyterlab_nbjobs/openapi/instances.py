"""The notebook instances and projects paths."""

from __future__ import annotations

from typing import Any

from .. import models
from .parts import BOOLEAN_ARG, op, path_arg, query_arg

PROJECT_NAME, INSTANCE_NAME = path_arg("project_name"), path_arg("instance_name")


def instance_paths() -> dict[str, Any]:
    """Projects, notebook instances and who-am-I. Every instance operation may answer 404 when
    the server does not manage instances (c.NotebookInstances.enabled), and 502 when AWS fails."""
    aws = (404, 502)
    pid, iid = [PROJECT_NAME], [INSTANCE_NAME]
    project_arg = query_arg("project", {"type": "string",
                                        "pattern": models.projects.PROJECT_NAME_PATTERN},
                            "a project's name")
    iso = {"type": "string", "minLength": 1}
    return {
        "/me": {"get": op("Who am I: user, admin flag, projects and roles", 200, models.Me,
                           errors=())},
        "/projects": {
            "get": op("List projects (admins: all; others: theirs)", 200, models.ProjectList,
                       errors=(404,)),
            "post": op("Create a project (admins)", 201, models.Project,
                        body=models.ProjectCreate, errors=(404, 409)),
        },
        "/projects/{project_name}": {
            "get": op("Get a project", 200, models.Project, params=pid, errors=(404,)),
            "patch": op("Change a project's settings, members or owners", 200, models.Project,
                         body=models.ProjectUpdate, params=pid, errors=(404, 409, 502)),
            "delete": op("Delete a suspended project whose instances are all Stopped or "
                          "Failed", 204, params=pid, errors=(404, 409, 502)),
        },
        "/instances": {
            "get": op("List instances of the caller's projects", 200, models.InstanceList,
                       params=[project_arg, query_arg("mine", BOOLEAN_ARG,
                                                   "only the caller's own")],
                       errors=(400, *aws)),
            "post": op("Create an instance (status Pending)", 201, models.Instance,
                        body=models.InstanceCreate, errors=(*aws, 409)),
        },
        "/instances/options": {"get": op(
            "The create form's choices for a project", 200, models.InstanceOptions,
            params=[{**project_arg, "required": True}], errors=(400, *aws))},
        "/instances/{instance_name}": {
            "get": op("Get an instance", 200, models.Instance, params=iid, errors=aws),
            "patch": op("Change an instance (Stopped or Failed; stop_time at any time)", 200,
                         models.Instance, body=models.InstanceUpdate, params=iid,
                         errors=(*aws, 409)),
            "delete": op("Delete a Stopped or Failed instance", 202, models.Instance,
                          params=iid, errors=(*aws, 409)),
        },
        "/instances/{instance_name}/start": {"post": op(
            "Start a Stopped or Failed instance (its owner only)", 202, models.Instance,
            params=iid, errors=(*aws, 409))},
        "/instances/{instance_name}/stop": {"post": op(
            "Stop an InService instance", 202, models.Instance, params=iid,
            errors=(*aws, 409))},
        "/instances/{instance_name}/url": {"get": op(
            "A presigned URL that opens JupyterLab (its owner only; valid 5 minutes)", 200,
            models.InstanceUrl, params=iid, errors=(*aws, 409))},
        "/instances/{instance_name}/logs": {"get": op(
            "CloudWatch log events of the instance, newest page first", 200, models.LogPage,
            params=[INSTANCE_NAME,
                    query_arg("start", iso, "ISO 8601 date-time: no events before"),
                    query_arg("end", iso, "ISO 8601 date-time: no events at or after"),
                    query_arg("cursor", {"type": "string", "minLength": 1},
                           "next_cursor of the previous page (older events)"),
                    query_arg("limit", {"type": "integer", "minimum": 1, "maximum": 1000},
                           "events per page (default 100)")],
            errors=(400, *aws))},
    }
