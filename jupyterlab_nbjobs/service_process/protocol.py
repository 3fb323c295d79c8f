"""What the server and its service process tell each other.

The server starts `python -m jupyterlab_nbjobs.service_process` and writes one JSON line on
its stdin: the settings (`Spec`). The process answers one JSON line on stdout when it serves
(`{"ready": true}`) or why it could not (`{"error": ...}`), then serves HTTP on a Unix socket
that only this user can open. The server keeps the stdin pipe open: when it closes (the
server stops, or dies) the process stops too.

Each request the server forwards carries who the user is and what jupyter_server's
authorizer lets them do, both decided in the server (`USER_HEADER`, `ALLOWED_HEADER`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from typing import Any

USER_HEADER = "X-NbJobs-User"
ALLOWED_HEADER = "X-NbJobs-Allowed"

# Every action the handlers ask jupyter_server's authorizer about on resource "nbjobs":
# the method's default (read for GET, write for POST, PUT, PATCH, DELETE) and "delete".
ACTIONS = ("read", "write", "execute", "delete")


@dataclass
class Spec:
    """What the service process needs from the server to build what the server would."""

    config: dict[str, Any]  # the server's traitlets config, as JSON (`config_to_json`)
    root_dir: str
    default_kernel: str
    socket: str
    log_level: int
    headers: dict[str, str]  # the server's tornado_settings["headers"] (its CSP among them)
    csp_report_uri: str
    cwd: str = ""  # the server's: relative paths in the settings mean the same there
    warm_first: bool = False  # the request that starts it creates a job, or opens the form


# Requests (method, path under /nbjobs/) after which a job is likely: the process that one of
# them starts starts the local warm pool first, while it imports the rest.
ANNOUNCES_A_JOB = re.compile(r"POST (jobs|jobs/[^/]+/rerun|schedules/[^/]+/run|sweeps)"
                             r"|GET parameters")


def announces_a_job(method: str, path: str) -> bool:
    return ANNOUNCES_A_JOB.fullmatch(f"{method} {path.split('?', 1)[0].strip('/')}") is not None


class NotPortable(ValueError):
    """A setting the service process needs cannot be carried to it as JSON."""


def config_to_json(config: dict[str, Any], needed: set[str],
                   only: dict[str, set[str]] | None = None) -> dict[str, Any]:
    """The sections of a traitlets config that can be carried as JSON. A section in `needed`
    that cannot raises NotPortable; another is left out (the service process does not read
    the server's own settings, only those of the classes it builds). `only`: the names
    carried of a section that other classes read too (c.NbJobsApp also holds the server's
    ExtensionApp settings, which the process neither reads nor should warn about)."""
    out: dict[str, Any] = {}
    for section, values in config.items():
        keep = (only or {}).get(section)
        if keep is not None and isinstance(values, dict):
            values = {name: value for name, value in values.items() if name in keep}
        try:
            out[section] = _portable(values, f"c.{section}")
        except NotPortable:
            if section in needed:
                raise
    return out


# A value from the command line is kept as text until the trait it sets parses it.
DEFERRED = "__nbjobs_deferred__"
# c.X.y.append(...) and friends: applied to the trait's value in the process, as here.
LAZY = "__nbjobs_lazy__"


def _portable(value: Any, where: str) -> Any:
    from traitlets.config.loader import (
        DeferredConfigList,
        DeferredConfigString,
        LazyConfigValue,
    )

    if isinstance(value, LazyConfigValue):
        return {LAZY: _portable(value.to_dict(), where)}
    if isinstance(value, DeferredConfigString):
        return {DEFERRED: str(value)}
    if isinstance(value, DeferredConfigList):
        return {DEFERRED: list(value)}
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        return {str(k): _portable(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_portable(v, f"{where}[]") for v in value]
    if isinstance(value, type):  # a Type trait takes the import name as well
        return f"{value.__module__}.{value.__qualname__}"
    raise NotPortable(f"{where} ({type(value).__name__}) cannot be passed to the service "
                      "process")


def config_from_json(data: dict[str, Any]) -> Any:
    """The traitlets Config that `config_to_json` carried."""
    from traitlets.config import Config
    from traitlets.config.loader import DeferredConfigList, DeferredConfigString

    def restore(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {LAZY}:
                return _lazy(value[LAZY])
            if set(value) == {DEFERRED}:
                text = value[DEFERRED]
                return (DeferredConfigString(text) if isinstance(text, str)
                        else DeferredConfigList(text))
            return {k: restore(v) for k, v in value.items()}
        if isinstance(value, list):
            return [restore(v) for v in value]
        return value

    return Config(restore(data))


def _lazy(ops: dict[str, Any]) -> Any:
    from traitlets.config.loader import LazyConfigValue

    value = LazyConfigValue()
    for index, item in ops.get("inserts", []):
        value.insert(index, item)
    value.prepend(ops.get("prepend", []))
    value.extend(ops.get("extend", []))
    if ops.get("update"):  # a set arrives as a list, a dict as a dict
        value.update(ops["update"])
    return value


def user_to_json(user: Any) -> str:
    """jupyter_server's User (its dataclass fields), with JupyterHub's `hub_user` groups."""
    from jupyter_server.auth import User

    data = {f.name: getattr(user, f.name, None) for f in fields(User)}
    hub = getattr(user, "hub_user", None)
    if isinstance(hub, dict):
        data["hub_user"] = {"name": hub.get("name"), "groups": list(hub.get("groups") or ())}
    return json.dumps(data)


def user_from_json(text: str) -> Any:
    from jupyter_server.auth import User

    data = json.loads(text)
    known = {f.name for f in fields(User)}
    user = User(**{k: v for k, v in data.items() if k in known})
    if "hub_user" in data:
        user.hub_user = data["hub_user"]  # what rights.caller_from reads for groups
    return user
