"""A backend is a class named in c.NbJobsApp.backend_classes, configured by its own traits."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from traitlets import Unicode
from traitlets.config import Config

from jupyterlab_nbjobs.backends.base import ActiveRun, Backend, RunRequest
from jupyterlab_nbjobs.backends.local import LocalBackend


class RecordedBackend(Backend):
    """A test double: a run ends at once with the outcome its trait names."""

    name = "recorded"
    label = "Recorded (tests)"
    outcome = Unicode("completed", help="status every run ends with").tag(config=True)

    def __init__(self, events, **kwargs):
        super().__init__(events, **kwargs)
        self.started: list[RunRequest] = []

    async def start(self, run: RunRequest) -> None:
        self.started.append(run)
        asyncio.get_running_loop().create_task(self._finish(run))

    async def _finish(self, run: RunRequest) -> None:
        now = datetime.now(timezone.utc).isoformat()
        await self.events.on_started(run.job_id, run.attempt, {"recorded": True})
        await self.events.on_finished(run.job_id, run.attempt, {
            "status": self.outcome, "attempt": run.attempt, "started_at": now, "ended_at": now,
            "cells_done": 0, "cells_total": 0, "outputs": []})

    async def stop(self, job_id: str) -> None:
        return None

    async def reconcile(self, runs: list[ActiveRun]) -> None:
        return None


class NamedLikeLocal(RecordedBackend):
    name = "local"


def server_config(nbjobs_config, classes, **sections) -> Config:
    return Config({
        "ServerApp": {"jpserver_extensions": {"jupyterlab_nbjobs": True},
                      "allow_unauthenticated_access": False},
        "NbJobsApp": {**nbjobs_config, "backend_classes": classes},
        **sections,
    })


class TestAddedByConfig:
    @pytest.fixture
    def jp_server_config(self, nbjobs_config):
        return server_config(nbjobs_config, [LocalBackend, RecordedBackend],
                             RecordedBackend={"outcome": "stopped"},
                             LocalBackend={"max_concurrent_jobs": 3, "warm_pool": False})

    async def test_offered_configured_and_used(self, api, notebook, jp_serverapp):
        code, env = await api.get("environments")
        assert code == 200
        assert [(b["name"], b["label"]) for b in env["backends"]] == [
            ("local", "This machine"), ("recorded", "Recorded (tests)")]
        job = await api.create(input_path=notebook("a.ipynb", "x = 1"), backend="recorded")
        done = await api.wait(job["id"])
        assert done["status"] == "stopped" and done["backend"] == "recorded"  # its own trait
        app = jp_serverapp.extension_manager.extension_points["jupyterlab_nbjobs"].app
        assert [r.job_id for r in app.jobs.backends["recorded"].started] == [job["id"]]
        local = app.jobs.backends["local"]
        assert local.max_concurrent_jobs == 3 and local.pool is None


class TestAppendedByConfig:
    """c.NbJobsApp.backend_classes.append(...) in a config file adds to the default set."""

    @pytest.fixture
    def jp_server_config(self, nbjobs_config):
        config = server_config(nbjobs_config, [])
        del config.NbJobsApp["backend_classes"]
        config.NbJobsApp.backend_classes.append(f"{__name__}.RecordedBackend")
        return config

    async def test_offered_next_to_the_default_ones(self, api):
        code, env = await api.get("environments")
        assert code == 200
        assert [b["name"] for b in env["backends"]] == ["local", "recorded"], env["backends"]


def test_a_class_listed_twice_is_offered_once(tmp_path):
    """A config file applied twice lists its appends twice (and a list may name one class
    both as a class and by its name): one backend of each class."""
    from jupyterlab_nbjobs.app import NbJobsApp
    from jupyterlab_nbjobs.composition import make_backends

    config = server_config({"db_url": f"sqlite:///{tmp_path / 'db.sqlite'}"}, [])
    del config.NbJobsApp["backend_classes"]
    for _ in range(2):
        config.NbJobsApp.backend_classes.append(f"{__name__}.RecordedBackend")
    settings = NbJobsApp(config=config)
    assert settings.offered_backend_classes() == [LocalBackend, RecordedBackend]
    assert [b.name for b in make_backends(settings, events=None)] == ["local", "recorded"]

    listed = server_config({}, [RecordedBackend, f"{__name__}.RecordedBackend", LocalBackend])
    assert NbJobsApp(config=listed).offered_backend_classes() == [RecordedBackend,
                                                                  LocalBackend]


class TestOldLocalSettings:
    @pytest.fixture
    def jp_server_config(self, nbjobs_config):
        return Config({
            "ServerApp": {"jpserver_extensions": {"jupyterlab_nbjobs": True},
                          "allow_unauthenticated_access": False},
            "NbJobsApp": {**nbjobs_config, "max_concurrent_jobs": 1, "warm_pool": False},
        })

    async def test_still_reach_the_local_backend(self, api, jp_serverapp):
        app = jp_serverapp.extension_manager.extension_points["jupyterlab_nbjobs"].app
        local = app.jobs.backends["local"]
        assert local.max_concurrent_jobs == 1 and local.pool is None


def test_two_backends_with_one_name_are_refused(tmp_path):
    from jupyterlab_nbjobs.app import NbJobsApp
    from jupyterlab_nbjobs.composition import make_backends

    settings = NbJobsApp(config=server_config(
        {"db_url": f"sqlite:///{tmp_path / 'db.sqlite'}"}, [LocalBackend, NamedLikeLocal]))
    with pytest.raises(ValueError, match="needs a name of its own"):
        make_backends(settings, events=None)


PLUGIN = '''
from tests.handlers.test_backend_plugins import RecordedBackend


class PluginBackend(RecordedBackend):
    name = "plugin"
    label = "From another package"
'''


@pytest.fixture
def installed_plugin(tmp_path_factory, monkeypatch):
    """A package with a backend entry point, installed the way pip leaves one: a module and
    a .dist-info folder on sys.path."""
    site = tmp_path_factory.mktemp("site")
    (site / "nbjobs_plugin_demo.py").write_text(PLUGIN)
    info = site / "nbjobs_plugin_demo-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: nbjobs-plugin-demo\n"
                                   "Version: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[jupyterlab_nbjobs.backends]\nplugin = nbjobs_plugin_demo:PluginBackend\n")
    monkeypatch.syspath_prepend(str(site))
    return site


class TestInstalledByEntryPoint:
    @pytest.fixture
    def jp_server_config(self, nbjobs_config, installed_plugin):
        # backend_classes left to its default: what is installed is offered.
        return Config({
            "ServerApp": {"jpserver_extensions": {"jupyterlab_nbjobs": True},
                          "allow_unauthenticated_access": False},
            "NbJobsApp": nbjobs_config,
            "PluginBackend": {"outcome": "failed"},
        })

    async def test_offered_next_to_the_default_ones(self, api, notebook):
        code, env = await api.get("environments")
        assert code == 200
        assert [b["name"] for b in env["backends"]] == ["local", "plugin"], env["backends"]
        job = await api.create(input_path=notebook("p.ipynb", "x = 1"), backend="plugin")
        done = await api.wait(job["id"])
        assert done["status"] == "failed" and done["backend"] == "plugin"  # its own trait
