"""The container side for real: what the backend staged in moto is laid out as a fake /opt/ml
tree, `sagemaker_entry` runs it with a real ipykernel, its /opt/ml/output/data is tarred and
uploaded where SageMaker would put it, and the outputs come back through on_finished."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import tarfile
from pathlib import Path

import nbformat
import pytest

from jupyterlab_nbjobs.backends.sagemaker.outputs import safe_extract
from jupyterlab_nbjobs.runner.sagemaker_entry import merge_parameters
from tests.support.aws import (
    build_opt_ml,
    make_backend,
    make_run,
    moto_url,
    reset_moto,
    run_container,
    set_fake_credentials,
    upload_output_tar,
)


@pytest.fixture
def sm(monkeypatch, tmp_path):
    url = moto_url()
    set_fake_credentials(monkeypatch)
    reset_moto(url)
    return make_backend(tmp_path, url)


CELL = """import json, os
print("params", a, b, c)
with open("made.txt", "w") as fh:
    json.dump({"a": a, "b": b, "c": c, "greeting": os.environ.get("GREETING"),
               "from_init": os.environ.get("FROM_INIT"), "rows": open("data/rows.csv").read()}, fh)
"""


async def test_entry_runs_what_was_staged_and_outputs_come_home(sm, tmp_path):
    backend, recorder, fake = sm
    run = make_run(tmp_path, "job-c", 1, CELL, parameters={"a": 5, "b": "y", "c": [1, 2]},
                   param_cell="a = 1\nb = 'x'\nc = []", extra_files={"data/rows.csv": "x\n1\n"},
                   options={"init_script": "export FROM_INIT=from-init\necho init ran\n"})
    await backend.start(run)
    [request] = recorder.params("CreateTrainingJob")
    root = tmp_path / "opt-ml"
    build_opt_ml(backend.clients.client("s3"), request, root)

    assert await run_container(request, root) == 0
    assert not (root / "output" / "failure").exists()
    key = upload_output_tar(backend, request, root)
    assert key == "results/nbjobs-job-c-a1/output/output.tar.gz"
    fake.set("nbjobs-job-c-a1", "Completed")
    result = await backend.events.wait_finished("job-c", timeout=30)
    await backend.close()

    assert result["status"] == "completed" and result["error"] is None
    assert result["cells_done"] == result["cells_total"] == 3  # from the container's result.json
    assert set(result["outputs"]) >= {"analysis.ipynb", "analysis.log", "files/made.txt"}
    out = Path(run.spec["output_dir"])
    made = json.loads((out / "files" / "made.txt").read_text())
    assert made == {"a": 5, "b": "y", "c": [1, 2], "greeting": "hi", "from_init": "from-init",
                    "rows": "x\n1\n"}  # types survived the trip through SageMaker's strings
    nb = nbformat.read(out / "analysis.ipynb", as_version=4)
    assert "params 5 y [1, 2]" in "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert not (out / ".nbjobs").exists()  # our metadata is read, not published
    assert (run.job_dir / "result.json").exists()


async def test_failing_notebook_writes_the_failure_file_and_reports_the_cell(sm, tmp_path):
    backend, recorder, fake = sm
    run = make_run(tmp_path, "job-f", 1, "x = 1", "raise ValueError('bad input')")
    await backend.start(run)
    [request] = recorder.params("CreateTrainingJob")
    root = tmp_path / "opt-ml"
    build_opt_ml(backend.clients.client("s3"), request, root)

    assert await run_container(request, root) == 1
    failure = (root / "output" / "failure").read_text()
    assert failure.startswith("[SM-nbjobs] cell_error:") and "ValueError" in failure
    assert len(failure) <= 1000
    upload_output_tar(backend, request, root)
    fake.set("nbjobs-job-f-a1", "Failed", FailureReason=f"AlgorithmError: {failure}")
    result = await backend.events.wait_finished("job-f", timeout=30)
    await backend.close()
    assert result["status"] == "failed"
    assert result["error"]["reason"] == "cell_error" and result["error"]["ename"] == "ValueError"
    assert result["error"]["cell_index"] == 2
    assert (Path(run.spec["output_dir"]) / "analysis.ipynb").exists()  # the partial notebook


def test_missing_channel_is_a_failure_file_not_a_traceback(tmp_path, monkeypatch):
    from jupyterlab_nbjobs.runner import sagemaker_entry

    monkeypatch.setenv("NBJOBS_SM_ROOT", str(tmp_path))
    monkeypatch.setenv("SM_EXECUTION_INPUT_PATH", "/opt/ml/input/data/nothing")
    assert sagemaker_entry.main() == 1
    text = (tmp_path / "output" / "failure").read_text()
    assert text.startswith("[SM-nbjobs] runner_error:") and "input channel" in text
    assert json.loads((tmp_path / "output" / "data" / ".nbjobs" / "result.json").read_text())["status"] == "failed"


def test_hyperparameters_override_with_types():
    typed = {"n": 3, "name": "a", "xs": [1], "flag": True}
    assert merge_parameters(typed, {"n": "3", "name": "a", "xs": "[1]", "flag": "true"}) == typed
    assert merge_parameters(typed, {"n": "7", "name": "7", "new": "1"}) == {
        "n": 7, "name": "7", "xs": [1], "flag": True, "new": "1"}


def _add(tar, name, data=b"x", **kw):
    info = tarfile.TarInfo(name)
    for k, v in kw.items():
        setattr(info, k, v)
    info.size = len(data) if info.type in (tarfile.REGTYPE, tarfile.AREGTYPE) else 0
    tar.addfile(info, io.BytesIO(data) if info.size else None)


def test_safe_extract_refuses_escapes(tmp_path):
    tar_path = tmp_path / "out.tar.gz"
    with tarfile.open(tar_path, "w:gz") as tar:
        _add(tar, "nb.ipynb", b"{}")
        _add(tar, "files/sub/ok.txt", b"ok")
        _add(tar, "../evil.txt")
        _add(tar, "/abs.txt")
        _add(tar, "files/../../up.txt")
        _add(tar, "passwd", type=tarfile.SYMTYPE, linkname="/etc/passwd")
        _add(tar, "files/up-link", type=tarfile.SYMTYPE, linkname="../../outside")
        _add(tar, "hard", type=tarfile.LNKTYPE, linkname="nb.ipynb")
        _add(tar, "inside-link", type=tarfile.SYMTYPE, linkname="files/sub/ok.txt")
        _add(tar, "fifo", type=tarfile.FIFOTYPE)
        _add(tar, ".nbjobs/result.json", b'{"status": "completed", "outputs": ["nb.ipynb"]}')
    dest = tmp_path / "dest" / "out"
    got = safe_extract(tar_path, dest)
    assert sorted(got.files) == ["files/sub/ok.txt", "nb.ipynb"]
    assert got.result == {"status": "completed", "outputs": ["nb.ipynb"]}
    assert len(got.rejected) == 7, got.rejected
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "dest", "dest/out", "dest/out/files", "dest/out/files/sub", "dest/out/files/sub/ok.txt",
        "dest/out/inside-link", "dest/out/nb.ipynb", "out.tar.gz"]
    assert (dest / "inside-link").resolve() == (dest / "files/sub/ok.txt").resolve()


async def test_sigterm_from_stop_training_job_saves_the_partial_notebook(sm, tmp_path):
    """StopTrainingJob sends SIGTERM: the entry stops the kernel, keeps what ran, says stopped."""
    import signal

    backend, recorder, _ = sm
    run = make_run(tmp_path, "job-t", 1, "print('first cell ran')", "import time; time.sleep(120)")
    await backend.start(run)
    await backend.close()
    [request] = recorder.params("CreateTrainingJob")
    root = tmp_path / "opt-ml"
    build_opt_ml(backend.clients.client("s3"), request, root)
    env = {**os.environ, **request["Environment"], "NBJOBS_SM_ROOT": str(root)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "jupyterlab_nbjobs.runner.sagemaker_entry", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    log = root / "output" / "data" / "analysis.log"
    for _ in range(1200):  # until the sleeping cell is running
        if log.exists() and "first cell ran" in log.read_text():
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)
    proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(proc.wait(), 60) == 1
    result = json.loads((root / "output" / "data" / ".nbjobs" / "result.json").read_text())
    assert result["status"] == "stopped" and result["error"]["reason"] == "stopped"
    assert (root / "output" / "failure").read_text().startswith("[SM-nbjobs] stopped:")
    nb = nbformat.read(root / "output" / "data" / "analysis.ipynb", as_version=4)
    outputs = [json.dumps(c.get("outputs", [])) for c in nb.cells]
    assert "first cell ran" in outputs[-2] and "JobStopped" in outputs[-1]


def test_the_staged_bootstrap_merges_as_our_runner_does():
    """bootstrap.py runs in images without our package: it carries its own copy of the merge."""
    from jupyterlab_nbjobs.backends.sagemaker import bootstrap

    typed = {"n": 3, "name": "a", "xs": [1], "flag": False, "conf": {"k": 1.5}}
    for hyper in ({"n": "3", "name": "a", "xs": "[1]", "flag": "false", "conf": '{"k": 1.5}'},
                  {"n": "7", "name": "7", "flag": "true", "new": "1"},
                  {"xs": "not json", "conf": "{}"}):
        assert bootstrap.merge(typed, hyper) == merge_parameters(typed, hyper)
    assert bootstrap.merge(typed, {"flag": "false"})["flag"] is False
