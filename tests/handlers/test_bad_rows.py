"""A row an older version stored with values no answer can hold (lone surrogates, nesting
deeper than the JSON writer goes, values the model no longer takes) never makes a list or a
GET answer 500: the values are redacted (U+FFFD, null, the default) and named in `redacted`;
a row that cannot be shown even so is left out of lists and is a 409 on its own."""

from __future__ import annotations

import uuid

import pytest

from jupyterlab_nbjobs.store import JobStore
from jupyterlab_nbjobs.store.schedules import ScheduleStore, SweepStore


def nested(depth: int):
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.fixture
def db(nbjobs_app, api):  # the server's store, migrated when the app's services are built
    return nbjobs_app.nbjobs.db


async def test_bad_job_rows_are_redacted_or_left_out(api, notebook, db):
    nb = notebook("ok.ipynb", "x = 1")
    good = await api.create(input_path=nb, name="good")
    bad = await api.create(input_path=nb, name="bad", tags=["t"])
    lost = await api.create(input_path=nb, name="lost")
    for job in (good, bad, lost):
        await api.wait(job["id"])
    store = JobStore(db)
    # As an older version could have written them: the JSON columns take any of these.
    store.update(bad["id"], parameters={"a": "\ud800", "\udc00": 1, "deep": nested(300)},
                 env={"A": "\ud83d"}, tags=["t", "\ud83d"], backend_options={"o": nested(300)},
                 error={"no message": True})
    store.update(lost["id"], status="lost")  # no JobStatus: cannot be shown at all

    for query in ({}, {"tag": "t"}, {"status": "completed"}, {"name": "bad"},
                  {"sort": "name"}, {"sort": "status", "limit": "1"}):
        code, page = await api.get("jobs", **query)
        assert code == 200, (query, page)
        assert lost["id"] not in [j["id"] for j in page["jobs"]]
    code, page = await api.get("jobs")
    assert {j["id"] for j in page["jobs"]} == {good["id"], bad["id"]}
    shown = next(j for j in page["jobs"] if j["id"] == bad["id"])
    assert shown["redacted"] == ["backend_options", "env", "error", "parameters", "tags"]
    assert shown["parameters"]["a"] == "\ufffd" and shown["parameters"]["\ufffd"] == 1
    assert shown["env"] == {"A": "\ufffd"} and shown["tags"] == ["t", "\ufffd"]
    assert shown["error"] is None
    depth, value = 0, shown["parameters"]["deep"]
    while isinstance(value, list):
        depth, value = depth + 1, value[0] if value else None
    assert depth < 100  # cut, not 300
    assert next(j for j in page["jobs"] if j["id"] == good["id"])["redacted"] == []

    code, job = await api.get(f"jobs/{bad['id']}")
    assert code == 200 and job["parameters"]["a"] == "\ufffd" and "parameters" in job["redacted"]
    code, body = await api.get(f"jobs/{lost['id']}")
    assert code == 409 and body["reason"] == "job_unreadable" and body["message"], body
    # The redacted job can still be deleted.
    code, _ = await api.delete(f"jobs/{bad['id']}")
    assert code == 204


async def test_bad_schedule_rows(api, notebook, db):
    nb = notebook("s.ipynb", "x = 1")
    code, sched = await api.post("schedules", {"input_path": nb, "cron": "@daily"})
    assert code == 201, sched
    code, broken = await api.post("schedules", {"input_path": nb, "cron": "@daily"})
    assert code == 201, broken
    store = ScheduleStore(db)
    settings = store.get(sched["id"])["settings"]
    store.update(sched["id"], settings={**settings, "parameters": {"a": "\ud800"},
                                        "tags": ["\udfff"], "grid_of_old": nested(300)})
    store.update(broken["id"], settings={"parameters": {}})  # no input_path, no backend...

    code, body = await api.get("schedules")
    assert code == 200, body
    assert [s["id"] for s in body["schedules"]] == [sched["id"]]
    shown = body["schedules"][0]
    assert shown["parameters"] == {"a": "\ufffd"} and shown["tags"] == ["\ufffd"]
    assert shown["redacted"] == ["parameters", "tags"]
    code, one = await api.get(f"schedules/{sched['id']}")
    assert code == 200 and one["parameters"] == {"a": "\ufffd"}, one
    code, body = await api.get(f"schedules/{broken['id']}")
    assert code == 409 and body["reason"] == "schedule_unreadable", body
    # A fire of the bad schedule makes no bad job: JobCreate refuses the stored parameters.
    code, body = await api.post(f"schedules/{sched['id']}/run")
    assert code == 400 and body["reason"] == "invalid_text", body
    code, page = await api.get("jobs")
    assert code == 200 and page["jobs"] == []


async def test_bad_sweep_rows(api, notebook, db):
    nb = notebook("w.ipynb", "x = 1")
    store = SweepStore(db)
    bad_id, broken_id = uuid.uuid4().hex, uuid.uuid4().hex
    store.insert({"id": bad_id, "name": "old", "input_path": nb, "settings": {},
                  "grid": {"a": ["\ud800", nested(300)]},
                  "items": [{"parameters": {"a": "\ud800"}, "job_id": None}],
                  "created_by": None})
    store.insert({"id": broken_id, "name": "older", "input_path": nb, "settings": {},
                  "grid": {}, "items": [{"no parameters": 1}], "created_by": None})
    code, body = await api.get("sweeps")
    assert code == 200, body
    assert [s["id"] for s in body["sweeps"]] == [bad_id]
    shown = body["sweeps"][0]
    assert shown["grid"]["a"][0] == "\ufffd" and shown["items"][0]["parameters"] == {"a": "\ufffd"}
    assert shown["redacted"] == ["grid", "items"] and shown["total"] == 1
    code, one = await api.get(f"sweeps/{bad_id}")
    assert code == 200 and one["grid"]["a"][0] == "\ufffd", one
    code, body = await api.get(f"sweeps/{broken_id}")
    assert code == 409 and body["reason"] == "sweep_unreadable", body
