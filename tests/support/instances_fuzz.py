"""The instances feature in the fuzz test's live server (tests/handlers/test_fuzz.py): moto,
the thin fake and the header identity provider (every request is the admin `fuzz-admin`), and
a project with instances seeded so that generated requests reach real rows."""

from __future__ import annotations

from pathlib import Path

from tests.support.aws import REGION, ROLE, moto_url, reset_moto, set_fake_credentials

ADMIN = "fuzz-admin"
REPO = Path(__file__).resolve().parents[2]


def instance_args(monkeypatch) -> tuple[str, ...]:
    set_fake_credentials(monkeypatch)
    monkeypatch.setenv("PYTHONPATH", str(REPO))  # the server imports tests.support.*
    url = moto_url()
    reset_moto(url)
    settings = {"enabled": True, "admins": ADMIN, "endpoint_url": url, "region": REGION,
                "max_attempts": 1, "role_arn": ROLE, "subnet_id": "subnet-0fuzz",
                "security_group_ids": "sg-0fuzz", "kms_key_id": "alias/fuzz",
                "client_factory": "tests.support.instances_fake.fake_client",
                "autostop_poll_interval": 1}
    return ("--ServerApp.identity_provider_class=tests.support.identity.HeaderIdentityProvider",
            f"--HeaderIdentityProvider.default_username={ADMIN}",
            *(f"--NotebookInstances.{k}={v}" for k, v in settings.items()))


def seed_instances(server) -> dict[str, list[str]]:
    """A project (the admin its owner), an InService and a Stopped instance."""
    code, project = server.call("POST", "projects", {
        "name": "fuzzproj", "owners": [ADMIN], "members": ["someone"], "stop_time": "03:00",
        "timezone": "Europe/Paris"})
    assert code == 201, project
    names = ["fuzz-nb", "fuzz-off"]
    for name in names:
        code, inst = server.call("POST", "instances", {"name": name, "project": "fuzzproj"})
        assert code == 201, inst
        for _ in range(10):  # through the fake's Pending
            code, inst = server.call("GET", f"instances/{name}")
            if inst["status"] == "InService":
                break
    code, inst = server.call("POST", "instances/fuzz-off/stop")
    assert code == 202, inst
    return {"projects": ["fuzzproj"], "instances": names}
