"""Fixtures for tests/aws: a real moto server on 127.0.0.1, reset before each test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from sm_support import REGION, moto_url, reset_moto, set_fake_credentials  # noqa: E402


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
