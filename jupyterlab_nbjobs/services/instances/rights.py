"""Every right of projects and notebook instances, decided in one place.

The handlers pass the caller (from jupyter_server's current_user, never the request); the
services call `require_*` before acting and `*_actions` to tell the client what it may do now,
so the UI is never offered a button the server would refuse.

| instance action                      | its owner | project owner | admin | other member |
|--------------------------------------|-----------|---------------|-------|--------------|
| start, open (presigned URL)          | yes       | no            | no    | no           |
| stop, update, delete, set_stop_time  | yes       | yes           | yes   | no           |
| read, logs                           | yes       | yes           | yes   | yes          |

A suspended project leaves its owners and admins read, logs, stop and delete, and its members
nothing (403 project_suspended). An instance's owner has its owner rights only while still in
the project (or an admin). States: start/delete/update need Stopped or Failed, stop InService,
open InService (409 invalid_state); set_stop_time needs the project to allow overrides (403
override_not_allowed). The instance's project comes from its own record, never the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...errors import Conflict, Forbidden
from ...models.instances import INSTANCE_ACTIONS

OWNER_ONLY = frozenset({"start", "open"})
MANAGE = frozenset({"stop", "update", "delete", "set_stop_time"})
READ = frozenset({"read", "logs"})
WHILE_SUSPENDED = frozenset({"read", "logs", "stop", "delete"})
STATES: dict[str, frozenset[str]] = {
    "start": frozenset({"Stopped", "Failed"}),
    "delete": frozenset({"Stopped", "Failed"}),
    "update": frozenset({"Stopped", "Failed"}),
    "stop": frozenset({"InService"}),
    "open": frozenset({"InService"}),
}


@dataclass(frozen=True)
class Caller:
    username: str
    admin: bool = False
    groups: tuple[str, ...] = field(default=())


def caller_from(user: Any, admins: list[str], admin_groups: list[str]) -> Caller:
    """A Caller from jupyter_server's current_user (JupyterHub's carries `hub_user.groups`)."""
    username = getattr(user, "username", None) or ""
    hub = getattr(user, "hub_user", None) or {}
    groups = tuple(hub.get("groups") or ()) if isinstance(hub, dict) else ()
    admin = username in admins or bool(set(groups) & set(admin_groups))
    return Caller(username=username, admin=admin, groups=groups)


class ProjectSuspended(Forbidden):
    reason = "project_suspended"


class OverrideNotAllowed(Forbidden):
    reason = "override_not_allowed"


class InvalidState(Conflict):
    reason = "invalid_state"


# -- projects ------------------------------------------------------------------------------
def project_role(caller: Caller, project: dict[str, Any]) -> str | None:
    if caller.username in project["owners"]:
        return "owner"
    if caller.username in project["members"]:
        return "member"
    return "admin" if caller.admin else None


def project_actions(caller: Caller, project: dict[str, Any],
                    instance_statuses: list[str] | None = None) -> list[str]:
    """update, manage_members, manage_owners, suspend, delete: what the caller may do now.
    delete needs the project suspended and every instance Stopped or Failed (as last seen)."""
    role = project_role(caller, project)
    if not caller.admin and role != "owner":
        return []
    actions = ["update", "manage_members"]
    if caller.admin:
        actions.append("manage_owners")
    actions.append("suspend")
    if caller.admin and project["suspended"] and all(
            s in ("Stopped", "Failed") for s in instance_statuses or []):
        actions.append("delete")
    return actions


def require_project_read(caller: Caller, project: dict[str, Any]) -> None:
    if project_role(caller, project) is None:
        raise Forbidden(f"you are not in project {project['name']!r}")


def require_project_change(caller: Caller, project: dict[str, Any], fields: set[str]) -> None:
    allowed = set(project_actions(caller, project, []))
    if not allowed:
        raise Forbidden(f"only the owners of project {project['name']!r} and admins may "
                        "change it")
    if "owners" in fields and "manage_owners" not in allowed:
        raise Forbidden("only admins may change a project's owners", field="owners")


def require_admin(caller: Caller, what: str) -> None:
    if not caller.admin:
        raise Forbidden(f"only admins may {what}")


def require_create(caller: Caller, project: dict[str, Any]) -> None:
    if project_role(caller, project) is None:
        raise Forbidden(f"you are not in project {project['name']!r}", field="project")
    if project["suspended"]:
        raise ProjectSuspended(f"project {project['name']!r} is suspended", field="project")


# -- instances -----------------------------------------------------------------------------
def instance_rights(caller: Caller, project: dict[str, Any],
                    instance: dict[str, Any]) -> frozenset[str]:
    """The actions the caller's position allows, whatever the instance's state."""
    role = project_role(caller, project)
    if role is None:
        return frozenset()
    is_owner = instance["owner"] == caller.username
    rights: set[str] = set(READ)
    if is_owner:
        rights |= OWNER_ONLY | MANAGE
    if role in ("owner", "admin") or caller.admin:
        rights |= MANAGE
    if project["suspended"]:
        if role == "member" and not caller.admin:
            return frozenset()
        rights &= WHILE_SUSPENDED
    return frozenset(rights)


def instance_actions(caller: Caller, project: dict[str, Any], instance: dict[str, Any],
                     status: str) -> list[str]:
    rights = instance_rights(caller, project, instance)
    out = []
    for action in INSTANCE_ACTIONS:
        if action not in rights:
            continue
        if action in STATES and status not in STATES[action]:
            continue
        if action == "set_stop_time" and (not project["allow_owner_override"]
                                          or status == "Deleting"):
            continue
        out.append(action)
    return out


def require_instance(caller: Caller, project: dict[str, Any], instance: dict[str, Any],
                     action: str, status: str | None = None) -> None:
    """403 if the caller may not take `action`; then 409 if `status` does not allow it."""
    rights = instance_rights(caller, project, instance)
    if action not in rights:
        if project["suspended"] and project_role(caller, project) is not None:
            raise ProjectSuspended(f"project {project['name']!r} is suspended")
        if action in OWNER_ONLY:
            raise Forbidden(f"only the instance's owner ({instance['owner']}) may {action} it")
        if project_role(caller, project) is None:
            raise Forbidden(f"you are not in project {project['name']!r}")
        raise Forbidden(f"only the instance's owner, the project's owners and admins may "
                        f"{action.replace('_', ' ')} it")
    if action == "set_stop_time" and not project["allow_owner_override"]:
        raise OverrideNotAllowed(f"project {project['name']!r} does not allow its instances "
                                 "their own stop time", field="stop_time")
    if status is not None and action in STATES and status not in STATES[action]:
        allowed = " or ".join(sorted(STATES[action]))
        raise InvalidState(f"cannot {action} instance {instance['name']!r} while it is "
                           f"{status} (only when {allowed})")
