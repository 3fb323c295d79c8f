"""Build the OpenAPI document from the pydantic models; `python -m jupyterlab_nbjobs.openapi`
rewrites openapi.yaml, and a test fails when the committed file is out of date.

The document says exactly what the server does: request bodies in pydantic's validation view,
answers in its serialization view, plus what pydantic cannot see (the checks inside field
validators, the query arguments the handlers read, the error answers of each operation).
tests/handlers/test_openapi.py checks the rules below against the validators, and
tests/handlers/test_fuzz.py checks the whole document against a live server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from .instances import instance_paths
from .jobs import job_paths
from .parts import (
    ENV_NAME,
    PARAMETER_NAME,
    REQUESTS,
    RESPONSES,
    apply_validator_rules,
    error_schema,
)
from .schedules import comparison_paths, schedule_paths

__all__ = ["ENV_NAME", "PARAMETER_NAME", "SPEC_PATH", "build_spec", "render"]

SPEC_PATH = Path(__file__).parent.parent / "openapi.yaml"


def build_spec() -> dict[str, Any]:
    _, defs = models_json_schema([(m, "validation") for m in REQUESTS] +
                                 [(m, "serialization") for m in RESPONSES],
                                 ref_template="#/components/schemas/{model}")
    schemas = defs["$defs"]
    apply_validator_rules(schemas)
    schemas["Error"] = error_schema()
    paths = job_paths()
    paths.update(schedule_paths())
    paths.update(instance_paths())
    paths.update(comparison_paths())
    return {
        "openapi": "3.1.0",
        "info": {"title": "jupyterlab_nbjobs", "version": "1"},
        "servers": [{"url": "/nbjobs"}],
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"token": {
                "type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`token <the Jupyter server's token>`; a browser session "
                               "uses its cookie and the _xsrf token instead"}},
        },
    }


def render() -> str:
    import yaml

    class NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data):
            return True

    return yaml.dump(build_spec(), Dumper=NoAliases, sort_keys=False, width=100)
