"""Projects and instances set up through the API, in the states a test needs."""

from __future__ import annotations

from tests.instances.conftest import ADMIN, UserApi, settle

PROJECT = "vision"
OWNER, PROJECT_OWNER, MEMBER, OUTSIDER = "alice", "olga", "bob", "eve"
GROUP_ADMIN = "gina"  # an admin through the JupyterHub group "platform"


async def make_project(as_, name: str = PROJECT, **fields) -> dict:
    body = {"name": name, "owners": [PROJECT_OWNER], "members": [OWNER, MEMBER],
            "stop_time": "18:00", "timezone": "Europe/Paris", **fields}
    code, project = await as_(ADMIN).post("projects", body)
    assert code == 201, project
    return project


async def make_instance(api: UserApi, fake, name: str, status: str = "InService",
                        project: str = PROJECT, **fields) -> dict:
    """Create `name` as `api`'s user and bring it to `status` (through the fake's passing
    states for InService/Stopped, forced for the others)."""
    code, inst = await api.post("instances", {"name": name, "project": project, **fields})
    assert code == 201, inst
    await settle(api, name, "InService")
    if status == "InService":
        return inst
    if status == "Stopped":
        code, body = await api.post(f"instances/{name}/stop")
        assert code == 202, body
        return await settle(api, name, "Stopped")
    fake.set_status(name, status, "disk full" if status == "Failed" else None)
    return inst
