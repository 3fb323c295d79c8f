"""Cron in a time zone (DST), catch-up after a restart, overlap and crash recovery."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from jupyterlab_nbjobs.errors import InvalidRequest
from jupyterlab_nbjobs.models import ScheduleCreate
from jupyterlab_nbjobs.services import cron
from jupyterlab_nbjobs.services.scheduler import plan_fires
from tests.support.sched import Stack
from tests.support.server import write_notebook

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")


def local_days(times):
    return [t.astimezone(BERLIN).date() for t in times]


# -- DST ------------------------------------------------------------------------------------
@pytest.mark.parametrize("hhmm", ["30 2", "0 3", "0 9", "59 1"])
def test_daily_run_once_per_day_across_spring_forward(hhmm):
    # 2026-03-29 02:00 CET -> 03:00 CEST: 02:30 does not exist that day.
    times = cron.fire_times(f"{hhmm} * * *", "Europe/Berlin",
                            datetime(2026, 3, 25, 12, tzinfo=UTC), 6)
    assert local_days(times) == [date(2026, 3, d) for d in range(26, 32)]
    assert len(set(times)) == 6


@pytest.mark.parametrize("hhmm", ["30 2", "0 2", "0 3", "0 9"])
def test_daily_run_once_per_day_across_fall_back(hhmm):
    # 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 happens twice that day; it runs once.
    times = cron.fire_times(f"{hhmm} * * *", "Europe/Berlin",
                            datetime(2026, 10, 21, 12, tzinfo=UTC), 6)
    assert local_days(times) == [date(2026, 10, d) for d in range(22, 28)]


def test_wall_clock_time_is_kept_and_gap_time_is_shifted():
    nine = cron.fire_times("0 9 * * *", "Europe/Berlin", datetime(2026, 3, 28, tzinfo=UTC), 2)
    assert [t.hour for t in nine] == [8, 7]  # 09:00 CET = 08:00 UTC, 09:00 CEST = 07:00 UTC
    gap = cron.fire_times("30 2 * * *", "Europe/Berlin", datetime(2026, 3, 29, tzinfo=UTC), 1)
    assert gap == [datetime(2026, 3, 29, 1, 30, tzinfo=UTC)]  # 03:30 CEST, the shifted 02:30
    twice = cron.fire_times("30 2 * * *", "Europe/Berlin", datetime(2026, 10, 25, tzinfo=UTC), 2)
    assert twice[0] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # first 02:30 (CEST)
    assert twice[1] == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)


def test_hourly_has_23_and_25_runs_on_dst_days():
    for day, expected in [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25)]:
        start = datetime(day.year, day.month, day.day, tzinfo=BERLIN).astimezone(UTC)
        times = cron.fire_times("0 * * * *", "Europe/Berlin", start - timedelta(seconds=1), 30)
        on_day = [t for t in times if t.astimezone(BERLIN).date() == day]
        assert len(on_day) == expected
        gaps = {b - a for a, b in zip(on_day, on_day[1:], strict=False)}
        assert gaps == {timedelta(hours=1)}  # real hours: no gap, no double


def test_fire_times_from_inside_the_repeated_hour():
    # At 02:15 CET (the second 02:15), the next 02:30 daily fire is tomorrow's, not now.
    inside = datetime(2026, 10, 25, 1, 15, tzinfo=UTC)
    assert cron.fire_times("30 2 * * *", "Europe/Berlin", inside, 1) == [
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC)]


def test_presets_descriptions_and_errors():
    assert cron.normalize("daily at 6:05") == "5 6 * * *"
    assert cron.normalize("@weekdays") == "0 0 * * 1-5"
    assert cron.describe(cron.normalize("weekdays at 18:30")).startswith("At 18:30, on weekdays")
    assert cron.describe("0 0 1 * *") == "At 00:00, on day 1 of the month"
    for bad, text in [("daily at 25:00", "out of range"), ("1 2 3", "5 fields"),
                      ("* * * 13 *", "month field"), ("* * * * 8", "day of week field")]:
        with pytest.raises(InvalidRequest, match=text):
            cron.normalize(bad)
    assert cron.normalize("* * * * * *", allow_seconds=True) == "* * * * * *"


def test_plan_policies():
    now = datetime(2026, 5, 1, 12, 0, 0, 500000, tzinfo=UTC)
    row = {"next_fire_at": now - timedelta(minutes=10, seconds=0.5), "cron": "* * * * *",
           "timezone": "UTC", "start_at": None, "end_at": None, "overlap_policy": "allow",
           "catchup_limit": 3}
    outcomes = {}
    for policy in ("skip", "once", "each"):
        new_next, plan = plan_fires({**row, "catchup_policy": policy}, now, grace=60)
        assert new_next == datetime(2026, 5, 1, 12, 1, tzinfo=UTC)
        assert len(plan) == 11  # 11:50 ... 12:00, each recorded once
        outcomes[policy] = [o for _, o in plan]
    assert outcomes["skip"] == ["skipped_missed"] * 10 + ["run"]  # 12:00 is on time
    assert outcomes["once"] == ["skipped_missed"] * 9 + ["run", "run"]
    assert outcomes["each"] == ["skipped_missed"] * 7 + ["run"] * 4
    _, plan = plan_fires({**row, "catchup_policy": "each", "overlap_policy": "skip"}, now, 60)
    assert [o for _, o in plan][-4:] == ["skipped_overlap"] * 3 + ["run"]


# -- restart with each catch-up policy, on the real clock -------------------------------------
async def _count_until(predicate, timeout=10.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("policy,expected_missed_runs", [("skip", 0), ("once", 1), ("each", 3)])
async def test_restart_honours_catchup_policy(tmp_path, policy, expected_missed_runs):
    root = tmp_path / "root"
    write_notebook(root, "n.ipynb", "x = 1")
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    first = Stack(url, root, tmp_path / "w1", grace=1.0)
    await first.start()
    sched = await first.schedules.create(ScheduleCreate(
        input_path="n.ipynb", cron="* * * * * *", overlap_policy="allow",
        catchup_policy=policy, catchup_limit=3), "me")
    await _count_until(lambda: sum(f["outcome"] == "run" for f in first.store.all_fires()) >= 2)
    await first.stop()  # the server is down for 6 s: 6 fires are missed
    await asyncio.sleep(6)
    second = Stack(url, root, tmp_path / "w2", grace=1.0)
    await second.start()
    await _count_until(lambda: any(f["claimed_by"] == second.scheduler.node_id
                                   for f in second.store.all_fires()))
    await asyncio.sleep(2.2)
    await second.stop()

    check = Stack(url, root, tmp_path / "w3")
    fires = sorted(check.store.all_fires(), key=lambda f: f["fire_time"])
    await check.stop()
    times = [f["fire_time"] for f in fires]
    assert {b - a for a, b in zip(times, times[1:], strict=False)} == {timedelta(seconds=1)}
    missed = [f for f in fires if f["claimed_by"] == second.scheduler.node_id
              and (f["claimed_at"] - f["fire_time"]).total_seconds() > 1.0]
    assert len(missed) >= 5, missed
    runs = [f for f in missed if f["outcome"] == "run"]
    assert len(runs) == expected_missed_runs, [(f["fire_time"], f["outcome"]) for f in missed]
    if runs:  # the latest missed fires are the ones caught up
        assert runs == missed[-len(runs):]
    assert all(f["outcome"] == "skipped_missed" for f in missed if f not in runs)
    assert all(f["job_id"] for f in fires if f["outcome"] == "run")
    # After catching up it runs on time again.
    on_time = [f for f in fires if f["claimed_by"] == second.scheduler.node_id
               and f not in missed]
    assert len(on_time) >= 2 and all(f["outcome"] == "run" for f in on_time)
    assert sched.id == fires[0]["schedule_id"]


async def test_overlap_skip_records_skipped_fires(tmp_path):
    root = tmp_path / "root"
    write_notebook(root, "n.ipynb", "x = 1")
    stack = Stack(f"sqlite:///{tmp_path / 'db.sqlite'}", root, tmp_path / "w", hold=2.5)
    await stack.start()
    await stack.schedules.create(ScheduleCreate(input_path="n.ipynb", cron="* * * * * *",
                                                overlap_policy="skip"), "me")
    await asyncio.sleep(6.5)
    await stack.stop()
    outcomes = [f["outcome"] for f in sorted(stack.store.all_fires(),
                                             key=lambda f: f["fire_time"])]
    assert outcomes.count("run") >= 2 and outcomes.count("skipped_overlap") >= 3, outcomes
    # A run is never followed by another run while it holds (2.5 s = at least 2 fires).
    for i, outcome in enumerate(outcomes[:-2]):
        if outcome == "run":
            assert outcomes[i + 1] == "skipped_overlap" and outcomes[i + 2] == "skipped_overlap"


async def test_claim_without_job_is_recovered_once(tmp_path):
    """A server that died between claiming a fire and creating its job: the next one creates
    it, and a second recovery (or the slow original) cannot create it again."""
    root = tmp_path / "root"
    write_notebook(root, "n.ipynb", "x = 1")
    stack = Stack(f"sqlite:///{tmp_path / 'db.sqlite'}", root, tmp_path / "w")
    sched = await stack.schedules.create(ScheduleCreate(input_path="n.ipynb", cron="@hourly"),
                                         "me")
    row = stack.store.get(sched.id)
    fire = row["next_fire_at"]
    claimed = stack.store.claim(sched.id, fire, fire + timedelta(hours=1), [(fire, "run")],
                                "dead-node", skip_if_active=True)
    assert claimed == [(fire, "run")]
    assert stack.store.claim(sched.id, fire, fire + timedelta(hours=1), [(fire, "run")],
                             "late-node", skip_if_active=True) is None
    await stack.scheduler._recover(fire + timedelta(minutes=5))
    job_ids = stack.store.job_ids(sched.id)
    assert len(job_ids) == 1
    await stack.schedules.run_fire(row, fire)  # the original creator, finally: no new job
    assert stack.store.job_ids(sched.id) == job_ids
    assert stack.store.fires(sched.id)[0]["job_id"] == job_ids[0]
    # A schedule moved back onto a fire it already had neither runs it again nor gets stuck.
    stack.store.update(sched.id, next_fire_at=fire)
    await stack.scheduler.tick(fire + timedelta(seconds=1))
    assert stack.store.get(sched.id)["next_fire_at"] == fire + timedelta(hours=1)
    assert stack.store.job_ids(sched.id) == job_ids
    await stack.stop()


async def test_a_stop_during_a_claim_still_creates_the_claimed_run(tmp_path):
    """stop() cancels the loop while its claim runs in a worker thread (and so commits): the
    fire's run is created before stop() returns, not left to another server's recovery."""
    import threading

    root = tmp_path / "root"
    write_notebook(root, "n.ipynb", "x = 1")
    stack = Stack(f"sqlite:///{tmp_path / 'db.sqlite'}", root, tmp_path / "w", poll=0.2)
    entered, release = threading.Event(), threading.Event()
    claim = stack.store.claim

    def slow_claim(*args, **kwargs):
        entered.set()
        release.wait(10)
        return claim(*args, **kwargs)

    stack.store.claim = slow_claim
    sched = await stack.schedules.create(ScheduleCreate(input_path="n.ipynb",
                                                        cron="* * * * * *"), "me")
    await stack.start()
    assert await asyncio.to_thread(entered.wait, 10)
    stopping = asyncio.ensure_future(stack.scheduler.stop())
    await asyncio.sleep(0.2)  # the loop is cancelled while the claim is still in its thread
    release.set()
    await asyncio.wait_for(stopping, 10)
    fires = stack.store.fires(sched.id)
    assert fires and all(f["job_id"] for f in fires if f["outcome"] == "run"), fires
    assert len(stack.store.job_ids(sched.id)) == sum(f["outcome"] == "run" for f in fires)
    await stack.stop()
