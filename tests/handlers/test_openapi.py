"""The handlers answer what openapi.yaml says, and openapi.yaml is what the models say: it is
current, every route is in it, every error is the Error shape, and what it says of names,
statuses and sort keys is what the validators decide."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from pydantic import ValidationError

from jupyterlab_nbjobs import openapi as spec_module
from jupyterlab_nbjobs.handlers import all_routes
from jupyterlab_nbjobs.models import JobListQuery, JobStatus, check_env, check_parameters

SPEC = spec_module.build_spec()
METHODS = ("get", "post", "patch", "put", "delete")


def test_committed_spec_is_current():
    committed = spec_module.SPEC_PATH.read_text()
    assert committed == spec_module.render(), (
        "openapi.yaml is stale: run `python -m jupyterlab_nbjobs.openapi`"
    )


def test_every_route_and_method_is_in_the_spec():
    routes = {}
    for pattern, handler in all_routes(""):
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern)
        routes[path] = {m for m in METHODS
                        if not getattr(handler, m).__qualname__.endswith("_unimplemented_method")}
    documented = {path: {m for m in item if m in METHODS} for path, item in SPEC["paths"].items()}
    assert routes == documented


def test_every_error_answer_is_the_error_shape():
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            codes = [int(c) for c in op["responses"]]
            assert 403 in codes, (method, path)
            if "requestBody" in op:
                assert {400, 413} <= set(codes), (method, path)
            if "{" in path:
                assert 404 in codes, (method, path)
            for code, answer in op["responses"].items():
                if 400 <= int(code) < 500:
                    assert answer["content"] == {"application/json": {"schema": {
                        "$ref": "#/components/schemas/Error"}}}, (method, path, code)


def test_a_body_is_required_only_when_empty_is_refused():
    for item in SPEC["paths"].values():
        for op in item.values():
            body = op.get("requestBody")
            if body:
                name = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
                schema = SPEC["components"]["schemas"][name]
                assert body["required"] == bool(schema.get("required")), name


def accepts(schema: dict, value) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(value)


def refused(check, value) -> bool:
    try:
        check(value)
    except (ValueError, ValidationError):  # PydanticCustomError is a ValueError
        return True
    return False


NAMES = st.one_of(st.text(max_size=12), st.text("abcXYZ_019é€ ", max_size=6),
                  st.sampled_from(["print", "__x__", "__", "___", "_", "class", "None", "a1",
                                   "1a", "é", "ﬁ", "a-b", ""]))


@settings(max_examples=400, deadline=None, database=None)
@given(NAMES)
def test_the_spec_never_forbids_a_name_the_server_takes(name):
    """Sound everywhere; exact for ASCII names (the rest of Unicode the server decides)."""
    params = {"type": "object", "propertyNames": spec_module.PARAMETER_NAME}
    env = {"type": "object", "propertyNames": spec_module.ENV_NAME}
    for schema, check in [(params, lambda n: check_parameters({n: 1})),
                          (env, lambda n: check_env({n: "v"}))]:
        taken = not refused(check, name)
        if taken:
            assert accepts(schema, {name: 1}), name
        if name.isascii():
            assert taken == accepts(schema, {name: 1}), name


STATUS_TEXT = st.lists(st.sampled_from([s.value for s in JobStatus] + ["", "lost", " queued"]),
                       min_size=1, max_size=4).map(",".join)


@settings(max_examples=300, deadline=None, database=None)
@given(STATUS_TEXT, st.text(max_size=14) | st.sampled_from(["name", "-name", "--name"]))
def test_status_and_sort_in_the_spec_are_what_the_query_model_takes(status, sort):
    params = {p["name"]: p["schema"] for p in SPEC["paths"]["/jobs"]["get"]["parameters"]}
    for name, value in [("status", status), ("sort", sort)]:
        # An empty argument is refused before the model sees it (NbJobsHandler.parse_query).
        taken = value != "" and not refused(JobListQuery.model_validate, {name: value})
        assert taken == accepts(params[name], value), (name, value)


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
                                headers=dict(resp.headers), content_type=content_type)
        spec.validate_response(request, response)
        calls.append((method, re.sub(r"[0-9a-f]{32}", "{id}", route), resp.code))
        return resp.code, json.loads(resp.body) if resp.body and content_type.endswith(
            "json") else resp.body

    call.calls = calls
    return call


async def test_responses_match_spec(checked, api, notebook):
    nb = notebook("spec.ipynb", "x = 1", parameters="a = 1")
    code, job = await checked("POST", "jobs", {"input_path": nb, "tags": ["t"],
                                               "idempotency_key": "k1"})
    assert code == 201
    code, again = await checked("POST", "jobs", {"input_path": nb, "idempotency_key": "k1"})
    assert (code, again["id"]) == (200, job["id"])
    done = await api.wait(job["id"])
    jid = done["id"]
    for method, path in [("GET", "jobs"), ("GET", f"jobs/{jid}"), ("GET", f"jobs/{jid}/outputs"),
                         ("GET", f"jobs/{jid}/log"), ("GET", "environments"),
                         ("GET", f"jobs/{jid}/outputs/spec.ipynb"), ("GET", f"jobs/{jid}/view")]:
        code, _ = await checked(method, path)
        assert code == 200, path
    assert (await checked("GET", f"jobs/{jid}/outputs/spec.log", download="1"))[0] == 200
    assert (await checked("GET", "parameters", path=nb))[0] == 200
    assert (await checked("POST", f"jobs/{jid}/stop"))[0] == 409
    assert (await checked("GET", "jobs/nope"))[0] == 404
    assert (await checked("GET", f"jobs/{jid}/outputs/nope.txt"))[0] == 404
    assert (await checked("POST", "jobs", {"input_path": "../x.ipynb"}))[0] == 400
    code, rerun = await checked("POST", f"jobs/{jid}/rerun", {"parameters": {"a": 2}})
    assert code == 201
    await api.wait(rerun["id"])
    assert (await checked("POST", "jobs/bulk/stop", {"ids": [jid]}))[0] == 200
    assert (await checked("DELETE", f"jobs/{jid}"))[0] == 204
    assert (await checked("POST", "jobs/bulk/delete", {"ids": [rerun["id"]]}))[0] == 200
    assert len(checked.calls) == 19


async def test_a_rerun_needs_no_body(api, notebook):
    nb = notebook("again.ipynb", "x = a", parameters="a = 1")
    job = await api.wait((await api.create(input_path=nb, parameters={"a": 5}))["id"])
    code, rerun = await api.call("POST", f"jobs/{job['id']}/rerun", b"")
    assert code == 201, rerun
    assert rerun["parameters"] == {"a": 5}
    await api.wait(rerun["id"])


@pytest.mark.parametrize("route, query", [
    ("jobs", "updated_since"), ("jobs", "limit"), ("jobs", "sort"), ("jobs", "status"),
    ("jobs", "name"), ("jobs", "cursor"), ("jobs/{id}/log", "tail"), ("jobs/{id}/log", "offset"),
    ("jobs/{id}/outputs/x.ipynb", "download"), ("jobs/{id}/view", "download"),
])
async def test_an_empty_query_argument_is_refused(api, notebook, route, query):
    """The spec has no empty value for any query argument, and the server takes none."""
    if "{id}" in route:
        nb = notebook("x.ipynb", "x = 1")
        route = route.replace("{id}", (await api.wait((await api.create(input_path=nb))["id"]))["id"])
    code, body = await api.get(route, **{query: ""})
    assert (code, body["reason"], body["field"]) == (400, "invalid_value", query), body


async def test_query_values_are_read_as_sent(api):
    for query in [{"limit": " 5"}, {"sort": " name"}, {"status": "queued "}]:
        code, body = await api.get("jobs", **query)
        assert code == 400, (query, body)
    code, body = await api.get("jobs", limit="5")
    assert code == 200, body


async def test_delete_runs_is_a_boolean(api, notebook):
    nb = notebook("sched.ipynb", "x = 1")
    code, sched = await api.post("schedules", {"input_path": nb, "cron": "@daily"})
    assert code == 201, sched
    for bad in ["", "yes", "TRUE"]:
        code, body = await api.call("DELETE", f"schedules/{sched['id']}", delete_runs=bad)
        assert (code, body["field"]) == (400, "delete_runs"), body
    code, _ = await api.call("DELETE", f"schedules/{sched['id']}", delete_runs="0")
    assert code == 204
