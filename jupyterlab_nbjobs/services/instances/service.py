"""InstanceService: a project's SageMaker notebook instances, with every right checked here
(rights.py) before AWS is called. AWS is the truth for an instance's status; our record holds
its owner, project, settings and next daily stop. Every boto3 call runs in a worker thread."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ...aws.tags import TagPolicy
from ...errors import InvalidRequest, NotFound
from ...models.instances import (
    RESERVED_INSTANCE_NAMES,
    Instance,
    InstanceCreate,
    InstanceOptions,
    InstanceUpdate,
    InstanceUrl,
    LogPage,
)
from ...store.aio import aio
from ...store.instances import InstanceStore
from ...store.projects import ProjectStore
from ...store.tables import utcnow
from . import logs, rights
from .config import NotebookInstances
from .options import build_options
from .provision import provision, reprovision
from .rights import Caller
from .stoptime import next_stop_at

if TYPE_CHECKING:  # boto3 loads only when the feature is on
    from ...aws.notebooks import NotebookAws

log = logging.getLogger(__name__)
URL_VALID = timedelta(minutes=5)  # how long SageMaker's presigned URL works
LIST_GRACE = timedelta(seconds=60)  # a new instance may not be listed by AWS at once


class InstancesDisabled(NotFound):
    reason = "instances_disabled"


class InstanceService:
    def __init__(self, config: NotebookInstances, instances: InstanceStore,
                 projects: ProjectStore, aws: NotebookAws | None,
                 clock: Callable[[], datetime] = utcnow):
        self.config = config
        self.store = aio(instances)
        self.projects = aio(projects)
        self.aws = aws
        self.clock = clock
        self.listeners: list[Callable[[], None]] = []  # told when a next stop may have moved

    # -- plumbing --------------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return self.config.enabled and self.aws is not None

    def require_enabled(self) -> None:
        if not self.enabled:
            raise InstancesDisabled("this server does not manage notebook instances "
                                    "(c.NotebookInstances.enabled)")

    def caller(self, user: Any) -> Caller:
        return rights.caller_from(user, self.config.admins, self.config.admin_groups)

    async def _aws(self, method: Callable, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(method, *args, **kwargs)

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()

    async def project(self, name: str) -> dict[str, Any]:
        found = await self.projects.get(name)
        if found is None:
            raise NotFound(f"no project {name!r}", field="project")
        return found

    async def _record(self, name: str) -> dict[str, Any]:
        found = await self.store.get(name)
        if found is None:
            raise NotFound(f"no instance {name!r}")
        return found

    async def _live(self, row: dict[str, Any]) -> dict[str, Any]:
        """The row with AWS's current status (recorded when it changed). An instance AWS no
        longer has is gone if we deleted it (404), else Failed."""
        found = await self._aws(self.aws.describe, row["name"])
        if found is None:
            if row["status"] == "Deleting":
                await self.store.delete(row["name"])
                raise NotFound(f"no instance {row['name']!r} (deleted)")
            status, reason = "Failed", "the instance no longer exists in SageMaker"
        else:
            status, reason = found["NotebookInstanceStatus"], found.get("FailureReason")
        return await self._note(row, status, reason)

    async def _note(self, row: dict[str, Any], status: str, reason: str | None) -> dict:
        if (row["status"], row["failure_reason"]) != (status, reason):
            await self.store.update(row["name"], status=status, failure_reason=reason)
            row = {**row, "status": status, "failure_reason": reason}
        return row

    def effective_stop_time(self, project: dict[str, Any], row: dict[str, Any]) -> str | None:
        if row["stop_time_override"] and project["allow_owner_override"]:
            return row["stop_time_override"]
        return project["stop_time"]

    def next_stop(self, project: dict[str, Any], row: dict[str, Any]) -> datetime | None:
        return next_stop_at(self.effective_stop_time(project, row), project["timezone"],
                            self.clock())

    def answer(self, caller: Caller, project: dict[str, Any], row: dict[str, Any]) -> Instance:
        return Instance(
            name=row["name"], project=row["project"], owner=row["owner"], status=row["status"],
            failure_reason=row["failure_reason"], instance_type=row["instance_type"],
            volume_size_gb=row["volume_size_gb"], lifecycle_config=row["lifecycle_config"],
            emr_cluster_id=row["emr_cluster_id"],
            stop_time=self.effective_stop_time(project, row),
            stop_time_overridden=bool(row["stop_time_override"]),
            timezone=project["timezone"], next_stop_at=row["next_stop_at"],
            idle_stop_minutes=self.config.idle_stop_minutes or None, arn=row["arn"],
            created_at=row["created_at"], updated_at=row["updated_at"],
            actions=rights.instance_actions(caller, project, row, row["status"]))

    async def _guarded(self, caller: Caller, name: str, action: str,
                       live: bool = True) -> tuple[dict, dict]:
        """(project, row) after the rights check (403) and, with `live`, the state check
        against AWS's status (409)."""
        self.require_enabled()
        row = await self._record(name)
        project = await self.project(row["project"])  # the record's project, never the request's
        rights.require_instance(caller, project, row, action)
        if live:
            row = await self._live(row)
            rights.require_instance(caller, project, row, action, row["status"])
        return project, row

    # -- reads -----------------------------------------------------------------------------
    async def list(self, caller: Caller, project: str | None = None,
                   mine: bool = False) -> list[Instance]:
        self.require_enabled()
        if project is not None:
            rights.require_project_read(caller, await self.project(project))
        roles = await self.projects.roles_of(caller.username)
        visible = None if caller.admin else list(roles)
        if project is not None:
            visible = [project]
        rows = await self.store.list(visible, caller.username if mine else None)
        if not rows:
            return []
        listed = await self._aws(self.aws.list_statuses)
        projects = {p["name"]: p for p in await self.projects.list(
            sorted({r["project"] for r in rows}))}
        out = []
        for row in rows:
            item = listed.get(row["name"])
            if item is not None:
                row = await self._note(row, item["NotebookInstanceStatus"],
                                       row["failure_reason"] if item["NotebookInstanceStatus"]
                                       == "Failed" else None)
            elif row["status"] == "Deleting":
                await self.store.delete(row["name"])
                continue
            elif self.clock() - row["created_at"] > LIST_GRACE:
                row = await self._note(row, "Failed", "the instance no longer exists in "
                                                      "SageMaker")
            project_row = projects.get(row["project"])
            if project_row is None or not rights.instance_rights(caller, project_row, row):
                continue  # e.g. a suspended project's member sees nothing of it
            out.append(self.answer(caller, project_row, row))
        return out

    async def get(self, caller: Caller, name: str) -> Instance:
        project, row = await self._guarded(caller, name, "read")
        return self.answer(caller, project, row)

    async def url(self, caller: Caller, name: str) -> InstanceUrl:
        _, row = await self._guarded(caller, name, "open")
        url = await self._aws(self.aws.presigned_url, name, self.config.presigned_url_seconds)
        url += ("&" if "?" in url else "?") + "view=lab"
        return InstanceUrl(url=url, expires_at=self.clock() + URL_VALID)

    async def logs(self, caller: Caller, name: str, start: datetime | None,
                   end: datetime | None, cursor: str | None, limit: int) -> LogPage:
        await self._guarded(caller, name, "logs", live=False)
        if start and end and start >= end:
            raise InvalidRequest("start must be before end", field="start")
        return await self._aws(logs.read_page, self.aws, self.config.log_group, name, start,
                               end, cursor, limit)

    async def options(self, caller: Caller, project_name: str) -> InstanceOptions:
        self.require_enabled()
        project = await self.project(project_name)
        rights.require_create(caller, project)
        return await build_options(self, project)

    # -- changes ---------------------------------------------------------------------------
    def check_instance_type(self, value: str) -> None:
        from ...aws.notebooks import notebook_instance_types

        if value not in self.config.instance_types or value not in notebook_instance_types():
            raise InvalidRequest(f"instance type {value!r} is not offered here (choose one of "
                                 f"{', '.join(self.config.instance_types)})",
                                 reason="invalid_instance_type", field="instance_type")

    def tags(self, project: str, owner: str) -> list[dict[str, str]]:
        return TagPolicy(project=project, system=self.config.tag_system, user=owner,
                         extra=dict(self.config.extra_tags)).as_list()

    async def create(self, caller: Caller, request: InstanceCreate) -> Instance:
        self.require_enabled()
        if request.name in RESERVED_INSTANCE_NAMES:
            raise InvalidRequest(f"{request.name!r} is reserved; choose another name",
                                 field="name")
        project = await self.project(request.project)
        rights.require_create(caller, project)
        self.check_instance_type(request.instance_type)
        if request.stop_time is not None and not project["allow_owner_override"]:
            raise rights.OverrideNotAllowed(
                f"project {project['name']!r} does not allow its instances their own stop "
                "time", field="stop_time")
        row = await self.store.insert({
            "name": request.name, "project": project["name"], "owner": caller.username,
            "instance_type": request.instance_type, "volume_size_gb": request.volume_size_gb,
            "lifecycle_config": request.lifecycle_config,
            "emr_cluster_id": request.emr_cluster_id, "stop_time_override": request.stop_time,
            "status": "Pending", "failure_reason": None})
        try:
            row = await provision(self, project, row)
        except BaseException:
            await self.store.delete(request.name)
            raise
        self._changed()
        return self.answer(caller, project, row)

    async def update(self, caller: Caller, name: str, patch: InstanceUpdate) -> Instance:
        fields = patch.model_fields_set
        settings = fields - {"stop_time"}
        if "stop_time" in fields:
            project, row = await self._guarded(caller, name, "set_stop_time", live=False)
        if settings:
            project, row = await self._guarded(caller, name, "update")
        if not fields:
            project, row = await self._guarded(caller, name, "read")
        if "stop_time" in fields and patch.stop_time is not None \
                and not project["allow_owner_override"]:
            raise rights.OverrideNotAllowed("the project does not allow its instances their "
                                            "own stop time", field="stop_time")
        if settings:
            row = await reprovision(self, project, row, patch, settings)
        if "stop_time" in fields:
            row = {**row, "stop_time_override": patch.stop_time}
            await self.store.update(name, stop_time_override=patch.stop_time,
                                    next_stop_at=self.next_stop(project, row))
            row = await self._record(name)
            self._changed()
        return self.answer(caller, project, row)

    async def start(self, caller: Caller, name: str) -> Instance:
        project, row = await self._guarded(caller, name, "start")
        await self._aws(self.aws.start, name)
        row = await self._note(row, "Pending", None)
        return self.answer(caller, project, row)

    async def stop(self, caller: Caller, name: str) -> Instance:
        project, row = await self._guarded(caller, name, "stop")
        await self._aws(self.aws.stop, name)
        row = await self._note(row, "Stopping", None)
        return self.answer(caller, project, row)

    async def delete(self, caller: Caller, name: str) -> Instance:
        project, row = await self._guarded(caller, name, "delete")
        row = await self._remove(row)
        return self.answer(caller, project, row)

    async def _remove(self, row: dict[str, Any]) -> dict[str, Any]:
        await self._aws(self.aws.delete, row["name"])
        if row["own_lifecycle_config"]:
            await self._aws(self.aws.delete_lifecycle_config, row["own_lifecycle_config"])
        await self.store.update(row["name"], next_stop_at=None)
        return await self._note({**row, "next_stop_at": None}, "Deleting", None)

    # -- for projects and the loops ----------------------------------------------------------
    async def rearm_project(self, project: dict[str, Any]) -> None:
        """A project's stop time or zone changed: instances that follow it move."""
        rows = await self.store.list([project["name"]])
        await self.store.set_next_stops({r["name"]: self.next_stop(project, r) for r in rows
                                         if r["status"] != "Deleting"})
        self._changed()

    async def stop_running(self, project: str, owner: str | None = None) -> list[str]:
        """Stop the project's InService instances (of `owner` only, when given)."""
        rows = await self.store.list([project], owner)
        if not rows:
            return []
        listed = await self._aws(self.aws.list_statuses)
        stopped = []
        for row in rows:
            if listed.get(row["name"], {}).get("NotebookInstanceStatus") == "InService":
                await self._aws(self.aws.stop, row["name"])
                await self._note(row, "Stopping", None)
                stopped.append(row["name"])
        return stopped

    async def live_statuses(self, project: str) -> dict[str, str]:
        rows = await self.store.list([project])
        if not rows:
            return {}
        listed = await self._aws(self.aws.list_statuses)
        return {r["name"]: listed.get(r["name"], {}).get("NotebookInstanceStatus", "Failed")
                for r in rows}

    async def remove_project_instances(self, project: str) -> None:
        for row in await self.store.list([project]):
            found = await self._aws(self.aws.describe, row["name"])
            if found is not None:
                # One already on its way out (deleted earlier, still Deleting in SageMaker)
                # takes no second delete: SageMaker refuses that in this state.
                if found["NotebookInstanceStatus"] != "Deleting":
                    await self._remove(row)
            elif row["own_lifecycle_config"]:
                await self._aws(self.aws.delete_lifecycle_config, row["own_lifecycle_config"])
            await self.store.delete(row["name"])

    async def auto_stop(self, name: str) -> str:
        """Stop `name` if it is InService: stopped, not_running or gone."""
        found = await self._aws(self.aws.describe, name)
        if found is None:
            return "gone"
        if found["NotebookInstanceStatus"] != "InService":
            return "not_running"
        await self._aws(self.aws.stop, name)
        row = await self.store.get(name)
        if row is not None:
            await self._note(row, "Stopping", None)
        return "stopped"
