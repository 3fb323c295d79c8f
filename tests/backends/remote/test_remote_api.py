"""The remote backend through the jobs API: this test's Jupyter server (jp_fetch) runs jobs
whose kernels live on the second servers of conftest.py (token and password logins)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

from tests.backends.remote.conftest import REMOTE_ONLY_KERNEL
from tests.support.server import write_notebook


@pytest.fixture
def jp_server_config(nbjobs_config, token_server, password_server):
    return Config({
        "ServerApp": {"jpserver_extensions": {"jupyterlab_nbjobs": True},
                      "allow_unauthenticated_access": False},
        "NbJobsApp": nbjobs_config,
        "LocalBackend": {"max_concurrent_jobs": 2, "warm_pool": False},
        "RemoteBackend": {
            "poll_interval": 0.05,
            "targets": {
                "tok": token_server.target(label="Token server"),
                "pw": password_server.target(),
                "badtoken": {"url": token_server.url, "token": "not-the-token"},
                "badpw": {"url": password_server.url, "password": "not-the-password"},
                "down": {"url": "http://127.0.0.1:9", "token": "x"},
            },
        },
    })


async def remote_clean(server, timeout: float = 10.0) -> None:
    """The remote has no kernel and no job folder left (deleting takes a moment)."""
    for _ in range(int(timeout / 0.1)):
        if not server.kernels() and not server.runs():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"left on the remote: kernels {server.kernels()}, runs {server.runs()}")


async def test_environments_list_each_target_with_its_kernels_and_no_secret(api, token_server):
    for _ in range(100):  # the listing is probed in the background
        code, env = await api.get("environments")
        assert code == 200
        remote = next(b for b in env["backends"] if b["name"] == "remote")
        targets = {t["name"]: t for t in remote["options"]["targets"]}
        if all(t["status"] != "unknown" for t in targets.values()):
            break
        await asyncio.sleep(0.1)
    assert remote["options"]["target"] == "tok"
    assert targets["tok"]["status"] == "ok" and targets["tok"]["label"] == "Token server"
    assert [k["name"] for k in targets["tok"]["kernels"]] == ["python3"]
    assert targets["pw"]["status"] == "ok" and targets["pw"]["login"] == "password"
    assert targets["badtoken"]["status"] == "error" and "403" in targets["badtoken"]["error"]
    assert targets["down"]["status"] == "error" and "unreachable" in targets["down"]["error"]
    text = json.dumps(env)
    assert "remote-token" not in text and "remote-pass" not in text
    assert "not-the-token" not in text and "not-the-password" not in text
    assert targets["badpw"]["status"] == "error" and "password" in targets["badpw"]["error"]


async def test_typed_parameters_package_folder_and_files_come_back(
        api, jp_root_dir, token_server):
    root = Path(jp_root_dir)
    (root / "proj" / "data").mkdir(parents=True)
    (root / "proj" / "data" / "input.csv").write_text("a,b\n1,2\n")
    nb = write_notebook(
        root, "proj/analysis.ipynb",
        "import json, os\n"
        "rows = open('data/input.csv').read().splitlines()\n"
        "os.makedirs('out', exist_ok=True)\n"
        "open('out/seen.json', 'w').write(json.dumps({'n': n, 'x': x, 's': s, 'flag': flag,"
        " 'items': items, 'rows': rows, 'env': os.environ.get('GREETING'), 'cwd': os.getcwd()}))",
        "print('types', type(n).__name__, type(x).__name__, type(items).__name__, flush=True)",
        parameters="n = 1\nx = 0.5\ns = 'a'\nflag = False\nitems = []",
    )
    job = await api.create(
        input_path=nb, backend="remote", package_input_folder=True,
        parameters={"n": 3, "x": 2.5, "s": "it's \"q\"", "flag": True, "items": [1, "two"]},
        env={"GREETING": "hello"})
    assert job["backend_options"] == {"target": "tok", "keep_remote_folder": False}
    done = await api.wait(job["id"], timeout=90)
    assert done["status"] == "completed", done
    assert done["progress"] == {"cells_done": 4, "cells_total": 4}

    out = root / done["output_path"]
    seen = json.loads((out / "files" / "out" / "seen.json").read_text())
    assert seen["n"] == 3 and seen["x"] == 2.5 and seen["flag"] is True
    assert seen["s"] == "it's \"q\"" and seen["items"] == [1, "two"]
    assert seen["rows"] == ["a,b", "1,2"] and seen["env"] == "hello"
    # The kernel ran in the job's folder on the remote server, not here.
    remote_cwd = Path(seen["cwd"])
    assert remote_cwd.parent == token_server.root / "nbjobs-runs"
    assert remote_cwd.name == f"{job['id']}-1"
    # Only what the notebook wrote came back, not the uploaded input.
    code, listing = await api.get(f"jobs/{job['id']}/outputs")
    names = {o["name"] for o in listing["outputs"]}
    assert "files/out/seen.json" in names and not any("input.csv" in n for n in names)
    executed = nbformat.read(out / "analysis.ipynb", as_version=4)
    texts = [o.get("text", "") for c in executed.cells for o in c.get("outputs", [])]
    assert any("types int float list" in t for t in texts)
    log = (out / "analysis.log").read_text()
    assert "uploaded 2 file(s)" in log and "types int float list" in log
    await remote_clean(token_server)


async def test_password_target_keeps_the_remote_folder_when_asked(api, notebook,
                                                                   password_server):
    nb = notebook("pw.ipynb", "open('made.txt', 'w').write('x')")
    job = await api.create(input_path=nb, backend="remote",
                           backend_options={"target": "pw", "keep_remote_folder": True})
    done = await api.wait(job["id"], timeout=90)
    assert done["status"] == "completed", done
    folder = password_server.root / "nbjobs-runs" / f"{job['id']}-1"
    assert (folder / "pw.ipynb").exists() and (folder / "made.txt").read_text() == "x"
    assert password_server.kernels() == []


async def test_failing_cell_reports_its_index_and_keeps_the_notebook(api, notebook,
                                                                    jp_root_dir, token_server):
    nb = notebook("fail.ipynb", "a = 1", "1 / 0", "print('never')")
    job = await api.wait((await api.create(input_path=nb, backend="remote"))["id"], timeout=90)
    assert job["status"] == "failed", job
    err = job["error"]
    assert err["cell_index"] == 1 and err["ename"] == "ZeroDivisionError"
    assert err["reason"] == "cell_error" and err["traceback"]
    executed = nbformat.read(Path(jp_root_dir) / job["output_path"] / "fail.ipynb", 4)
    assert executed.cells[1].outputs[0]["ename"] == "ZeroDivisionError"
    await remote_clean(token_server)


async def test_stop_mid_run_interrupts_and_deletes_the_remote_kernel(api, notebook,
                                                                    jp_root_dir, token_server):
    nb = notebook("slow.ipynb", "print('go', flush=True)",
                  "import time\nprint('sleeping', flush=True)\ntime.sleep(120)", "print('never')")
    job = await api.create(input_path=nb, backend="remote")
    log = Path(jp_root_dir) / job["output_path"] / "slow.log"
    for _ in range(600):
        if log.exists() and "sleeping" in log.read_text():
            break
        await asyncio.sleep(0.05)
    assert len(token_server.kernels()) == 1
    code, _ = await api.post(f"jobs/{job['id']}/stop")
    assert code in (200, 202)
    done = await api.wait(job["id"], timeout=30)
    assert done["status"] == "stopped", done
    assert done["error"]["cell_index"] == 1
    executed = nbformat.read(Path(jp_root_dir) / done["output_path"] / "slow.ipynb", 4)
    assert executed.cells[0].outputs[0]["text"] == "go\n"
    await remote_clean(token_server)


async def test_the_remote_kernels_decide_what_a_job_may_ask_for(api, notebook, jp_data_dir,
                                                                token_server, password_server):
    # A kernel only this server has is refused at create, naming what the target has.
    spec_dir = Path(jp_data_dir) / "kernels" / "py-other"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Other Python", "language": "python"}))
    nb = notebook("other.ipynb", "print(1)", kernel="py-other")
    code, body = await api.post("jobs", {"input_path": nb, "backend": "remote"})
    assert code == 400, body
    assert body["reason"] == "unknown_kernel" and body["field"] == "kernel_name"
    assert body["message"] == ("unknown kernel 'py-other'; installed on remote target 'tok': "
                               "python3")
    # A kernel only the remote has runs there, and is not offered to local jobs.
    nb = notebook("remote_only.ipynb", "import sys\nprint('on', sys.version_info[0])",
                  kernel=REMOTE_ONLY_KERNEL)
    job = await api.create(input_path=nb, backend="remote", backend_options={"target": "pw"})
    done = await api.wait(job["id"], timeout=90)
    assert done["status"] == "completed", done
    assert done["kernel_name"] == REMOTE_ONLY_KERNEL
    code, body = await api.post("jobs", {"input_path": nb, "backend": "local"})
    assert code == 400 and body["reason"] == "unknown_kernel", body
    assert REMOTE_ONLY_KERNEL not in body["message"].split(": ", 1)[1]
    # Its kernel and folder are gone (another test keeps its own folder on this server).
    for _ in range(100):
        if not password_server.kernels() and f"{job['id']}-1" not in password_server.runs():
            break
        await asyncio.sleep(0.1)
    assert password_server.kernels() == [], password_server.kernels()
    assert f"{job['id']}-1" not in password_server.runs()


BAD = [  # (backend_options, status, reason, words in the message)
    ({"target": "badtoken"}, 502, "remote_auth_failed", "refused our credentials (HTTP 403"),
    ({"target": "badpw"}, 502, "remote_auth_failed", "refused the password"),
    ({"target": "down"}, 502, "remote_unreachable", "is unreachable"),
    ({"target": "nope"}, 400, "unknown_target", "configured: tok, pw, badtoken, badpw, down"),
    ({"target": 3}, 400, "invalid_backend_options", "names a remote target"),
    ({"keep_remote_folder": "yes"}, 400, "invalid_backend_options", "true or false"),
    ({"colour": "red"}, 400, "invalid_backend_options", "unknown remote backend options"),
]


async def test_bad_targets_and_options_are_clear_errors(api, notebook):
    nb = notebook("one.ipynb", "print(1)")
    for options, status, reason, words in BAD:  # one server for all: each start costs seconds
        code, body = await api.post("jobs", {"input_path": nb, "backend": "remote",
                                             "backend_options": options})
        assert code == status, (options, body)
        assert body["reason"] == reason and words in body["message"], (options, body)
        assert body["field"].startswith("backend_options"), body
        assert "not-the-token" not in json.dumps(body)
        assert "not-the-password" not in json.dumps(body)
    code, page = await api.get("jobs")
    assert code == 200 and page["jobs"] == []  # none of them made a job
