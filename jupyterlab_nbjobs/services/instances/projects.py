"""ProjectService: projects, their people and settings, and who-am-I. Rights in rights.py."""

from __future__ import annotations

from typing import Any

from ...errors import Conflict
from ...models.projects import Me, MyProject, Project, ProjectCreate, ProjectUpdate
from ...store.aio import aio
from ...store.projects import ProjectStore
from . import rights
from .rights import Caller
from .service import InstanceService

SETTINGS = ("description", "stop_time", "timezone", "allow_owner_override", "suspended")


class ProjectService:
    def __init__(self, store: ProjectStore, instances: InstanceService):
        self.store = aio(store)
        self.instances = instances

    def answer(self, caller: Caller, row: dict[str, Any],
               statuses: list[str] | None = None) -> Project:
        return Project(**{k: row[k] for k in (
            "name", "description", "owners", "members", "suspended", "stop_time", "timezone",
            "allow_owner_override", "created_by", "created_at", "updated_at")},
            role=rights.project_role(caller, row),
            actions=rights.project_actions(caller, row, statuses))

    async def _statuses(self, row: dict[str, Any]) -> list[str]:
        if not row["suspended"]:
            return []  # delete is not offered anyway
        return list((await self.instances.live_statuses(row["name"])).values())

    async def me(self, caller: Caller, display_name: str) -> Me:
        projects: list[MyProject] = []
        if self.instances.enabled:
            roles = await self.store.roles_of(caller.username)
            rows = await self.store.list(None if caller.admin else list(roles))
            projects = [MyProject(name=r["name"], role=roles.get(r["name"], "admin"),
                                  suspended=r["suspended"]) for r in rows]
        return Me(username=caller.username, display_name=display_name or caller.username,
                  admin=caller.admin, projects=projects,
                  instances_enabled=self.instances.enabled)

    async def list(self, caller: Caller) -> list[Project]:
        self.instances.require_enabled()
        names = None if caller.admin else list(await self.store.roles_of(caller.username))
        return [self.answer(caller, r, await self._statuses(r))
                for r in await self.store.list(names)]

    async def get(self, caller: Caller, name: str) -> Project:
        self.instances.require_enabled()
        row = await self.instances.project(name)
        rights.require_project_read(caller, row)
        return self.answer(caller, row, await self._statuses(row))

    async def create(self, caller: Caller, request: ProjectCreate) -> Project:
        self.instances.require_enabled()
        rights.require_admin(caller, "create projects")
        values = request.model_dump(exclude={"owners", "members"})
        row = await self.store.insert({**values, "suspended": False,
                                       "created_by": caller.username},
                                      request.owners, request.members)
        return self.answer(caller, row, [])

    async def update(self, caller: Caller, name: str, patch: ProjectUpdate) -> Project:
        self.instances.require_enabled()
        row = await self.instances.project(name)
        fields = set(patch.model_fields_set)
        rights.require_project_change(caller, row, fields)
        values = {k: getattr(patch, k) for k in SETTINGS if k in fields}
        for key in ("description", "timezone", "allow_owner_override", "suspended"):
            if key in values and values[key] is None:
                values.pop(key)  # null for a field that cannot be null: leave it as it is
        owners = patch.owners if "owners" in fields else None
        members = patch.members if "members" in fields else None
        await self.store.update(name, values, owners, members)
        new = await self.instances.project(name)
        if values.get("suspended") and not row["suspended"]:
            await self.instances.stop_running(name)  # suspending stops what runs
        removed = (set(row["owners"]) | set(row["members"])) - \
            (set(new["owners"]) | set(new["members"]))
        for user in sorted(removed):  # someone who left the project: their instances stop
            await self.instances.stop_running(name, owner=user)
        if {"stop_time", "timezone", "allow_owner_override"} & set(values):
            await self.instances.rearm_project(new)
        return self.answer(caller, new, await self._statuses(new))

    async def delete(self, caller: Caller, name: str) -> None:
        self.instances.require_enabled()
        row = await self.instances.project(name)
        rights.require_admin(caller, "delete projects")
        if not row["suspended"]:
            raise Conflict(f"suspend project {name!r} before deleting it",
                           reason="invalid_state")
        statuses = await self.instances.live_statuses(name)
        busy = sorted(n for n, s in statuses.items() if s not in ("Stopped", "Failed"))
        if busy:
            raise Conflict(f"instances still not Stopped or Failed: {', '.join(busy)}",
                           reason="invalid_state")
        await self.instances.remove_project_instances(name)
        await self.store.delete(name)
