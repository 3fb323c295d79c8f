"""A 400 for a request with several bad fields lists every one (`errors`), and keeps the
first as message/reason/field; a rerun or a schedule run changes any setting but its input."""

from __future__ import annotations

import json
from pathlib import Path


async def test_create_with_several_bad_fields_lists_them_all(api, notebook):
    nb = notebook("errs.ipynb", "print(1)", parameters="n = 1")
    code, err = await api.post("jobs", {
        "input_path": nb, "timeout_seconds": -1, "max_retries": 99, "env": {"1BAD": "x"},
        "tags": [""], "bogus": True})
    assert code == 400, err
    fields = [e.get("field") for e in err["errors"]]
    assert sorted(fields) == ["bogus", "env", "max_retries", "tags.0", "timeout_seconds"]
    by_field = {e["field"]: e["message"] for e in err["errors"]}
    assert by_field["bogus"] == "unknown field 'bogus'"
    assert "greater than 0" in by_field["timeout_seconds"]
    assert "30" in by_field["max_retries"] and "starts with a digit" in by_field["env"]
    # The first problem stays where one-error clients read it, the others counted.
    first = err["errors"][0]
    assert err["field"] == first["field"] and err["reason"] in ("invalid_value", "unknown_field")
    assert err["message"].endswith("(and 4 more problems)")
    assert first["message"] in err["message"]
    # Nothing was created.
    code, page = await api.get("jobs")
    assert code == 200 and page["jobs"] == []


async def test_one_bad_field_lists_one_and_other_errors_list_none(api, notebook):
    nb = notebook("one.ipynb", "print(1)")
    code, err = await api.post("jobs", {"input_path": nb, "max_retries": -1})
    assert code == 400
    assert err["field"] == "max_retries" and not err["message"].endswith("problems)")
    assert err["errors"] == [{"field": "max_retries",
                              "message": "Input should be greater than or equal to 0"}]
    # A check past the model (the notebook must exist) is one error, without a list.
    code, err = await api.post("jobs", {"input_path": "missing.ipynb"})
    assert code == 400 and "errors" not in err and err["message"]


async def test_schedule_update_lists_every_bad_field(api, notebook):
    nb = notebook("sched/e.ipynb", "print(1)")
    code, sched = await api.post("schedules", {"input_path": nb, "cron": "daily at 7:30"})
    assert code == 201, sched
    code, err = await api.call("PATCH", f"schedules/{sched['id']}", {
        "catchup_limit": -5, "overlap_policy": "sometimes", "max_retries": "many",
        "name": "x" * 201})
    assert code == 400, err
    assert sorted(e["field"] for e in err["errors"]) == [
        "catchup_limit", "max_retries", "name", "overlap_policy"]
    code, same = await api.get(f"schedules/{sched['id']}")
    assert same["catchup_limit"] == sched["catchup_limit"] and same["name"] == sched["name"]


async def test_rerun_changes_settings_but_keeps_the_snapshot(api, notebook, jp_root_dir):
    nb = notebook(
        "rr/report.ipynb",
        "import json, os\n"
        "open('seen.json', 'w').write(json.dumps({'n': n, 'who': who,"
        " 'env': os.environ.get('GREETING')}))",
        parameters="n = 1\nwho = 'x'")
    job = await api.wait((await api.create(input_path=nb, parameters={"n": 2}, tags=["a"],
                                           env={"GREETING": "hi"}, timeout_seconds=60))["id"])
    assert job["status"] == "completed", job
    notebook("rr/report.ipynb", "raise RuntimeError('edited after the job')")

    code, rerun = await api.post(f"jobs/{job['id']}/rerun", {
        "name": "report again", "parameters": {"who": "me"}, "output_formats": ["ipynb", "html"],
        "env": {"GREETING": "hello"}, "tags": ["b", "c"], "max_retries": 1,
        "timeout_seconds": None})
    assert code == 201, rerun
    assert rerun["name"] == "report again" and rerun["tags"] == ["b", "c"]
    assert rerun["parameters"] == {"n": 2, "who": "me"} and rerun["max_retries"] == 1
    assert rerun["timeout_seconds"] is None and rerun["output_formats"] == ["ipynb", "html"]
    assert rerun["input_path"] == job["input_path"] and rerun["kernel_name"] == "python3"
    done = await api.wait(rerun["id"])
    assert done["status"] == "completed", done  # the snapshot, not the edited notebook
    out = Path(jp_root_dir) / done["output_path"]
    assert json.loads((out / "files" / "seen.json").read_text()) == {
        "n": 2, "who": "me", "env": "hello"}
    assert (out / "report.html").is_file()

    # Left out, a setting stays as it was; the input cannot change here.
    code, again = await api.post(f"jobs/{job['id']}/rerun", {})
    assert code == 201 and again["name"] == job["name"] and again["tags"] == ["a"]
    assert again["timeout_seconds"] == 60
    code, err = await api.post(f"jobs/{job['id']}/rerun", {
        "input_path": "other.ipynb", "max_retries": 31, "backend": "nowhere"})
    assert code == 400 and sorted(e["field"] for e in err["errors"]) == [
        "input_path", "max_retries"]
    code, err = await api.post(f"jobs/{job['id']}/rerun", {"backend": "nowhere"})
    assert code == 400 and "nowhere" in err["message"]


async def test_schedule_run_now_takes_this_runs_settings(api, notebook):
    nb = notebook("sched/run.ipynb", "print(n)", parameters="n = 1")
    code, sched = await api.post("schedules", {"input_path": nb, "cron": "daily at 7:30",
                                               "tags": ["nightly"]})
    assert code == 201, sched
    code, ran = await api.post(f"schedules/{sched['id']}/run", {
        "parameters": {"n": 5}, "name": "by hand", "tags": ["manual"]})
    assert code == 201, ran
    job = ran["job"]
    assert job["name"] == "by hand" and job["tags"] == ["manual"]
    assert job["parameters"] == {"n": 5} and job["schedule_id"] == sched["id"]
    code, same = await api.get(f"schedules/{sched['id']}")
    assert same["tags"] == ["nightly"] and same["name"] == sched["name"]


async def test_checks_past_the_model_list_every_problem_too(api, notebook):
    # A schedule with a bad cron, an unknown zone, an end before its start, a missing
    # notebook and an unknown output format: one 400 names all five.
    code, err = await api.post("schedules", {
        "input_path": "nowhere.ipynb", "cron": "every blue moon", "timezone": "Mars/Olympus",
        "start_at": "2030-01-02T00:00:00Z", "end_at": "2030-01-01T00:00:00Z",
        "output_formats": ["ipynb", "nosuchformat"]})
    assert code == 400, err
    fields = sorted(e.get("field") for e in err["errors"])
    assert fields == ["cron", "end_at", "input_path", "output_formats", "timezone"], err
    assert err["field"] == err["errors"][0]["field"] == "cron"
    assert err["message"].endswith("(and 4 more problems)")
    # A job: the notebook is there, but its kernel and a format are not.
    nb = notebook("k/kern.ipynb", "print(1)")
    code, err = await api.post("jobs", {"input_path": nb, "kernel_name": "no-such-kernel",
                                        "output_formats": ["nosuchformat"]})
    assert code == 400, err
    assert sorted(e.get("field") for e in err["errors"]) == ["kernel_name", "output_formats"]
    code, page = await api.get("schedules")
    assert code == 200 and page["schedules"] == []
    # A schedule edit: its cron and its kernel at once.
    code, sched = await api.post("schedules", {"input_path": nb, "cron": "@daily"})
    assert code == 201, sched
    code, err = await api.call("PATCH", f"schedules/{sched['id']}", {
        "cron": "not a cron", "kernel_name": "no-such-kernel"})
    assert code == 400, err
    assert sorted(e.get("field") for e in err["errors"]) == ["cron", "kernel_name"], err
