"""A real Jupyter server with the instances feature on, against the moto server and the thin
fake (tests/support/instances_fake.py), driven as several users (tests/support/identity.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from traitlets.config import Config

from tests.support.aws import REGION, ROLE
from tests.support.identity import as_user
from tests.support.instances_fake import fake_for, reset_fakes

ADMIN = "root-admin"
SUBNET, SG, KMS, BUCKET = "subnet-0abc", "sg-0abc", "alias/nbjobs", "team-bucket"


def instances_config(moto: str, **extra: Any) -> dict[str, Any]:
    return {"enabled": True, "admins": [ADMIN], "admin_groups": ["platform"],
            "endpoint_url": moto, "region": REGION, "max_attempts": 1,
            "client_factory": "tests.support.instances_fake.fake_client", "role_arn": ROLE,
            "subnet_id": SUBNET, "security_group_ids": [SG], "kms_key_id": KMS,
            "s3_bucket": BUCKET, "run_loops": False, **extra}


@pytest.fixture
def instances_extra() -> dict[str, Any]:
    """More c.NotebookInstances settings; a test module may override this fixture."""
    return {}


@pytest.fixture
def jp_server_config(nbjobs_config, aws, instances_extra):
    reset_fakes()
    return Config({
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_nbjobs": True},
            "allow_unauthenticated_access": False,
            "identity_provider_class": "tests.support.identity.HeaderIdentityProvider",
        },
        "NbJobsApp": {**nbjobs_config, "enable_scheduler": False},
        "NotebookInstances": instances_config(aws, **instances_extra),
    })


@pytest.fixture
def fake(aws):
    return fake_for(aws)


class UserApi:
    """jp_fetch as one user: (status, JSON) and never raising on 4xx/5xx."""

    def __init__(self, fetch, user: str, *groups: str):
        self.fetch = fetch
        self.user = user
        self.headers = as_user(user, *groups)

    async def call(self, method: str, route: str, body: Any = None, **params: Any):
        kwargs: dict[str, Any] = {"method": method, "raise_error": False,
                                  "headers": self.headers}
        if body is not None:
            kwargs["body"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
        elif method in ("POST", "PATCH"):
            kwargs["body"] = "{}"
        if params:
            kwargs["params"] = params
        resp = await self.fetch("nbjobs", *route.strip("/").split("/"), **kwargs)
        text = resp.body.decode() if resp.body else ""
        return resp.code, (json.loads(text) if text else None)

    async def get(self, route: str, **params: Any):
        return await self.call("GET", route, **params)

    async def post(self, route: str, body: Any = None):
        return await self.call("POST", route, body)

    async def patch(self, route: str, body: Any):
        return await self.call("PATCH", route, body)

    async def delete(self, route: str):
        return await self.call("DELETE", route)


@pytest.fixture
def as_(jp_fetch):
    def make(user: str, *groups: str) -> UserApi:
        return UserApi(jp_fetch, user, *groups)

    return make


@pytest.fixture
def service(nbjobs_app):
    """The server's InstanceService."""
    return nbjobs_app.instances.service


async def settle(api: UserApi, name: str, want: str, tries: int = 20) -> dict:
    """GET the instance until the fake's passing states reach `want`."""
    for _ in range(tries):
        code, body = await api.get(f"instances/{name}")
        assert code == 200, body
        if body["status"] == want:
            return body
    raise AssertionError(f"{name} stayed {body['status']}, not {want}")
