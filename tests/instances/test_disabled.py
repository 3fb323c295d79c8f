"""With c.NotebookInstances.enabled off (the default), the server manages no instances."""

from __future__ import annotations

import pytest


@pytest.fixture
def instances_extra():
    return {"enabled": False}


async def test_disabled_feature_answers_404_and_me_says_so(as_):
    api = as_("alice")
    code, me = await api.get("me")
    assert code == 200 and me["instances_enabled"] is False and me["projects"] == []
    assert me["username"] == "alice" and me["admin"] is False
    for route in ("projects", "instances", "instances/nb", "projects/p", "instances/nb/logs"):
        code, body = await api.get(route)
        assert code == 404 and body["reason"] == "instances_disabled", (route, body)
    code, body = await api.post("instances", {"name": "nb", "project": "p"})
    assert code == 404 and body["reason"] == "instances_disabled", body
