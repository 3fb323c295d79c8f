"""Every client mistake is a 4xx with {"message", "reason"}; never a 500."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest


def assert_error(code, body, status=400, reason=None, field=None):
    assert code == status, body
    assert set(body) >= {"message", "reason"} and body["message"], body
    if reason:
        assert body["reason"] == reason, body
    if field:
        assert body.get("field") == field, body


async def test_malformed_and_unknown(api, notebook):
    code, body = await api.post("jobs", "{not json")
    assert_error(code, body, reason="malformed_json")
    code, body = await api.post("jobs", "[1, 2]")
    assert_error(code, body, reason="malformed_json")
    nb = notebook("ok.ipynb", "x = 1")
    code, body = await api.post("jobs", {"input_path": nb, "colour": "red"})
    assert_error(code, body, reason="unknown_field", field="colour")
    code, body = await api.post("jobs", {})
    assert_error(code, body, field="input_path")


@pytest.mark.parametrize("path", ["../outside.ipynb", "a/../../outside.ipynb",
                                  "/etc/passwd", "C:/x.ipynb"])
async def test_paths_outside_root(api, path):
    code, body = await api.post("jobs", {"input_path": path})
    assert_error(code, body, reason="path_outside_root", field="input_path")


async def test_symlink_escape_and_sibling_prefix(api, jp_root_dir, tmp_path, notebook):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.ipynb").write_text("{}")
    os.symlink(outside, Path(jp_root_dir) / "link")
    code, body = await api.post("jobs", {"input_path": "link/secret.ipynb"})
    assert_error(code, body, reason="path_outside_root")
    # A sibling folder whose name starts like the root must not pass a prefix check.
    sibling = Path(str(jp_root_dir) + "-sibling")
    sibling.mkdir()
    os.symlink(sibling, Path(jp_root_dir) / "sib")
    code, body = await api.post("jobs", {"input_path": "sib/x.ipynb"})
    assert_error(code, body, reason="path_outside_root")


async def test_missing_invalid_notebook_and_kernel(api, notebook, jp_root_dir):
    code, body = await api.post("jobs", {"input_path": "nope.ipynb"})
    assert_error(code, body, reason="file_not_found")
    (Path(jp_root_dir) / "bad.ipynb").write_text("this is not json")
    code, body = await api.post("jobs", {"input_path": "bad.ipynb"})
    assert_error(code, body, reason="invalid_notebook")
    (Path(jp_root_dir) / "folder.ipynb").mkdir()
    code, body = await api.post("jobs", {"input_path": "folder.ipynb"})
    assert_error(code, body, reason="not_a_notebook")
    nb = notebook("k.ipynb", "x = 1")
    code, body = await api.post("jobs", {"input_path": nb, "kernel_name": "cobol"})
    assert_error(code, body, reason="unknown_kernel", field="kernel_name")
    code, body = await api.post("jobs", {"input_path": nb, "output_formats": ["docx"]})
    assert_error(code, body, reason="unknown_output_format", field="output_formats")
    code, body = await api.post("jobs", {"input_path": nb, "backend": "mainframe"})
    assert_error(code, body, reason="unknown_backend", field="backend")
    code, body = await api.post("jobs", {"input_path": nb, "backend_options": {"x": 1}})
    assert_error(code, body, reason="invalid_backend_options")


async def test_bad_parameters_env_and_limits(api, notebook):
    nb = notebook("p.ipynb", "x = 1")
    for params, field in [({"1abc": 1}, "parameters"), ({"for": 1}, "parameters"),
                          ({"a b": 1}, "parameters")]:
        code, body = await api.post("jobs", {"input_path": nb, "parameters": params})
        assert_error(code, body, field=field)
    code, body = await api.post("jobs", '{"input_path": "p.ipynb", "parameters": {"x": NaN}}')
    assert_error(code, body, field="parameters")
    assert "JSON" in body["message"]
    code, body = await api.post("jobs", {"input_path": nb, "parameters": [1]})
    assert_error(code, body, field="parameters")
    code, body = await api.post("jobs", {"input_path": nb, "env": {"A=B": "x"}})
    assert_error(code, body, field="env")
    code, body = await api.post("jobs", {"input_path": nb, "timeout_seconds": -1})
    assert_error(code, body, field="timeout_seconds")
    code, body = await api.post("jobs", {"input_path": nb, "max_retries": -1})
    assert_error(code, body, field="max_retries")
    for query, reason in [({"limit": "-1"}, "invalid_value"), ({"limit": "abc"}, "invalid_value"),
                          ({"limit": "501"}, "invalid_value"), ({"sort": "colour"}, "invalid_sort"),
                          ({"status": "queued,lost"}, "invalid_status"),
                          ({"cursor": "garbage!"}, "invalid_cursor"),
                          ({"updated_since": "yesterday"}, "invalid_value")]:
        code, body = await api.get("jobs", **query)
        assert_error(code, body, reason=reason, field=next(iter(query)))
    code, body = await api.get("parameters")
    assert_error(code, body, reason="missing_path")
    code, body = await api.get("parameters", path="../x.ipynb")
    assert_error(code, body, reason="path_outside_root")


async def test_unknown_ids_and_outputs(api, notebook):
    for method, path in [("GET", "jobs/0123"), ("DELETE", "jobs/abc"),
                         ("POST", "jobs/abc/stop"), ("POST", "jobs/abc/rerun"),
                         ("GET", "jobs/abc/outputs"), ("GET", "jobs/abc/log")]:
        code, body = await api.call(method, path)
        assert_error(code, body, status=404, reason="job_not_found")
    nb = notebook("o.ipynb", "x = 1")
    job = await api.wait((await api.create(input_path=nb))["id"])
    code, body = await api.get(f"jobs/{job['id']}/outputs/missing.txt")
    assert_error(code, body, status=404, reason="output_not_found")
    code, body = await api.get(f"jobs/{job['id']}/outputs/..%2F..%2Fetc%2Fpasswd")
    assert code in (400, 404) and body["reason"] in ("path_outside_root", "output_not_found")
    code, body = await api.post(f"jobs/{job['id']}/rerun", {"parameters": {"bad name": 1}})
    assert_error(code, body, field="parameters")
    code, body = await api.post("jobs/bulk/delete", {"ids": []})
    assert_error(code, body, field="ids")


# -- whatever is accepted can be written back: checked at the door ---------------------------

def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


async def nothing_stored(api):
    for route, key in [("jobs", "jobs"), ("schedules", "schedules"), ("sweeps", "sweeps")]:
        code, body = await api.get(route)
        assert code == 200 and body[key] == [], body


@pytest.mark.parametrize("route,extra", [("jobs", {}), ("schedules", {"cron": "@daily"}),
                                         ("sweeps", {"grid": {"g": [1, 2]}})])
async def test_unwritable_values_refused(api, notebook, route, extra):
    nb = notebook("ok.ipynb", "x = 1")
    base = {"input_path": nb, **extra}
    for change, reason, field in [
        ({"parameters": {"a": "\ud800"}}, "invalid_text", "parameters"),
        ({"parameters": {"a": {"\udc00": 1}}}, "invalid_text", "parameters"),
        ({"parameters": {"a": [{"b": "ok \ud83d"}]}}, "invalid_text", "parameters"),
        ({"backend_options": {"\ud800": 1}}, "invalid_text", "backend_options"),
        ({"tags": ["\ud83d"]}, "invalid_text", "tags.0"),
        ({"name": "\ud800"}, "invalid_text", "name"),
        ({"input_path": "ok\udfff.ipynb"}, "invalid_text", "input_path"),
        ({"env": {"A": "\ud800"}}, "invalid_text", "env"),
        ({"parameters": {"a": 2**64}}, "invalid_json_value", "parameters"),
        ({"parameters": {"__builtins__": 1}}, "invalid_value", "parameters"),
        ({"parameters": {"a": "x" * (1 << 20)}}, "invalid_size", "parameters"),
    ]:
        code, body = await api.post(route, {**base, **change})
        assert_error(code, body, reason=reason, field=field)
    for raw, reason, field in [  # JSON text json.dumps would not write
        ('"parameters": {"a": ' + deep(260) + "}", "invalid_json_value", "parameters"),
        ('"parameters": {"a": ' + "9" * 5000 + "}", "invalid_json_value", None),
        ('"parameters": {"a": ' + deep(100_000) + "}", "invalid_json_value", None),
        ('"timeout_seconds": Infinity', "invalid_value", "timeout_seconds"),
        ('"timeout_seconds": NaN', "invalid_value", "timeout_seconds"),
    ]:
        code, body = await api.post(route, json.dumps(base)[:-1] + ", " + raw + "}")
        assert_error(code, body, reason=reason, field=field)
    await nothing_stored(api)


async def test_sweep_grid_and_combinations_checked(api, notebook):
    nb = notebook("ok.ipynb", "x = 1")
    for change, reason, field in [
        ({"grid": {"a": ["\ud800"]}}, "invalid_text", "grid"),
        ({"combinations": [{"a": "\ud800"}]}, "invalid_text", "combinations"),
        ({"combinations": [{"__name__": 1}]}, "invalid_value", "combinations"),
        ({"grid": {"a": [float("inf")]}}, "invalid_json_value", "grid"),
    ]:
        code, body = await api.post("sweeps", {"input_path": nb, **change})
        assert_error(code, body, reason=reason, field=field)
    code, body = await api.post("sweeps", '{"input_path": "ok.ipynb", "grid": {"a": ['
                                + deep(40) + "]}}")
    assert_error(code, body, reason="invalid_json_value", field="grid")
    await nothing_stored(api)


async def test_nul_refused_where_the_store_or_a_process_cannot_take_it(api, notebook):
    nb = notebook("ok.ipynb", "x = 1")
    for change, field in [({"name": "a\0b"}, "name"), ({"tags": ["a\0"]}, "tags.0"),
                          ({"idempotency_key": "k\0"}, "idempotency_key"),
                          ({"env": {"A": "x\0y"}}, "env"), ({"kernel_name": "\0"}, "kernel_name")]:
        code, body = await api.post("jobs", {"input_path": nb, **change})
        assert_error(code, body, reason="invalid_text", field=field)
    code, body = await api.post("schedules", {"input_path": nb, "cron": "@daily\0"})
    assert_error(code, body, reason="invalid_text", field="cron")
    code, body = await api.post("jobs/bulk/stop", {"ids": ["a\0"]})
    assert_error(code, body, reason="invalid_text", field="ids.0")
    for route in ("jobs/a%00b", "schedules/a%00b", "sweeps/a%00b"):
        code, body = await api.get(route)
        assert_error(code, body, status=404)
    # NUL inside a parameter's string is a JSON value papermill renders: accepted.
    code, job = await api.post("jobs", {"input_path": nb, "parameters": {"s": "a\0b"}})
    assert code == 201 and job["parameters"] == {"s": "a\0b"}, job


async def test_empty_idempotency_key_is_400_every_time(api, notebook):
    nb = notebook("ok.ipynb", "x = 1")
    for _ in range(2):
        code, body = await api.post("jobs", {"input_path": nb, "idempotency_key": ""})
        assert_error(code, body, field="idempotency_key")
    await nothing_stored(api)


async def test_builtin_names_accepted_dunder_names_refused(api, notebook):
    nb = notebook("ok.ipynb", "print(max)", parameters="max = 0")
    job = await api.create(input_path=nb, parameters={"max": 3})
    assert (await api.wait(job["id"]))["status"] == "completed"
    code, body = await api.post("jobs", {"input_path": nb, "parameters": {"__builtins__": 1}})
    assert_error(code, body, field="parameters")
    assert "reserved" in body["message"]
    code, sched = await api.post("schedules", {"input_path": nb, "cron": "@daily",
                                               "parameters": {"print": 1}})
    assert code == 201, sched
    assert any("print" in w and "builtin" in w for w in sched["warnings"]), sched


async def test_body_and_parameter_size_limits(api, notebook):
    nb = notebook("ok.ipynb", "x = 1")
    code, body = await api.post("jobs", {"input_path": nb, "parameters": {"a": "x" * 10_000_000}})
    assert_error(code, body, status=413, reason="body_too_large")
    code, body = await api.post("jobs", {"input_path": nb, "parameters": {"a": "x" * 1_500_000}})
    assert_error(code, body, reason="invalid_size", field="parameters")
    code, body = await api.post("jobs", {"input_path": nb, "env": {"A": "x" * 100_000}})
    assert_error(code, body, reason="invalid_size", field="env")
    await nothing_stored(api)
    code, job = await api.post("jobs", {"input_path": nb, "parameters": {"a": "x" * 900_000}})
    assert code == 201, job
    # A rerun's merged parameters are checked too: over the limit is a 400, not a 500.
    code, body = await api.post(f"jobs/{job['id']}/rerun", {"parameters": {"b": "y" * 900_000}})
    assert_error(code, body, reason="invalid_size", field="parameters")


async def test_sort_with_two_dashes(api):
    code, body = await api.get("jobs", sort="--created_at")
    assert_error(code, body, reason="invalid_sort", field="sort")


async def test_path_components_too_long(api, notebook):
    nb = notebook("ok.ipynb", "x = 1")
    long = "a" * 256 + ".ipynb"
    for route, extra in [("jobs", {}), ("schedules", {"cron": "@daily"}),
                         ("sweeps", {"grid": {"g": [1]}})]:
        code, body = await api.post(route, {"input_path": f"dir/{long}", **extra})
        assert_error(code, body, reason="invalid_path", field="input_path")
    code, body = await api.post("jobs", {"input_path": "d/" * 2100 + "x.ipynb"})
    assert_error(code, body, reason="invalid_path", field="input_path")
    code, body = await api.get("parameters", path=long)
    assert_error(code, body, reason="invalid_path", field="path")
    job = await api.create(input_path=nb)
    code, body = await api.get(f"jobs/{job['id']}/outputs/{long}")
    assert code in (400, 404) and body["reason"] in ("invalid_path", "output_not_found"), body
    await nothing_stored_but(api, job["id"])


async def nothing_stored_but(api, job_id):
    code, page = await api.get("jobs")
    assert code == 200 and [j["id"] for j in page["jobs"]] == [job_id], page
    for route in ("schedules", "sweeps"):
        code, body = await api.get(route)
        assert code == 200 and body[route] == [], body


async def test_schedule_update_checked_like_create(api, notebook):
    nb = notebook("ok.ipynb", "x = 1")
    code, sched = await api.post("schedules", {"input_path": nb, "cron": "@daily",
                                               "parameters": {"a": 1}})
    assert code == 201, sched
    for change, reason in [({"parameters": {"a": "\ud800"}}, "invalid_text"),
                           ({"tags": ["\0"]}, "invalid_text"),
                           ({"timeout_seconds": float("inf")}, "invalid_value")]:
        code, body = await api.call("PATCH", f"schedules/{sched['id']}", json.dumps(change))
        assert_error(code, body, reason=reason)
    code, again = await api.get(f"schedules/{sched['id']}")
    assert code == 200 and again["parameters"] == {"a": 1} and again["tags"] == []
    code, body = await api.post(f"schedules/{sched['id']}/run", {"parameters": {"b": "\udc00"}})
    assert_error(code, body, reason="invalid_text", field="parameters")


async def test_numbers_are_json_numbers_not_booleans_or_strings(api, notebook):
    """The spec says integer / number: true, "3" or 3.0 for a count is refused, not coerced."""
    nb = notebook("n.ipynb", "x = 1")
    code, job = await api.post("jobs", {"input_path": nb, "timeout_seconds": 30, "max_retries": 1})
    assert code == 201 and job["timeout_seconds"] == 30 and job["max_retries"] == 1, job
    for field, value in [("max_retries", False), ("max_retries", "3"), ("max_retries", 1.0),
                         ("timeout_seconds", True), ("timeout_seconds", "5")]:
        code, body = await api.post("jobs", {"input_path": nb, field: value})
        assert_error(code, body, field=field)
    code, sched = await api.post("schedules", {"input_path": nb, "cron": "@daily"})
    assert code == 201, sched
    for path, change, field in [
            (f"schedules/{sched['id']}/run", {"max_retries": False}, "max_retries"),
            (f"jobs/{job['id']}/rerun", {"timeout_seconds": "5"}, "timeout_seconds"),
            ("schedules", {"input_path": nb, "cron": "@daily", "catchup_limit": True},
             "catchup_limit"),
            ("cron/validate", {"cron": "@daily", "count": "3"}, "count")]:
        code, body = await api.post(path, change)
        assert_error(code, body, field=field)
    code, body = await api.call("PATCH", f"schedules/{sched['id']}",
                                json.dumps({"catchup_limit": "2"}))
    assert_error(code, body, field="catchup_limit")
