"""The store and the services are built on first need: the first request, or work the store
holds (a run to resume, an active schedule) at start or later, written by another process.

Real servers in fresh Pythons (the test process has everything imported already), real
kernels, the real command line writing the same SQLite file."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import textwrap
import time

import pytest

from jupyterlab_nbjobs.store.pending import has_pending_work, sqlite_path
from tests.support.server import run_in_fresh_python, write_notebook

HEAVY = ("sqlalchemy", "pydantic", "jupyterlab_nbjobs.composition",
         "jupyterlab_nbjobs.handlers.jobs", "jupyterlab_nbjobs.models")

# A server in a fresh Python; SCENARIO (below) drives it over HTTP and reads what it loaded.
DRIVER = textwrap.dedent('''
    import asyncio, json, os, subprocess, sys, time
    d = sys.argv[1]
    from jupyter_server.serverapp import ServerApp
    from tornado.httpclient import AsyncHTTPClient

    HEAVY = {heavy!r}
    app = ServerApp.instance()
    app.jpserver_extensions = {{"jupyterlab_nbjobs": True, "jupyterlab": False,
                               "jupyter_lsp": False, "notebook_shim": False}}
    app.initialize(argv=[f"--ServerApp.root_dir={{d}}/root", "--port=0", "--allow-root",
                         "--ServerApp.open_browser=False", "--IdentityProvider.token=t"])
    ext = app.extension_manager.extension_points["jupyterlab_nbjobs"].app

    def loaded():
        return sorted(m for m in HEAVY if m in sys.modules)

    async def call(method, path, body=None):
        r = await AsyncHTTPClient().fetch(
            f"http://127.0.0.1:{{app.port}}{{path}}", method=method,
            headers={{"Authorization": "token t"}}, raise_error=False,
            body=None if body is None else json.dumps(body))
        try:
            return r.code, json.loads(r.body or b"null")
        except ValueError:
            return r.code, None

    async def final(job_id):
        for _ in range(600):
            code, job = await call("GET", f"/nbjobs/jobs/{{job_id}}")
            if job["status"] in ("completed", "failed", "stopped"):
                return job["status"]
            await asyncio.sleep(0.1)

    async def drive():
        for _ in range(600):  # until the extension's start has decided
            if ext.stack.built or ext.stack.watching:
                break
            await asyncio.sleep(0.05)
        out = {{"at_start": loaded(), "built_at_start": ext.stack.built}}
        try:
            pass  # the scenario
        finally:
            print("RESULT " + json.dumps(out), flush=True)
            app.io_loop.add_callback(app.stop)

    app.io_loop.add_callback(lambda: asyncio.ensure_future(drive()))
    app.start()
''')

FIRST_REQUESTS = '''
            # An anonymous request and a CORS preflight are answered without loading.
            anonymous = await AsyncHTTPClient().fetch(
                f"http://127.0.0.1:{app.port}/nbjobs/jobs", raise_error=False)
            preflight = await AsyncHTTPClient().fetch(
                f"http://127.0.0.1:{app.port}/nbjobs/jobs", method="OPTIONS", raise_error=False)
            out["before_auth"] = [anonymous.code, preflight.code, loaded(), ext.stack.built]
            # Four first requests at once: a POST with a body, two GETs and a path we lack.
            results = await asyncio.gather(
                call("POST", "/nbjobs/jobs", {"input_path": "one.ipynb"}),
                call("GET", "/nbjobs/jobs"), call("GET", "/nbjobs/environments"),
                call("GET", "/nbjobs/no-such-thing"), call("GET", "/api/status"))
            out["codes"] = [code for code, _ in results]
            out["no_such_thing"] = results[3][1]
            out["status"] = await final(results[0][1]["id"])
            out["after"] = loaded()
            out["alembic_here"] = [m for m in ("alembic", "mako", "pygments") if m in sys.modules]
'''

CLI_SCHEDULE = '''
            # The command line (another process) adds a schedule to the idle server's store.
            cli = [sys.executable, "-m", "jupyterlab_nbjobs.cli", "--root-dir", f"{d}/root",
                   "schedule", "create", "one.ipynb", "--cron", "* * * * * *"]
            made = await asyncio.to_thread(subprocess.run, cli, capture_output=True, text=True)
            out["cli"] = [made.returncode, made.stderr[-2000:]]
            for _ in range(300):
                if ext.stack.built:
                    break
                await asyncio.sleep(0.1)
            out["built_by_itself"] = ext.stack.built
            for _ in range(300):  # the schedule's first fire, run as a job
                code, page = await call("GET", "/nbjobs/jobs")
                if page["jobs"]:
                    break
                await asyncio.sleep(0.1)
            out["fired"] = [j["status"] for j in page["jobs"]][:1]
            code, schedules = await call("GET", "/nbjobs/schedules")
            for s in schedules["schedules"]:
                await call("DELETE", f"/nbjobs/schedules/{s['id']}")
'''


def run_server(tmp_path, scenario: str, **settings) -> dict:
    """Run DRIVER with `scenario`; the settings go in a config file the CLI reads too."""
    write_notebook(tmp_path / "root", "one.ipynb", "x = 1 + 1")
    config_dir = tmp_path / "JUPYTER_CONFIG_DIR"
    config_dir.mkdir(exist_ok=True)
    config = {"NbJobsApp": {"db_url": f"sqlite:///{tmp_path / 'db.sqlite'}",
                            "staging_dir": str(tmp_path / "staging"), **settings},
              "LocalBackend": {"warm_pool": False}}
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(config))
    script = DRIVER.format(heavy=HEAVY).replace("        pass  # the scenario", textwrap.indent(
        textwrap.dedent(scenario).strip("\n"), " " * 8))
    return run_in_fresh_python(script, tmp_path, JUPYTER_CONFIG_PATH="")


def test_an_idle_server_loads_nothing_until_the_first_requests_which_all_get_served(tmp_path):
    out = run_server(tmp_path, FIRST_REQUESTS)
    assert out["at_start"] == [] and out["built_at_start"] is False, out
    assert out["before_auth"] == [403, 200, [], False], out
    assert out["codes"] == [201, 200, 200, 404, 200], out
    assert out["status"] == "completed", out
    assert set(out["after"]) == set(HEAVY), out
    assert out["alembic_here"] == [], out  # the new store was migrated by a child process


def test_work_in_the_store_is_taken_up_at_start_and_when_another_process_adds_it(tmp_path):
    # An idle server; the command line adds a schedule; the server starts by itself and fires.
    out = run_server(tmp_path, CLI_SCHEDULE, cron_seconds_field=True,
                     scheduler_poll_interval=0.3)
    assert out["cli"][0] == 0, out["cli"]
    assert out["at_start"] == [] and out["built_by_itself"] is True, out
    assert out["fired"] and out["fired"][0] in ("queued", "running", "completed"), out

    # The next start finds a run to settle (the fire above may be final by now: add one
    # that is not) and builds before it serves.
    db = tmp_path / "db.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE jobs SET status = 'running'")
    assert has_pending_work(f"sqlite:///{db}")
    out = run_server(tmp_path, '''
        out["statuses"] = [j["status"] for j in (await call("GET", "/nbjobs/jobs"))[1]["jobs"]]
    ''')
    assert out["built_at_start"] is True and "sqlalchemy" in out["at_start"], out
    assert out["statuses"] and "running" not in out["statuses"], out  # settled at start


def test_a_store_that_cannot_open_gets_a_503_with_the_error_shape(tmp_path):
    out = run_server(tmp_path, '''
        out["first"] = await call("GET", "/nbjobs/jobs")
        out["again"] = await call("POST", "/nbjobs/jobs", {"input_path": "one.ipynb"})
    ''', db_url="sqlite:////proc/no-such-dir/db.sqlite")
    for code, body in (out["first"], out["again"]):
        assert code == 503 and body["message"] and body["reason"], out


async def test_pending_work_follows_the_store(api, notebook, nbjobs_config, tmp_path):
    url = nbjobs_config["db_url"]
    assert sqlite_path(url) == str(tmp_path / "nbjobs.sqlite")
    nb = notebook("p.ipynb", "x = 1")
    job = await api.create(input_path=nb)
    assert (await api.wait(job["id"]))["status"] == "completed"
    assert not has_pending_work(url)
    code, sched = await api.post("schedules", {"input_path": nb, "cron": "0 0 1 1 *"})
    assert code == 201, sched
    assert has_pending_work(url)
    assert not has_pending_work(url, schedules=False)  # the scheduler runs elsewhere
    assert not has_pending_work(url, schedule_lead=65)  # not due for weeks
    code, soon = await api.post("schedules", {"input_path": nb, "cron": "* * * * *"})
    assert code == 201, soon
    assert has_pending_work(url, schedule_lead=65)  # due within the minute
    for schedule in (sched, soon):
        code, _ = await api.post(f"schedules/{schedule['id']}/pause", {})
        assert code == 200
    assert not has_pending_work(url)
    path = sqlite_path(url)
    with sqlite3.connect(path) as conn:  # as a server of an older version left it
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
    assert has_pending_work(url)


@pytest.mark.parametrize("url, pending", [
    ("sqlite://", False), ("sqlite:///:memory:", False),
    ("postgresql://user@localhost/db", True),  # not read at start: always built
])
def test_pending_work_of_other_urls(url, pending, tmp_path):
    assert has_pending_work(url) is pending
    assert has_pending_work(f"sqlite:///{tmp_path / 'none' / 'new.sqlite'}") is False
    assert not (tmp_path / "none").exists()


async def test_a_start_that_fails_is_tried_again_by_the_next_request(api, monkeypatch):
    from jupyterlab_nbjobs.composition import NbJobs

    start, calls = NbJobs.start, []

    async def fails_once(self, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise RuntimeError("the store was locked")
        await start(self, **kwargs)

    monkeypatch.setattr(NbJobs, "start", fails_once)
    code, body = await api.get("jobs")
    assert code == 503 and body["reason"] and body["message"], body
    code, body = await api.get("jobs")
    assert code == 200 and len(calls) == 2, body


async def test_services_reached_from_a_thread_are_started_on_the_loop(nbjobs_app):
    stack = nbjobs_app.stack
    assert not stack.built
    await asyncio.to_thread(lambda: nbjobs_app.jobs)  # another extension, from its thread
    for _ in range(100):
        if stack.started:
            break
        await asyncio.sleep(0.05)
    assert stack.started


async def test_a_stop_during_the_load_starts_nothing_afterwards(api, nbjobs_app, monkeypatch):
    from jupyterlab_nbjobs import composition

    build = composition.build

    def slow_build(*args, **kwargs):
        time.sleep(1.0)
        return build(*args, **kwargs)

    monkeypatch.setattr(composition, "build", slow_build)
    request = asyncio.ensure_future(api.get("jobs"))
    await asyncio.sleep(0.3)
    await nbjobs_app.stack.close()
    code, body = await request
    assert code == 503 and body["message"], body
    assert not nbjobs_app.stack.started
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("nbjobs-")]
