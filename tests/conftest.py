"""Shared fixtures: a real Jupyter server with the extension, a real SQLite store, and a
real moto server for AWS. Their helpers are the kits of tests/support/."""

from __future__ import annotations

from pathlib import Path

import pytest
from traitlets.config import Config

from tests.support.aws import REGION, moto_url, reset_moto, set_fake_credentials
from tests.support.server import Api, write_notebook

pytest_plugins = ("pytest_jupyter.jupyter_server",)


@pytest.fixture
def nbjobs_config(tmp_path) -> dict:
    """NbJobsApp settings; a test module may override this fixture."""
    return {
        "db_url": f"sqlite:///{tmp_path / 'nbjobs.sqlite'}",
        "staging_dir": str(tmp_path / "staging"),
    }


@pytest.fixture
def jp_server_config(nbjobs_config):
    return Config({
        "ServerApp": {
            "jpserver_extensions": {"jupyterlab_nbjobs": True},
            "allow_unauthenticated_access": False,
        },
        "NbJobsApp": nbjobs_config,
        "LocalBackend": {"max_concurrent_jobs": 2},
    })


@pytest.fixture
def nbjobs_app(jp_serverapp):
    """The extension's app; its services (`.jobs`, `.instances`, ...) are built when first
    reached."""
    return jp_serverapp.extension_manager.extension_points["jupyterlab_nbjobs"].app


@pytest.fixture
def notebook(jp_root_dir):
    def make(rel: str, *sources: str, **kwargs) -> str:
        return write_notebook(Path(jp_root_dir), rel, *sources, **kwargs)

    return make


@pytest.fixture
def api(jp_fetch) -> Api:
    return Api(jp_fetch)


# -- AWS: a real moto server on 127.0.0.1, one per test process (so one per xdist worker) ----

@pytest.fixture
def moto_endpoint() -> str:
    # Asked each test: moto_url() restarts the server if something killed it.
    return moto_url()


@pytest.fixture
def aws(moto_endpoint, monkeypatch):
    """Fake credentials in the environment and an empty moto; yields the endpoint URL."""
    set_fake_credentials(monkeypatch)
    reset_moto(moto_endpoint)
    return moto_endpoint


@pytest.fixture
def clients(aws):
    from jupyterlab_nbjobs.aws import AwsClients, AwsSettings

    return AwsClients(AwsSettings(region=REGION, endpoint_url=aws, max_attempts=1))
