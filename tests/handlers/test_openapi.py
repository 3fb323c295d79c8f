"""The handlers answer what openapi.yaml says, and openapi.yaml is what models.py says."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from jupyterlab_nbjobs import openapi as spec_module


def test_committed_spec_is_current():
    committed = spec_module.SPEC_PATH.read_text()
    assert committed == spec_module.render(), (
        "openapi.yaml is stale: run `python -m jupyterlab_nbjobs.openapi`"
    )


@pytest.fixture
def checked(api):
    spec = OpenAPI.from_dict(yaml.safe_load(spec_module.SPEC_PATH.read_text()))
    calls = []

    async def call(method, route, body=None, **params):
        resp = await api.call(method, route, body, raw=True, **params)
        content_type = resp.headers.get("Content-Type", "application/json").split(";")[0]
        request = MockRequest("http://localhost", method.lower(), "/nbjobs/" + route,
                              args=params, data=json.dumps(body).encode() if body else None)
        response = MockResponse(resp.body or b"", status_code=resp.code,
                                content_type=content_type)
        spec.validate_response(request, response)
        calls.append((method, re.sub(r"[0-9a-f]{32}", "{id}", route), resp.code))
        return resp.code, json.loads(resp.body) if resp.body else None

    call.calls = calls
    return call


async def test_responses_match_spec(checked, api, notebook):
    nb = notebook("spec.ipynb", "x = 1", parameters="a = 1")
    code, job = await checked("POST", "jobs", {"input_path": nb, "tags": ["t"]})
    assert code == 201
    done = await api.wait(job["id"])
    jid = done["id"]
    for method, path in [("GET", "jobs"), ("GET", f"jobs/{jid}"), ("GET", f"jobs/{jid}/outputs"),
                         ("GET", f"jobs/{jid}/log"), ("GET", "environments")]:
        code, _ = await checked(method, path)
        assert code == 200
    assert (await checked("GET", "parameters", path=nb))[0] == 200
    assert (await checked("POST", f"jobs/{jid}/stop"))[0] == 409
    assert (await checked("GET", "jobs/nope"))[0] == 404
    assert (await checked("POST", "jobs", {"input_path": "../x.ipynb"}))[0] == 400
    code, rerun = await checked("POST", f"jobs/{jid}/rerun", {"parameters": {"a": 2}})
    assert code == 201
    await api.wait(rerun["id"])
    assert (await checked("POST", "jobs/bulk/stop", {"ids": [jid]}))[0] == 200
    assert (await checked("DELETE", f"jobs/{jid}"))[0] == 204
    assert (await checked("POST", "jobs/bulk/delete", {"ids": [rerun["id"]]}))[0] == 200
    assert len(checked.calls) == 14
