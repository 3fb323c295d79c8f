"""Which backends the app offers, from its configuration."""

from __future__ import annotations

import pytest
from traitlets.config import Config


class TestSageMakerConfigured:
    @pytest.fixture
    def jp_server_config(self, nbjobs_config, tmp_path):
        return Config({
            "ServerApp": {"jpserver_extensions": {"jupyterlab_nbjobs": True},
                          "allow_unauthenticated_access": False},
            "NbJobsApp": nbjobs_config,
            # Setting the section is enough to offer the backend; nothing is called on AWS
            # until a job uses it.
            "SageMakerConfig": {"region": "us-east-1", "endpoint_url": "http://127.0.0.1:9",
                                "resource_metadata_path": str(tmp_path / "none.json"),
                                "instance_types": ["ml.m5.large", "ml.c5.xlarge"]},
        })

    async def test_sagemaker_is_offered_with_its_form(self, api):
        code, env = await api.get("environments")
        assert code == 200
        by_name = {b["name"]: b for b in env["backends"]}
        assert set(by_name) == {"local", "sagemaker"}
        assert by_name["local"]["default"] and not by_name["sagemaker"]["default"]
        assert by_name["sagemaker"]["label"] == "Amazon SageMaker"
        assert by_name["sagemaker"]["options"], "the form needs the SageMaker fields"


class TestSageMakerDisabled:
    @pytest.fixture
    def nbjobs_config(self, nbjobs_config):
        return {**nbjobs_config, "enable_sagemaker": False}

    async def test_only_local(self, api):
        _, env = await api.get("environments")
        assert [b["name"] for b in env["backends"]] == ["local"]
