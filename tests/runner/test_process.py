"""The runner as a process: `python -m jupyterlab_nbjobs.runner JOB_DIR`, SIGTERM, timings."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from tests.support.jobkit import executed, gone, log_text, make_job, read, wait_for


def spawn(job_dir):
    return subprocess.Popen(
        [sys.executable, "-m", "jupyterlab_nbjobs.runner", str(job_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_sigterm_stops_saves_partial_notebook_and_kills_kernel(tmp_path):
    job = make_job(
        tmp_path,
        [
            "print('first')",
            "import subprocess, time\n"
            "child = subprocess.Popen(['sleep', '300'])\n"
            "open('child.pid', 'w').write(str(child.pid))\n"
            "print('sleeping', flush=True)\n"
            "time.sleep(120)",
            "print('never')",
        ],
    )
    proc = spawn(job)
    try:
        wait_for(lambda: (job / "progress.json").exists() and "sleeping" in log_text(job))
        info = read(job, "runner.json")
        assert info["pid"] == proc.pid and info["kernel_pid"]
        assert not gone(info["kernel_pid"], info["kernel_create_time"])
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, out
    result = read(job, "result.json")
    assert result["status"] == "stopped"
    assert result["error"]["reason"] == "stopped"
    assert result["error"]["cell_index"] == 1
    assert (result["cells_done"], result["cells_total"]) == (1, 3)
    nb = executed(job)
    assert nb.cells[0].outputs[0].text == "first\n"
    assert "sleeping" in nb.cells[1].outputs[0].text
    assert nb.cells[1].outputs[-1].ename == "JobStopped"
    assert nb.cells[2].outputs == []
    assert gone(info["kernel_pid"], info["kernel_create_time"])
    assert gone(int((job / "work" / "child.pid").read_text()))  # the kernel's children too
    assert "files/child.pid" in result["outputs"]  # files are published on stop as well


def test_exit_code_and_one_cell_timings(tmp_path):
    """Measures (prints, never asserts) where a one-cell job's time goes in a fresh process."""
    job = make_job(tmp_path, ["1 + 1"])
    t0 = time.perf_counter()
    proc = spawn(job)
    out, _ = proc.communicate(timeout=120)
    wall = time.perf_counter() - t0
    assert proc.returncode == 0, out
    result = read(job, "result.json")
    assert result["status"] == "completed"
    t = result["timings"]
    accounted = sum(
        t.get(k, 0)
        for k in ("import", "prepare", "kernel_start", "execute", "save", "export", "files")
    )
    print(
        f"\n[timing] one-cell notebook, fresh runner process: wall {wall:.2f}s = "
        f"interpreter+package start {wall - t['total']:.2f}s + run_job {t['total']:.2f}s "
        f"(import papermill/nbclient {t['import']:.2f}s, prepare {t['prepare']:.2f}s, "
        f"kernel start {t['kernel_start']:.2f}s, execute {t['execute']:.3f}s, "
        f"save {t['save']:.3f}s, kernel shutdown+other {t['total'] - accounted:.2f}s)"
    )

    job2 = make_job(tmp_path, ["1 + 1"], job_id="job2")
    from jupyterlab_nbjobs.runner.execute import run_job

    run_job(job2)  # imports already paid by this test process
    t0 = time.perf_counter()
    job3 = make_job(tmp_path, ["1 + 1"], job_id="job3")
    result = run_job(job3)
    t = result["timings"]
    print(
        f"[timing] one-cell notebook, run_job in a warm process: {time.perf_counter() - t0:.2f}s "
        f"(import {t['import']:.3f}s, prepare {t['prepare']:.3f}s, kernel start "
        f"{t['kernel_start']:.2f}s, execute {t['execute']:.3f}s, total {t['total']:.2f}s)"
    )
