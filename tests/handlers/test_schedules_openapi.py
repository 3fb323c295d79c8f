"""The schedule, cron and sweep handlers answer what openapi.yaml says."""

from __future__ import annotations

import json

import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from jupyterlab_nbjobs import openapi as spec_module


async def test_schedule_and_sweep_responses_match_spec(api, notebook):
    spec = OpenAPI.from_dict(yaml.safe_load(spec_module.SPEC_PATH.read_text()))
    seen = []

    async def checked(method, route, body=None, **params):
        resp = await api.call(method, route, body, raw=True, **params)
        content_type = resp.headers.get("Content-Type", "application/json").split(";")[0]
        request = MockRequest("http://localhost", method.lower(), "/nbjobs/" + route,
                              args=params, data=json.dumps(body).encode() if body else None)
        spec.validate_response(request, MockResponse(resp.body or b"", status_code=resp.code,
                                                     content_type=content_type))
        seen.append((method, route.split("/")[0], resp.code))
        return resp.code, json.loads(resp.body) if resp.body else None

    nb = notebook("o.ipynb", "x = a", parameters="a = 1")
    code, sched = await checked("POST", "schedules", {"input_path": nb, "cron": "@daily",
                                                      "timezone": "Asia/Tokyo"})
    assert code == 201
    sid = sched["id"]
    assert (await checked("GET", "schedules"))[0] == 200
    assert (await checked("PATCH", f"schedules/{sid}", {"catchup_policy": "skip"}))[0] == 200
    assert (await checked("POST", f"schedules/{sid}/pause"))[0] == 200
    assert (await checked("POST", f"schedules/{sid}/resume"))[0] == 200
    code, ran = await checked("POST", f"schedules/{sid}/run", {"parameters": {"a": 2}})
    assert code == 201
    await api.wait(ran["job"]["id"])
    assert (await checked("GET", f"schedules/{sid}"))[0] == 200
    assert (await checked("POST", f"schedules/{sid}/refresh-snapshot"))[0] == 200
    assert (await checked("POST", "schedules", {"input_path": nb, "cron": "x"}))[0] == 400
    assert (await checked("GET", "schedules/nope"))[0] == 404
    assert (await checked("POST", "cron/validate", {"cron": "@hourly"}))[0] == 200
    assert (await checked("POST", "cron/validate", {"cron": "@often"}))[0] == 400
    assert (await checked("DELETE", f"schedules/{sid}", delete_runs="true"))[0] == 204

    code, sweep = await checked("POST", "sweeps", {"input_path": nb, "grid": {"a": [1, 2]}})
    assert code == 201
    for item in sweep["items"]:
        await api.wait(item["job_id"])
    assert (await checked("GET", "sweeps"))[0] == 200
    assert (await checked("GET", f"sweeps/{sweep['id']}"))[0] == 200
    assert (await checked("POST", f"sweeps/{sweep['id']}/stop"))[0] == 200
    assert (await checked("POST", "sweeps", {"input_path": nb, "grid": {}}))[0] == 400
    assert (await checked("DELETE", f"sweeps/{sweep['id']}"))[0] == 204
    assert (await checked("GET", f"sweeps/{sweep['id']}"))[0] == 404
    assert len(seen) == 20
