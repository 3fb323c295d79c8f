"""Daily auto-stop: the stop time in the project's zone (DST-correct), the loop stopping an
instance within seconds of it and re-arming it for the next day, and two servers on one
PostgreSQL sweeping the same stop time: exactly one stop call per instance."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from jupyterlab_nbjobs.services.instances.autostop import AutoStop
from jupyterlab_nbjobs.services.instances.stoptime import next_stop_at
from jupyterlab_nbjobs.store import Database
from jupyterlab_nbjobs.store.instances import InstanceStore
from jupyterlab_nbjobs.store.tables import utcnow
from tests.instances.conftest import ADMIN, instances_config
from tests.instances.helpers import OWNER, make_instance, make_project
from tests.support.live import live_server
from tests.support.pg import pg_bin_dir, postgres_server

UTC = timezone.utc


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("stop,tz,after,expected", [
    ("18:00", "UTC", "2026-12-01T12:00", "2026-12-01T18:00"),
    ("18:00", "UTC", "2026-12-01T18:00", "2026-12-02T18:00"),  # strictly after
    ("18:00", "Europe/Paris", "2026-12-01T12:00", "2026-12-01T17:00"),  # CET
    ("18:00", "Europe/Paris", "2026-07-01T12:00", "2026-07-01T16:00"),  # CEST
    ("09:00", "Asia/Tokyo", "2026-12-01T12:00", "2026-12-02T00:00"),
    # spring forward: 02:30 does not exist on 29 March in Paris -> the transition, 03:00 CEST
    ("02:30", "Europe/Paris", "2026-03-28T12:00", "2026-03-29T01:00"),
    ("02:30", "Europe/Paris", "2026-03-29T01:00", "2026-03-30T00:30"),  # then CEST
    # fall back: 02:30 happens twice on 25 October -> the first, and once only
    ("02:30", "Europe/Paris", "2026-10-24T12:00", "2026-10-25T00:30"),
    ("02:30", "Europe/Paris", "2026-10-25T00:30", "2026-10-26T01:30"),
    ("01:30", "America/New_York", "2026-11-01T04:00", "2026-11-01T05:30"),  # EDT 01:30
    ("01:30", "America/New_York", "2026-11-01T05:30", "2026-11-02T06:30"),  # not EST's
    ("23:59", "Pacific/Kiritimati", "2026-12-01T00:00", "2026-12-01T09:59"),  # UTC+14
])
def test_next_stop_at(stop, tz, after, expected):
    assert next_stop_at(stop, tz, at(after)) == at(expected)


def test_a_stop_a_day_across_a_year_of_dst():
    after = at("2026-01-01T00:00")
    seen = []
    for _ in range(365):
        after = next_stop_at("02:30", "Europe/Paris", after)
        seen.append(after.astimezone(ZoneInfo("Europe/Paris")).date())
    assert len(set(seen)) == 365 and seen == sorted(seen)


async def wait_for(predicate, timeout: float = 20.0, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while not (found := await predicate()):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(step)
    return found


async def test_the_loop_stops_at_the_stop_time_and_rearms(as_, fake, service, monkeypatch,
                                                          capsys):
    """The project says 'HH:MM Europe/Paris' (two minutes ahead); once the instances are armed,
    the server's clock is moved to 1.5 s before it (the loop reads service.clock), so the real
    computation and the real loop are tested without waiting minutes."""
    zone = ZoneInfo("Europe/Paris")
    target_local = (datetime.now(zone) + timedelta(minutes=2)).replace(second=0, microsecond=0)
    target = target_local.astimezone(UTC)
    await make_project(as_, stop_time=target_local.strftime("%H:%M"))
    owner = as_(OWNER)
    await make_instance(owner, fake, "runs", "InService")
    await make_instance(owner, fake, "parked", "Stopped")
    code, inst = await owner.get("instances/runs")
    assert datetime.fromisoformat(inst["next_stop_at"]) == target, inst
    offset = target - timedelta(seconds=1.5) - utcnow()
    monkeypatch.setattr(service, "clock", lambda: utcnow() + offset)
    loop = AutoStop(service, poll_interval=0.5)
    await loop.start()
    try:
        await wait_for(lambda: _stops_recorded(service, 2))
    finally:
        await loop.stop()
    [stop] = [r for r in await service.store.stops() if r["outcome"] == "stopped"]
    assert (stop["instance_name"], stop["stop_at"]) == ("runs", target)
    delay = (stop["claimed_at"] + offset - target).total_seconds()  # in the service's clock
    with capsys.disabled():
        print(f"\ndaily stop: stop call {delay:.3f} s after the stop time")
    assert 0 <= delay < 60
    assert fake.calls_of("stop_notebook_instance")[-1] == {"NotebookInstanceName": "runs"}
    outcomes = {r["instance_name"]: r["outcome"] for r in await service.store.stops()}
    assert outcomes == {"runs": "stopped", "parked": "not_running"}
    for name in ("runs", "parked"):  # re-armed for the same time tomorrow (no DST change)
        code, inst = await owner.get(f"instances/{name}")
        assert datetime.fromisoformat(inst["next_stop_at"]) == target + timedelta(days=1)


async def _stops_recorded(service, n):
    rows = await service.store.stops()
    return len(rows) == n and all(r["outcome"] for r in rows)


@pytest.mark.skipif(pg_bin_dir() is None, reason="PostgreSQL binaries not installed")
def test_two_servers_one_database_one_stop_each(tmp_path, aws, monkeypatch, capsys):
    calls = tmp_path / "aws-calls.jsonl"
    monkeypatch.setenv("NBJOBS_INSTANCES_FAKE_LOG", str(calls))
    repo = str(__import__("pathlib").Path(__file__).resolve().parents[2])
    monkeypatch.setenv("PYTHONPATH", repo)
    settings = instances_config(aws, run_loops=True, autostop_poll_interval=0.5)
    args = ["--ServerApp.identity_provider_class=tests.support.identity.HeaderIdentityProvider",
            f"--HeaderIdentityProvider.default_username={ADMIN}"]
    for key, value in settings.items():
        values = value if isinstance(value, list) else [value]
        args += [f"--NotebookInstances.{key}={v}" for v in values]
    names = ["nb-a", "nb-b", "nb-c"]
    with postgres_server() as db_url:
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        with live_server(tmp_path / "a", tmp_path, db_url, args=tuple(args)) as one, \
                live_server(tmp_path / "b", tmp_path, db_url, args=tuple(args)) as two:
            code, body = one.call("POST", "projects", {"name": "vision", "stop_time": "03:00",
                                                       "timezone": "Europe/Berlin"})
            assert code == 201, body
            for name in names:
                code, body = one.call("POST", "instances", {"name": name, "project": "vision"})
                assert code == 201, body
                for _ in range(10):  # through the passing states this server's fake reports
                    code, body = one.call("GET", f"instances/{name}")
                    if body["status"] == "InService":
                        break
                assert body["status"] == "InService", body
            # Arm all three for the same instant, 3 s from now, as a day's stop time would.
            stop_at = (utcnow() + timedelta(seconds=3)).replace(microsecond=0)
            store = InstanceStore(Database(db_url))
            store.set_next_stops({n: stop_at for n in names})
            deadline = time.monotonic() + 30
            while len([s for s in store.stops() if s["outcome"]]) < 3:
                assert time.monotonic() < deadline, store.stops()
                time.sleep(0.2)
            time.sleep(2)  # a late second claim would show up now
            stops = store.stops()
            rows = {n: store.get(n) for n in names}
            store.db.dispose()
            pids = (one.proc.pid, two.proc.pid)
    made = [json.loads(line) for line in calls.read_text().splitlines()]
    stop_calls = [c for c in made if c["op"] == "stop_notebook_instance"]
    assert sorted(c["params"]["NotebookInstanceName"] for c in stop_calls) == names
    assert {c["pid"] for c in stop_calls} <= set(pids)
    assert len(stops) == 3 and {s["outcome"] for s in stops} == {"stopped"}
    delays = [c["t"] - stop_at.timestamp() for c in stop_calls]
    tomorrow = next_stop_at("03:00", "Europe/Berlin", stop_at)
    assert all(r["next_stop_at"] == tomorrow for r in rows.values()), rows
    with capsys.disabled():
        by = {p: sum(c["pid"] == p for c in stop_calls) for p in pids}
        print(f"\ntwo servers: {len(stop_calls)} stop calls for {len(names)} instances "
              f"(by server: {list(by.values())}); delays after the stop time "
              f"{', '.join(f'{d:.2f}' for d in delays)} s")
    assert all(0 <= d < 60 for d in delays), delays
