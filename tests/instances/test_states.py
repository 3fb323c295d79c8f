"""Suspended projects, wrong states (409), the stop-time override refused, project deletion."""

from __future__ import annotations

from tests.instances.conftest import ADMIN, settle
from tests.instances.helpers import MEMBER, OWNER, PROJECT_OWNER, make_instance, make_project


async def test_suspended_project(as_, fake):
    await make_project(as_)
    owner, member, powner, admin = as_(OWNER), as_(MEMBER), as_(PROJECT_OWNER), as_(ADMIN)
    await make_instance(owner, fake, "running", "InService")
    await make_instance(owner, fake, "parked", "Stopped")
    await make_instance(owner, fake, "stays-up", "InService")
    before = len(fake.calls_of("stop_notebook_instance"))  # "parked" was stopped by hand
    code, p = await powner.patch("projects/vision", {"suspended": True})
    assert code == 200 and p["suspended"] is True, p
    # suspending stopped what was InService, and nothing else
    assert sorted(c["NotebookInstanceName"]
                  for c in fake.calls_of("stop_notebook_instance")[before:]) \
        == ["running", "stays-up"]
    for name in ("running", "stays-up"):
        await settle(admin, name, "Stopped")
    # members, the instance's owner among them, are blocked from everything
    for api, method, route in [(member, "GET", "instances/parked"),
                               (owner, "GET", "instances/parked"),
                               (owner, "POST", "instances/parked/start"),
                               (owner, "GET", "instances/parked/logs"),
                               (owner, "PATCH", "instances/parked")]:
        code, body = await api.call(method, route, {"volume_size_gb": 8}
                                    if method == "PATCH" else None)
        assert code == 403 and body["reason"] == "project_suspended", (route, body)
    code, body = await member.post("instances", {"name": "new", "project": "vision"})
    assert code == 403 and body["reason"] == "project_suspended", body
    code, body = await admin.post("instances", {"name": "new", "project": "vision"})
    assert code == 403 and body["reason"] == "project_suspended", body
    code, listed = await owner.get("instances")
    assert listed["instances"] == []
    # owners and admins: read, stop, delete; no update, no start
    code, inst = await powner.get("instances/parked")
    assert code == 200 and inst["actions"] == ["delete", "logs"], inst
    code, body = await powner.patch("instances/parked", {"volume_size_gb": 8})
    assert code == 403 and body["reason"] == "project_suspended", body
    code, body = await admin.patch("instances/parked", {"stop_time": "07:00"})
    assert code == 403 and body["reason"] == "project_suspended", body
    code, body = await admin.delete("instances/parked")
    assert code == 202 and body["status"] == "Deleting", body
    # resumed: the owner may start again
    code, p = await powner.patch("projects/vision", {"suspended": False})
    code, body = await owner.post("instances/running/start")
    assert code == 202 and body["status"] == "Pending", body


async def test_wrong_states_are_409(as_, fake):
    await make_project(as_)
    owner = as_(OWNER)
    await make_instance(owner, fake, "up", "InService")
    await make_instance(owner, fake, "down", "Stopped")
    await make_instance(owner, fake, "going", "Stopping")
    cases = [("POST", "instances/up/start", None), ("DELETE", "instances/up", None),
             ("PATCH", "instances/up", {"instance_type": "ml.t3.large"}),
             ("POST", "instances/down/stop", None), ("GET", "instances/down/url", None),
             ("POST", "instances/going/stop", None), ("POST", "instances/going/start", None),
             ("PATCH", "instances/going", {"volume_size_gb": 10})]
    for method, route, body in cases:
        code, answer = await owner.call(method, route, body)
        assert code == 409 and answer["reason"] == "invalid_state", (route, answer)
    # a stop time may change in any state
    code, inst = await owner.patch("instances/going", {"stop_time": "21:00"})
    assert code == 200 and inst["stop_time"] == "21:00" and inst["stop_time_overridden"], inst
    # and none of the refused calls reached AWS
    assert "start_notebook_instance" not in fake.ops()
    assert "update_notebook_instance" not in fake.ops()
    assert "delete_notebook_instance" not in fake.ops()
    assert "create_presigned_notebook_instance_url" not in fake.ops()


async def test_update_applies_and_passes_through_updating(as_, fake):
    await make_project(as_)
    owner = as_(OWNER)
    await make_instance(owner, fake, "nb", "Stopped", volume_size_gb=10)
    code, inst = await owner.patch("instances/nb", {"instance_type": "ml.m5.xlarge",
                                                    "volume_size_gb": 20})
    assert code == 200 and inst["status"] == "Updating", inst
    assert fake.calls_of("update_notebook_instance")[-1] == {
        "NotebookInstanceName": "nb", "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}
    done = await settle(owner, "nb", "Stopped")
    assert (done["instance_type"], done["volume_size_gb"]) == ("ml.m5.xlarge", 20)
    code, body = await owner.patch("instances/nb", {"volume_size_gb": 12})
    assert code == 400 and body["field"] == "volume_size_gb", body


async def test_stop_time_override_refused_on_every_route(as_, fake):
    await make_project(as_, allow_owner_override=False)
    owner, admin = as_(OWNER), as_(ADMIN)
    code, body = await owner.post("instances", {"name": "nb", "project": "vision",
                                                "stop_time": "22:00"})
    assert code == 403 and body["reason"] == "override_not_allowed", body
    assert body["field"] == "stop_time"
    assert "create_notebook_instance" not in fake.ops()
    await make_instance(owner, fake, "nb", "Stopped")
    for api in (owner, admin):
        for patch in ({"stop_time": "22:00"}, {"stop_time": "22:00", "volume_size_gb": 9}):
            code, body = await api.patch("instances/nb", patch)
            assert code == 403 and body["reason"] == "override_not_allowed", body
    code, inst = await owner.get("instances/nb")
    assert inst["stop_time"] == "18:00" and "set_stop_time" not in inst["actions"], inst
    assert "update_notebook_instance" not in fake.ops()


async def test_project_stop_time_reaches_instances_that_follow_it(as_, fake):
    await make_project(as_)
    owner = as_(OWNER)
    await make_instance(owner, fake, "follows", "Stopped")
    await make_instance(owner, fake, "own", "Stopped", stop_time="23:45")
    code, p = await as_(PROJECT_OWNER).patch("projects/vision", {"stop_time": "06:30",
                                                                 "timezone": "Asia/Tokyo"})
    assert code == 200, p
    code, follows = await owner.get("instances/follows")
    code, own = await owner.get("instances/own")
    assert follows["stop_time"] == "06:30" and follows["timezone"] == "Asia/Tokyo"
    assert follows["next_stop_at"].endswith("21:30:00Z"), follows  # 06:30 JST = 21:30 UTC
    assert own["stop_time"] == "23:45" and own["next_stop_at"].endswith("14:45:00Z"), own
    code, p = await as_(PROJECT_OWNER).patch("projects/vision", {"stop_time": None})
    code, follows = await owner.get("instances/follows")
    assert follows["stop_time"] is None and follows["next_stop_at"] is None, follows


async def test_deleting_a_project(as_, fake):
    await make_project(as_)
    admin = as_(ADMIN)
    await make_instance(as_(OWNER), fake, "nb", "InService")
    await make_instance(as_(OWNER), fake, "broken", "Failed")
    code, body = await admin.delete("projects/vision")
    assert code == 409 and body["reason"] == "invalid_state", body
    code, p = await admin.patch("projects/vision", {"suspended": True})
    assert "delete" not in p["actions"], p  # nb is still Stopping
    code, body = await admin.delete("projects/vision")
    assert code == 409 and "nb" in body["message"], body
    await settle(admin, "nb", "Stopped")
    code, p = await admin.get("projects/vision")
    assert "delete" in p["actions"], p
    code, body = await admin.delete("projects/vision")
    assert code == 204, body
    assert sorted(c["NotebookInstanceName"] for c in fake.calls_of("delete_notebook_instance")) \
        == ["broken", "nb"]
    code, body = await admin.get("projects/vision")
    assert code == 404, body
    code, body = await admin.get("instances/nb")
    assert code == 404, body


async def test_deleting_a_project_whose_instance_is_still_deleting(as_, fake):
    """An instance deleted a moment ago is still Deleting in SageMaker (and gone from it soon
    after): the project's delete must neither delete it again nor fail."""
    await make_project(as_)
    admin = as_(ADMIN)
    await make_instance(as_(OWNER), fake, "old", "Stopped")
    code, body = await admin.delete("instances/old")
    assert code == 202 and body["status"] == "Deleting", body
    code, p = await admin.patch("projects/vision", {"suspended": True})
    assert code == 200, p
    code, body = await admin.delete("projects/vision")
    assert code == 204, body
    assert [c["NotebookInstanceName"] for c in fake.calls_of("delete_notebook_instance")] \
        == ["old"]
    code, body = await admin.get("instances/old")
    assert code == 404, body


def test_a_delete_of_an_instance_already_gone_is_done(clients):
    """NotebookAws.delete against moto: an instance gone between a look and the delete."""
    from jupyterlab_nbjobs.aws.notebooks import NotebookAws

    NotebookAws(clients).delete("never-was")  # raised aws_invalid_request (RecordNotFound)
