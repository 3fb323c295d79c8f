"""The rights table, user by user and action by action, through the real API: each allowed
action succeeds on an instance in a state that allows it, each refused one is a 403 with a
reason, and every answer's `actions` lists exactly what that user may do."""

from __future__ import annotations

from tests.instances.conftest import ADMIN, settle
from tests.instances.helpers import (
    GROUP_ADMIN,
    MEMBER,
    OUTSIDER,
    OWNER,
    PROJECT_OWNER,
    make_instance,
    make_project,
)

USERS = {  # name -> (username, JupyterHub groups)
    "owner": (OWNER, ()), "project_owner": (PROJECT_OWNER, ()), "admin": (ADMIN, ()),
    "group_admin": (GROUP_ADMIN, ("platform",)), "member": (MEMBER, ()),
    "outsider": (OUTSIDER, ("staff",)),
}
Y, N = True, False
# action: (state it needs, method, route suffix, body, who may:
#          owner, project owner, admin, group admin, other member, outsider)
RIGHTS = {
    "start": ("Stopped", "POST", "start", None, (Y, N, N, N, N, N)),
    "open": ("InService", "GET", "url", None, (Y, N, N, N, N, N)),
    "stop": ("InService", "POST", "stop", None, (Y, Y, Y, Y, N, N)),
    "update": ("Stopped", "PATCH", "", {"volume_size_gb": 9}, (Y, Y, Y, Y, N, N)),
    "delete": ("Stopped", "DELETE", "", None, (Y, Y, Y, Y, N, N)),
    "set_stop_time": ("InService", "PATCH", "", {"stop_time": "20:15"}, (Y, Y, Y, Y, N, N)),
    "read": ("InService", "GET", "", None, (Y, Y, Y, Y, Y, N)),
    "logs": ("InService", "GET", "logs", None, (Y, Y, Y, Y, Y, N)),
}
OK = {"POST": 202, "GET": 200, "PATCH": 200, "DELETE": 202}
CASES = [(action, who, allowed) for action, (*_, table) in RIGHTS.items()
         for who, allowed in zip(USERS, table, strict=True)]


def table_markdown() -> str:
    head = "| action | " + " | ".join(USERS) + " |\n|---|" + "---|" * len(USERS)
    rows = [f"| {a} | " + " | ".join("yes" if x else "no" for x in t[-1]) + " |"
            for a, t in RIGHTS.items()]
    return "\n".join([head, *rows])


async def test_rights_table(as_, fake):
    """Every (action, user) of RIGHTS on one server, each on a fresh instance of alice's in the
    state the action needs; all mismatches are reported together."""
    await make_project(as_)
    owner = as_(OWNER)
    wrong = []
    for n, (action, who, allowed) in enumerate(CASES):
        state, method, suffix, body, _ = RIGHTS[action]
        name = f"nb-{n}"
        await make_instance(owner, fake, name, state)
        user, groups = USERS[who]
        route = f"instances/{name}" + (f"/{suffix}" if suffix else "")
        code, answer = await as_(user, *groups).call(method, route, body)
        want = OK[method] if allowed else 403
        if code != want or (not allowed and answer["reason"] != "forbidden"):
            wrong.append(f"{action} by {who}: {code} {answer}")
    assert not wrong, "\n".join(wrong) + "\n" + table_markdown()


async def test_actions_say_what_each_user_may_do(as_, fake):
    await make_project(as_)
    needs = {"start": ("Stopped", "Failed"), "update": ("Stopped", "Failed"),
             "delete": ("Stopped", "Failed"), "stop": ("InService",), "open": ("InService",)}
    for state in ("InService", "Stopped", "Failed"):
        name = f"nb-{state.lower()}"
        await make_instance(as_(OWNER), fake, name, state)
        for who, (user, groups) in USERS.items():
            code, inst = await as_(user, *groups).get(f"instances/{name}")
            if who == "outsider":
                assert code == 403, inst
                continue
            assert code == 200, inst
            column = list(USERS).index(who)
            want = [a for a in ("start", "stop", "open", "update", "delete", "set_stop_time",
                                "logs")
                    if RIGHTS[a][-1][column] and state in needs.get(a, (state,))]
            assert inst["actions"] == want, (state, who, inst["actions"])


async def test_lists_show_only_the_callers_projects(as_, fake):
    await make_project(as_)
    await make_project(as_, "other", owners=["oscar"], members=["eve"])
    await make_instance(as_(OWNER), fake, "nb", "InService")
    await make_instance(as_("eve"), fake, "nb-eve", "InService", project="other")
    names = lambda body: sorted(i["name"] for i in body["instances"])  # noqa: E731
    assert names((await as_(MEMBER).get("instances"))[1]) == ["nb"]
    assert names((await as_("eve").get("instances"))[1]) == ["nb-eve"]
    assert names((await as_(ADMIN).get("instances"))[1]) == ["nb", "nb-eve"]
    assert names((await as_(OWNER).get("instances", mine="true"))[1]) == ["nb"]
    assert names((await as_(PROJECT_OWNER).get("instances", mine="true"))[1]) == []
    code, body = await as_(MEMBER).get("instances", project="other")
    assert code == 403, body
    code, me = await as_(MEMBER).get("me")
    assert me["projects"] == [{"name": "vision", "role": "member", "suspended": False}]
    code, me = await as_(GROUP_ADMIN, "platform").get("me")
    assert me["admin"] is True and {p["name"]: p["role"] for p in me["projects"]} == {
        "other": "admin", "vision": "admin"}


async def test_creating_needs_the_project(as_, fake):
    await make_project(as_)
    for user, groups, code_wanted in [(MEMBER, (), 201), (PROJECT_OWNER, (), 201),
                                      (ADMIN, (), 201), (OUTSIDER, (), 403)]:
        code, body = await as_(user, *groups).post(
            "instances", {"name": f"by-{user}", "project": "vision"})
        assert code == code_wanted, (user, body)
        if code == 201:
            assert body["owner"] == user and body["status"] == "Pending"


async def test_the_owner_is_the_caller_never_the_body(as_, fake):
    await make_project(as_)
    code, body = await as_(MEMBER).post("instances", {"name": "nb", "project": "vision",
                                                      "owner": OWNER})
    assert code == 400 and body["reason"] == "unknown_field", body
    code, body = await as_(MEMBER).patch("instances/nb", {"name": "other"})
    assert code == 400, body


async def test_project_rights(as_, fake):
    await make_project(as_)
    owner, member, admin = as_(PROJECT_OWNER), as_(MEMBER), as_(ADMIN)
    code, p = await owner.get("projects/vision")
    assert p["role"] == "owner" and p["actions"] == ["update", "manage_members", "suspend"]
    code, p = await owner.patch("projects/vision", {"members": [OWNER, MEMBER, "carl"],
                                                    "description": "team"})
    assert code == 200 and p["members"] == [OWNER, MEMBER, "carl"], p
    code, body = await owner.patch("projects/vision", {"owners": ["mallory"]})
    assert code == 403 and body["field"] == "owners", body
    code, body = await member.patch("projects/vision", {"description": "mine"})
    assert code == 403, body
    code, body = await member.get("projects/vision")
    assert code == 200 and body["actions"] == [] and body["role"] == "member"
    code, body = await as_(OUTSIDER).get("projects/vision")
    assert code == 403, body
    code, body = await owner.post("projects", {"name": "mine"})
    assert code == 403, body
    code, body = await owner.delete("projects/vision")
    assert code == 403, body
    code, p = await admin.patch("projects/vision", {"owners": ["olga", "oscar"]})
    assert code == 200 and p["owners"] == ["olga", "oscar"], p
    code, projects = await member.get("projects")
    assert [p["name"] for p in projects["projects"]] == ["vision"]


async def test_a_member_who_leaves_loses_the_instance_and_it_stops(as_, fake):
    await make_project(as_)
    await make_instance(as_(MEMBER), fake, "nb-bob", "InService")
    code, p = await as_(PROJECT_OWNER).patch("projects/vision", {"members": [OWNER]})
    assert code == 200, p
    assert fake.calls_of("stop_notebook_instance") == [{"NotebookInstanceName": "nb-bob"}]
    code, body = await as_(MEMBER).get("instances/nb-bob")
    assert code == 403, body
    assert (await settle(as_(PROJECT_OWNER), "nb-bob", "Stopped"))["owner"] == MEMBER
