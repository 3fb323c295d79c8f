"""Bad input: a 4xx naming the field, for every field; unknown names 404."""

from __future__ import annotations

from tests.instances.conftest import ADMIN
from tests.instances.helpers import MEMBER, OWNER, make_instance, make_project

PROJECT_BODIES = [  # (body, field)
    ({"name": "a-b"}, "name"), ({"name": "x" * 25}, "name"), ({"name": ""}, "name"),
    ({"name": "ü"}, "name"), ({}, "name"),
    ({"name": "p", "stop_time": "24:00"}, "stop_time"),
    ({"name": "p", "stop_time": "7:00"}, "stop_time"),
    ({"name": "p", "stop_time": "07:00:00"}, "stop_time"),
    ({"name": "p", "timezone": "Mars/Olympus"}, "timezone"),
    ({"name": "p", "timezone": ""}, "timezone"),
    ({"name": "p", "owners": [""]}, "owners.0"), ({"name": "p", "members": ["a\nb"]},
                                                  "members.0"),
    ({"name": "p", "owners": "alice"}, "owners"),
    ({"name": "p", "description": "x" * 2001}, "description"),
    ({"name": "p", "allow_owner_override": "maybe"}, "allow_owner_override"),
    ({"name": "p", "suspended": True}, "suspended"),  # not a create field
    ({"name": "p\ud800"}, "name"),
]
INSTANCE_BODIES = [
    ({"name": "-bad", "project": "vision"}, "name"),
    ({"name": "bad-", "project": "vision"}, "name"),
    ({"name": "a" * 64, "project": "vision"}, "name"),
    ({"name": "options", "project": "vision"}, "name"),
    ({"name": "with space", "project": "vision"}, "name"),
    ({"name": "new-nb", "project": "vi-sion"}, "project"),
    ({"name": "new-nb"}, "project"),
    ({"name": "new-nb", "project": "vision", "instance_type": "t3.medium"}, "instance_type"),
    ({"name": "new-nb", "project": "vision", "instance_type": "ml.fake.huge"}, "instance_type"),
    ({"name": "new-nb", "project": "vision", "instance_type": "ml.m5.large"}, "instance_type"),
    ({"name": "new-nb", "project": "vision", "volume_size_gb": 4}, "volume_size_gb"),
    ({"name": "new-nb", "project": "vision", "volume_size_gb": 16385}, "volume_size_gb"),
    ({"name": "new-nb", "project": "vision", "volume_size_gb": 5.5}, "volume_size_gb"),
    ({"name": "new-nb", "project": "vision", "lifecycle_config": "-x"}, "lifecycle_config"),
    ({"name": "new-nb", "project": "vision", "lifecycle_config": "no-such"}, "lifecycle_config"),
    ({"name": "new-nb", "project": "vision", "emr_cluster_id": "cluster-1"}, "emr_cluster_id"),
    ({"name": "new-nb", "project": "vision", "emr_cluster_id": "j-NOSUCH"}, "emr_cluster_id"),
    ({"name": "new-nb", "project": "vision", "stop_time": "25:61"}, "stop_time"),
    ({"name": "new-nb", "project": "vision", "owner": "bob"}, "owner"),
    ({"name": "new-nb", "project": "vision", "subnet_id": "subnet-x"}, "subnet_id"),
]
PATCH_BODIES = [
    ({"volume_size_gb": 3}, "volume_size_gb"), ({"instance_type": "ml.nope.x"}, "instance_type"),
    ({"stop_time": "noon"}, "stop_time"), ({"name": "other"}, "name"),
    ({"project": "other"}, "project"), ({"emr_cluster_id": "j-"}, "emr_cluster_id"),
]
QUERIES = [  # (route, params, field)
    ("instances", {"project": "no-such!"}, "project"),
    ("instances", {"mine": "yes"}, "mine"),
    ("instances", {"project": ""}, "project"),
    ("instances/options", {}, "project"),
    ("instances/options", {"project": "bad name"}, "project"),
    ("instances/nb/logs", {"start": "yesterday"}, "start"),
    ("instances/nb/logs", {"end": ""}, "end"),
    ("instances/nb/logs", {"limit": "0"}, "limit"),
    ("instances/nb/logs", {"limit": "1001"}, "limit"),
    ("instances/nb/logs", {"limit": "ten"}, "limit"),
    ("instances/nb/logs", {"cursor": "not-a-cursor"}, "cursor"),
    ("instances/nb/logs", {"start": "2026-12-02T00:00:00Z", "end": "2026-12-01T00:00:00Z"},
     "start"),
]


async def test_bad_input_names_the_field(as_, fake):
    await make_project(as_)
    admin, member = as_(ADMIN), as_(MEMBER)
    await make_instance(as_(OWNER), fake, "nb", "Stopped")
    wrong = []

    def check(what, code, body, field):
        if not (400 <= code < 500 and code != 404 and body.get("field") == field
                and isinstance(body.get("message"), str) and body.get("reason")):
            wrong.append(f"{what}: {code} {body}")

    for body, field in PROJECT_BODIES:
        code, answer = await admin.post("projects", body)
        check(f"POST projects {body}", code, answer, field)
    for body, field in INSTANCE_BODIES:
        code, answer = await member.post("instances", body)
        check(f"POST instances {body}", code, answer, field)
    for body, field in PATCH_BODIES:
        code, answer = await as_(OWNER).patch("instances/nb", body)
        check(f"PATCH instances/nb {body}", code, answer, field)
    code, answer = await admin.patch("projects/vision", {"timezone": "Nowhere/City"})
    check("PATCH projects timezone", code, answer, "timezone")
    for route, params, field in QUERIES:
        code, answer = await member.get(route, **params)
        check(f"GET {route} {params}", code, answer, field)
    code, answer = await member.call("POST", "instances", "[1, 2]")
    assert code == 400 and answer["reason"] == "malformed_json", answer
    code, answer = await member.call("POST", "instances", "{not json")
    assert code == 400 and answer["reason"] == "malformed_json", answer
    assert not wrong, "\n".join(wrong)
    assert fake.ops().count("create_notebook_instance") == 1  # the set-up one only


async def test_unknown_names_are_404(as_, fake):
    await make_project(as_)
    admin = as_(ADMIN)
    for method, route in [("GET", "instances/nope"), ("PATCH", "instances/nope"),
                          ("DELETE", "instances/nope"), ("POST", "instances/nope/start"),
                          ("POST", "instances/nope/stop"), ("GET", "instances/nope/url"),
                          ("GET", "instances/nope/logs"), ("GET", "projects/nope"),
                          ("PATCH", "projects/nope"), ("DELETE", "projects/nope")]:
        code, body = await admin.call(method, route, {} if method == "PATCH" else None)
        assert code == 404 and body["reason"] == "not_found", (route, body)
    code, body = await admin.post("instances", {"name": "nb", "project": "nope"})
    assert code == 404 and body["field"] == "project", body
    code, body = await admin.get("instances/options", project="nope")
    assert code == 404, body
    code, body = await admin.post("projects", {"name": "vision"})
    assert code == 409 and body["reason"] == "project_exists", body
    await make_instance(as_(OWNER), fake, "taken", "Stopped")
    code, body = await admin.post("instances", {"name": "taken", "project": "vision"})
    assert code == 409 and body["field"] == "name", body
