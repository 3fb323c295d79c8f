"""Every handler is authenticated and authorized on the resource `nbjobs`."""

from __future__ import annotations

import re

import pytest
from jupyter_server.auth.authorizer import Authorizer
from traitlets.config import Config

from jupyterlab_nbjobs.handlers import all_routes

ROUTES = [
    ("GET", "jobs"), ("POST", "jobs"), ("GET", "jobs/abc"), ("DELETE", "jobs/abc"),
    ("POST", "jobs/abc/stop"), ("POST", "jobs/abc/rerun"), ("POST", "jobs/bulk/delete"),
    ("POST", "jobs/bulk/stop"), ("GET", "jobs/abc/outputs"), ("GET", "jobs/abc/outputs/x"),
    ("GET", "jobs/abc/log"), ("GET", "jobs/abc/view"), ("GET", "environments"),
    ("GET", "parameters"),
    ("GET", "schedules"), ("POST", "schedules"), ("GET", "schedules/abc"),
    ("PATCH", "schedules/abc"), ("DELETE", "schedules/abc"), ("POST", "schedules/abc/pause"),
    ("POST", "schedules/abc/resume"), ("POST", "schedules/abc/run"),
    ("POST", "schedules/abc/refresh-snapshot"), ("POST", "cron/validate"),
    ("GET", "sweeps"), ("POST", "sweeps"), ("GET", "sweeps/abc"), ("DELETE", "sweeps/abc"),
    ("POST", "sweeps/abc/stop"),
    ("GET", "jobs/abc/archive"), ("GET", "sweeps/abc/comparison"),
    ("GET", "schedules/abc/comparison"),
    ("GET", "me"), ("GET", "projects"), ("POST", "projects"), ("GET", "projects/abc"),
    ("PATCH", "projects/abc"), ("DELETE", "projects/abc"), ("GET", "instances"),
    ("POST", "instances"), ("GET", "instances/options"), ("GET", "instances/abc"),
    ("PATCH", "instances/abc"), ("DELETE", "instances/abc"), ("POST", "instances/abc/start"),
    ("POST", "instances/abc/stop"), ("GET", "instances/abc/url"), ("GET", "instances/abc/logs"),
]


READ_ONLY_POSTS = {"cron/validate"}


class ReadOnlyAuthorizer(Authorizer):
    seen: list[tuple[str, str]] = []

    def is_authorized(self, handler, user, action, resource):
        ReadOnlyAuthorizer.seen.append((action, resource))
        return action == "read"


def test_every_route_is_covered_here():
    """A new route must be added to ROUTES so that the auth tests reach it."""
    for pattern, _handler in all_routes("/nbjobs"):
        assert any(re.fullmatch(pattern, f"/nbjobs/{p}") for _, p in ROUTES), pattern


async def test_no_token_is_refused(api):
    for method, path in ROUTES:
        body = "{}" if method in ("POST", "PATCH") else None
        resp = await api.fetch("nbjobs", *path.split("/"), method=method, body=body,
                               raise_error=False, headers={"Authorization": "token wrong"})
        assert resp.code == 403, (method, path, resp.code)


class TestReadOnly:
    @pytest.fixture
    def jp_server_config(self, nbjobs_config):
        return Config({
            "ServerApp": {
                "jpserver_extensions": {"jupyterlab_nbjobs": True},
                "allow_unauthenticated_access": False,
                "authorizer_class": ReadOnlyAuthorizer,
            },
            "NbJobsApp": nbjobs_config,
        })

    async def test_read_only_user_cannot_change_anything(self, api, notebook):
        ReadOnlyAuthorizer.seen.clear()
        code, _ = await api.get("jobs")
        assert code == 200
        code, _ = await api.get("environments")
        assert code == 200
        nb = notebook("x.ipynb", "x = 1")
        code, checked = await api.post("cron/validate", {"cron": "0 9 * * 1", "timezone": "UTC"})
        assert code == 200 and checked["next_fire_times"], "validating a cron changes nothing"
        for method, path in ROUTES:
            if method == "GET" or path in READ_ONLY_POSTS:
                continue
            body = {"input_path": nb} if path == "jobs" else {"ids": ["a"]}
            code, err = await api.call(method, path, body if method == "POST" else None)
            assert code == 403, (method, path, code)
            assert err["reason"] == "forbidden"
        assert {r for _, r in ReadOnlyAuthorizer.seen} == {"nbjobs"}
        assert {"write", "delete"} <= {a for a, _ in ReadOnlyAuthorizer.seen}
        code, page = await api.get("jobs")
        assert page["jobs"] == []
