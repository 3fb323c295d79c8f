"""The jobs API end to end: real server, real kernels, real SQLite."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import nbformat
import psutil


async def test_job_runs_with_typed_parameters_and_outputs(api, notebook, jp_root_dir):
    nb = notebook(
        "work/params.ipynb",
        "import json, os\n"
        "open('seen.json', 'w').write(json.dumps({'n': n, 'x': x, 's': s, 'flag': flag,"
        " 'items': items, 'cfg': cfg, 'env': os.environ.get('GREETING'), 'cwd': os.getcwd()}))",
        "print('types', type(n).__name__, type(x).__name__, type(items).__name__)",
        parameters="n = 1\nx = 0.5  # a ratio\ns = 'a'\nflag = False\nitems = []\ncfg = {}",
    )
    job = await api.create(
        input_path=nb, parameters={"n": 3, "x": 2.5, "s": "it's \"quoted\"", "flag": True,
                                   "items": [1, "two"], "cfg": {"k": [1]}},
        output_formats=["html"], env={"GREETING": "hello"}, tags=["nightly"],
    )
    assert job["status"] in ("queued", "running")
    assert job["kernel_name"] == "python3"
    assert job["output_formats"] == ["ipynb", "html"]
    done = await api.wait(job["id"])
    assert done["status"] == "completed", done
    # parameters cell + papermill's injected-parameters cell + 2 cells
    assert done["progress"] == {"cells_done": 4, "cells_total": 4}
    assert done["attempts"] == 1 and done["started_at"] and done["ended_at"]

    out_dir = Path(jp_root_dir) / done["output_path"]
    seen = json.loads((out_dir / "files" / "seen.json").read_text())
    assert seen["n"] == 3 and seen["x"] == 2.5 and seen["flag"] is True
    assert seen["s"] == "it's \"quoted\"" and seen["items"] == [1, "two"]
    assert seen["cfg"] == {"k": [1]} and seen["env"] == "hello"
    assert Path(seen["cwd"]).name == "work"

    code, listing = await api.get(f"jobs/{job['id']}/outputs")
    assert code == 200
    kinds = {o["name"]: o["kind"] for o in listing["outputs"]}
    assert kinds["params.ipynb"] == "notebook" and kinds["params.html"] == "html"
    assert kinds["params.log"] == "log" and kinds["files/seen.json"] == "file"
    assert all(o["path"].startswith(done["output_path"] + "/") for o in listing["outputs"])

    resp = await api.call("GET", f"jobs/{job['id']}/outputs/params.ipynb", raw=True,
                          download="1")
    assert resp.code == 200 and "attachment" in resp.headers["Content-Disposition"]
    executed = nbformat.reads(resp.body.decode(), as_version=4)
    texts = [o.get("text", "") for c in executed.cells for o in c.get("outputs", [])]
    assert any("types int float list" in t for t in texts)

    code, chunk = await api.get(f"jobs/{job['id']}/log")
    assert code == 200 and chunk["complete"] and chunk["size"] > 0
    code, again = await api.get(f"jobs/{job['id']}/log", offset=str(chunk["offset"]))
    assert again["text"] == "" and again["complete"]

    # Editing the notebook after creation does not change a rerun: the snapshot is kept.
    notebook("work/params.ipynb", "raise RuntimeError('edited')")
    code, rerun = await api.post(f"jobs/{job['id']}/rerun", {"parameters": {"n": 7}})
    assert code == 201 and rerun["parameters"]["n"] == 7 and rerun["parameters"]["x"] == 2.5
    rerun_done = await api.wait(rerun["id"])
    assert rerun_done["status"] == "completed", rerun_done
    seen = json.loads((Path(jp_root_dir) / rerun_done["output_path"] / "files" /
                       "seen.json").read_text())
    assert seen["n"] == 7


async def test_failing_cell_keeps_notebook_and_reports_the_cell(api, notebook, jp_root_dir):
    nb = notebook("fail.ipynb", "a = 1", "1 / 0", "print('never')")
    job = await api.wait((await api.create(input_path=nb))["id"])
    assert job["status"] == "failed"
    err = job["error"]
    assert err["cell_index"] == 1 and err["ename"] == "ZeroDivisionError"
    assert "division by zero" in err["evalue"] and err["traceback"]
    executed = nbformat.read(Path(jp_root_dir) / job["output_path"] / "fail.ipynb", 4)
    assert executed.cells[1].outputs[0]["ename"] == "ZeroDivisionError"


async def test_sys_exit_zero_is_success(api, notebook):
    nb = notebook("exit.ipynb", "import sys\nsys.exit(0)", "raise RuntimeError('not reached')")
    job = await api.wait((await api.create(input_path=nb))["id"])
    assert job["status"] == "completed", job


async def test_timeout_fails_the_job(api, notebook):
    nb = notebook("slow.ipynb", "import time\ntime.sleep(60)")
    job = await api.wait((await api.create(input_path=nb, timeout_seconds=2))["id"])
    assert job["status"] == "failed" and job["error"]["reason"] == "timeout", job


async def test_retries_then_gives_up(api, notebook):
    nb = notebook("flaky.ipynb", "raise ValueError('always')")
    job = await api.wait((await api.create(input_path=nb, max_retries=2))["id"])
    assert job["status"] == "failed" and job["attempts"] == 3
    assert job["error"]["ename"] == "ValueError"


async def test_retry_succeeds_on_second_attempt(api, notebook, jp_root_dir):
    marker = Path(jp_root_dir) / "attempted"
    nb = notebook("second.ipynb",
                  f"import pathlib\np = pathlib.Path({str(marker)!r})\n"
                  "if not p.exists():\n    p.write_text('1')\n    raise RuntimeError('first')")
    job = await api.wait((await api.create(input_path=nb, max_retries=1))["id"])
    assert job["status"] == "completed" and job["attempts"] == 2


async def test_stop_ends_runner_and_kernel(api, notebook, jp_root_dir):
    nb = notebook("long.ipynb", "import os, time\nprint(os.getpid(), flush=True)\ntime.sleep(120)")
    job = await api.create(input_path=nb)
    await api.wait(job["id"], statuses=("running",))
    # Wait until the kernel has printed its pid into the log.
    kernel_pid = None
    for _ in range(200):
        _, chunk = await api.get(f"jobs/{job['id']}/log")
        digits = [w for w in chunk["text"].split() if w.isdigit() and int(w) > 1]
        if digits and any(psutil.pid_exists(int(d)) for d in digits):
            kernel_pid = next(int(d) for d in digits if psutil.pid_exists(int(d)))
            break
        await asyncio.sleep(0.1)
    assert kernel_pid, "kernel pid never showed in the log"
    code, stopping = await api.post(f"jobs/{job['id']}/stop")
    assert code == 200 and stopping["status"] in ("stopping", "stopped")
    stopped = await api.wait(job["id"])
    assert stopped["status"] == "stopped"
    for _ in range(50):
        if not psutil.pid_exists(kernel_pid) or psutil.Process(kernel_pid).status() == "zombie":
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("kernel survived the stop")
    code, again = await api.post(f"jobs/{job['id']}/stop")
    assert code == 409 and again["reason"] == "job_finished"


async def test_concurrency_limit_and_queue_order(api, notebook):
    # max_concurrent_jobs is 2 in the test config.
    nb = notebook("sleep.ipynb", "import time\ntime.sleep(1.5)")
    jobs = [await api.create(input_path=nb, name=f"q{i}") for i in range(4)]
    max_running = 0
    started_order = []
    while True:
        _, page = await api.get("jobs", limit="10", sort="created_at")
        running = [j for j in page["jobs"] if j["status"] == "running"]
        max_running = max(max_running, len(running))
        for j in page["jobs"]:
            if j["status"] != "queued" and j["name"] not in started_order:
                started_order.append(j["name"])
        if all(j["status"] in ("completed", "failed") for j in page["jobs"]):
            break
        await asyncio.sleep(0.05)
    assert max_running == 2
    assert started_order[:2] == ["q0", "q1"] and set(started_order) == {"q0", "q1", "q2", "q3"}
    assert all(j["status"] == "completed" for j in page["jobs"])
    assert len(jobs) == 4


async def test_list_filters_sort_and_cursor(api, notebook):
    nb = notebook("quick.ipynb", "x = 1")
    created = []
    for i in range(5):
        created.append(await api.create(input_path=nb, name=f"report-{i}",
                                         tags=["even"] if i % 2 == 0 else ["odd"]))
    for job in created:
        await api.wait(job["id"])
    _, page1 = await api.get("jobs", limit="2")
    assert [j["name"] for j in page1["jobs"]] == ["report-4", "report-3"]
    _, page2 = await api.get("jobs", limit="2", cursor=page1["next_cursor"])
    _, page3 = await api.get("jobs", limit="2", cursor=page2["next_cursor"])
    names = [j["name"] for j in page1["jobs"] + page2["jobs"] + page3["jobs"]]
    assert names == [f"report-{i}" for i in (4, 3, 2, 1, 0)] and page3["next_cursor"] is None
    _, evens = await api.get("jobs", tag="even")
    assert sorted(j["name"] for j in evens["jobs"]) == ["report-0", "report-2", "report-4"]
    _, by_name = await api.get("jobs", sort="name", name="REPORT-1")
    assert [j["name"] for j in by_name["jobs"]] == ["report-1"]
    _, done = await api.get("jobs", status="completed,failed")
    assert len(done["jobs"]) == 5
    latest = max(j["updated_at"] for j in done["jobs"])
    _, none_yet = await api.get("jobs", updated_since=latest)
    assert none_yet["jobs"] == []


async def test_idempotency_key_returns_first_job(api, notebook):
    nb = notebook("idem.ipynb", "x = 1")
    code1, first = await api.post("jobs", {"input_path": nb, "idempotency_key": "k-1"})
    code2, second = await api.post("jobs", {"input_path": nb, "idempotency_key": "k-1"})
    assert (code1, code2) == (201, 200) and first["id"] == second["id"]
    _, page = await api.get("jobs")
    assert len(page["jobs"]) == 1


async def test_delete_and_bulk(api, notebook, jp_root_dir):
    nb = notebook("del.ipynb", "x = 1")
    a = await api.wait((await api.create(input_path=nb))["id"])
    b = await api.wait((await api.create(input_path=nb))["id"])
    slow = notebook("del_slow.ipynb", "import time\ntime.sleep(60)")
    c = await api.create(input_path=slow)
    await api.wait(c["id"], statuses=("running",))
    assert (Path(jp_root_dir) / a["output_path"]).is_dir()
    code, _ = await api.delete(f"jobs/{a['id']}")
    assert code == 204
    assert not (Path(jp_root_dir) / a["output_path"]).exists()
    assert (await api.get(f"jobs/{a['id']}"))[0] == 404
    code, result = await api.post("jobs/bulk/stop", {"ids": [c["id"], b["id"]]})
    assert code == 200 and result["done"] == [c["id"]]
    assert result["errors"][b["id"]]["reason"] == "job_finished"
    await api.wait(c["id"])
    code, result = await api.post("jobs/bulk/delete", {"ids": [b["id"], c["id"], "nope"]})
    assert result["done"] == [b["id"], c["id"]] and result["errors"]["nope"]["reason"] == \
        "job_not_found"
    _, page = await api.get("jobs")
    assert page["jobs"] == []


async def test_environments_and_parameters(api, notebook):
    code, env = await api.get("environments")
    assert code == 200
    assert "python3" in [k["name"] for k in env["kernels"]]
    names = [f["name"] for f in env["output_formats"]]
    assert names[0] == "ipynb" and "html" in names
    assert [b["name"] for b in env["backends"]] == ["local"] and env["backends"][0]["default"]
    nb = notebook("p.ipynb", "print(a)",
                  parameters="a = 1  # how many\nb: str = 'x'\nc = [1, 2]")
    code, params = await api.get("parameters", path=nb)
    assert code == 200 and params["has_parameters_cell"] and params["kernel_name"] == "python3"
    by_name = {p["name"]: p for p in params["parameters"]}
    assert by_name["a"]["inferred_type"] == "int" and by_name["a"]["default"] == "1"
    assert by_name["a"]["help"] == "how many"
    assert by_name["b"]["inferred_type"] == "str" and by_name["c"]["default"] == "[1, 2]"
    plain = notebook("plain.ipynb", "x = 1")
    code, params = await api.get("parameters", path=plain)
    assert code == 200 and not params["has_parameters_cell"] and params["parameters"] == []


async def test_package_input_folder_follows_only_links_that_stay_under_the_root(
        api, notebook, jp_root_dir, tmp_path):
    root = Path(jp_root_dir)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("live secret")
    (outside / "inner.txt").write_text("outside folder")
    shared = root / "shared"
    shared.mkdir()
    (shared / "data.txt").write_text("shared v1")
    nb = notebook(
        "proj/run.ipynb",
        "import json, os\n"
        "names = sorted(os.listdir('.'))\n"
        "seen = {n: {'link': os.path.islink(n), 'dir': os.path.isdir(n),"
        " 'text': open(n).read() if os.path.isfile(n) else sorted(os.listdir(n))"
        " if os.path.isdir(n) else None} for n in names}\n"
        "open('seen.json', 'w').write(json.dumps(seen))",
    )
    proj = root / "proj"
    (proj / "local.txt").write_text("local")
    os.symlink(outside / "secret.txt", proj / "secret.txt")  # a file outside the root
    os.symlink(outside, proj / "outdir")  # a folder outside the root
    os.symlink(shared / "data.txt", proj / "shared.txt")  # a file under the root
    os.symlink(shared, proj / "shareddir")  # a folder under the root
    os.symlink("local.txt", proj / "rel.txt")  # relative, inside the folder
    os.symlink(proj, proj / "loop")  # the folder itself
    os.symlink(root / "nothing", proj / "broken")
    os.mkfifo(proj / "pipe")
    (proj / "sub").mkdir()
    os.symlink(outside / "secret.txt", proj / "sub" / "deep.txt")  # deeper down

    job = await api.create(input_path=nb, package_input_folder=True)
    # The snapshot is taken: live files changing now change nothing for the job.
    (outside / "secret.txt").write_text("changed")
    (shared / "data.txt").write_text("shared v2")
    done = await api.wait(job["id"])
    assert done["status"] == "completed", done
    seen = json.loads((root / done["output_path"] / "files" / "seen.json").read_text())
    assert not any(entry["link"] for entry in seen.values()), seen
    assert seen["shared.txt"]["text"] == "shared v1"
    assert seen["shareddir"]["dir"] and seen["shareddir"]["text"] == ["data.txt"]
    assert seen["rel.txt"]["text"] == "local" and seen["local.txt"]["text"] == "local"
    assert seen["sub"]["text"] == []
    for left_out in ("secret.txt", "outdir", "loop", "broken", "pipe"):
        assert left_out not in seen, (left_out, seen)

    code, chunk = await api.get(f"jobs/{job['id']}/log")
    log = chunk["text"]
    assert "left out the link secret.txt (it points outside the server root)" in log
    assert "left out the link outdir (it points outside the server root)" in log
    assert "left out the link sub/deep.txt (it points outside the server root)" in log
    assert "left out the link loop (it points to a folder that holds it)" in log
    assert "left out the link broken (its target is missing)" in log
    assert "left out pipe (not a regular file or folder)" in log
    assert "live secret" not in log and str(outside) not in log
    assert log.index("left out the link secret.txt") < log.index("(code cell 1 of")

    # A rerun starts from the same snapshot: still nothing from outside.
    code, rerun = await api.post(f"jobs/{job['id']}/rerun", {})
    assert code == 201, rerun
    rerun_done = await api.wait(rerun["id"])
    seen = json.loads((root / rerun_done["output_path"] / "files" / "seen.json").read_text())
    assert "secret.txt" not in seen and seen["shared.txt"]["text"] == "shared v1"
