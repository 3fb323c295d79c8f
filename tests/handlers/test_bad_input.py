"""Every client mistake is a 4xx with {"message", "reason"}; never a 500."""

from __future__ import annotations

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
