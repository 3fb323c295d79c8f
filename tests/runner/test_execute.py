"""The runner against a real ipykernel: parameters, failures, exits, outputs, files, env."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from jupyterlab_nbjobs.runner.execute import run_job
from tests.support.jobkit import executed, gone, log_text, make_job, out_dir, read

TYPES_CELL = (
    "import json\n"
    "vals = dict(i=i, f=f, s=s, b=b, l=l, d=d)\n"
    "print(json.dumps({'types': {k: type(v).__name__ for k, v in vals.items()}, 'vals': vals}))"
)
PARAMS = {
    "i": 42,
    "f": 2.5,
    "s": 'x"; import os; os.remove("boom") #\nnewline \' quote',
    "b": True,
    "l": [1, "two", None],
    "d": {"k": [1.5, False], "n": None},
}


def stdout_of(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_typed_parameters_after_the_parameters_cell(tmp_path):
    cells = [
        ("md", "# title"),
        ("params", "i = 0\nf = 0.0\ns = ''\nb = False\nl = []\nd = {}"),
        TYPES_CELL,
    ]
    job = make_job(tmp_path, cells, parameters=PARAMS)
    result = run_job(job)
    assert result["status"] == "completed", result
    assert result["error"] is None
    assert result["attempt"] == 1
    assert (result["cells_done"], result["cells_total"]) == (3, 3)
    assert read(job, "progress.json") == {"cells_done": 3, "cells_total": 3}
    assert read(job, "result.json") == result
    nb = executed(job)
    assert nb.cells[1].metadata.tags == ["parameters"]
    assert nb.cells[2].metadata.tags == ["injected-parameters"]
    printed = json.loads(stdout_of(nb.cells[3]))
    assert printed["types"] == {
        "i": "int",
        "f": "float",
        "s": "str",
        "b": "bool",
        "l": "list",
        "d": "dict",
    }
    assert printed["vals"] == PARAMS
    assert nb.metadata.papermill.parameters == PARAMS
    assert result["outputs"][:2] == ["analysis.ipynb", "analysis.log"]
    info = read(job, "runner.json")
    assert info["pid"] == os.getpid() and info["attempt"] == 1 and info["create_time"] > 0
    assert gone(info["kernel_pid"], info["kernel_create_time"])
    log = log_text(job)
    assert "cell 2 started (code cell 1 of 3)" in log and "job completed" in log
    assert '"types"' in log  # the kernel's stdout reaches the log


def test_parameters_injected_first_without_a_parameters_cell(tmp_path):
    job = make_job(tmp_path, ["print(repr(s), n)"], parameters={"s": "hi", "n": 3})
    result = run_job(job)
    assert result["status"] == "completed", result
    nb = executed(job)
    assert nb.cells[0].metadata.tags == ["injected-parameters"]
    assert stdout_of(nb.cells[1]) == "'hi' 3\n"


def test_failing_cell_keeps_the_executed_notebook(tmp_path):
    job = make_job(
        tmp_path, ["x = 1", "print('before')", "def f():\n    return 1/0\nf()", "print('never')"]
    )
    result = run_job(job)
    assert result["status"] == "failed"
    err = result["error"]
    assert err["reason"] == "cell_error"
    assert err["cell_index"] == 2
    assert err["ename"] == "ZeroDivisionError"
    assert err["evalue"] == "division by zero"
    assert any("ZeroDivisionError" in line for line in err["traceback"])
    assert not any("\x1b[" in line for line in err["traceback"])
    assert (result["cells_done"], result["cells_total"]) == (3, 4)
    nb = executed(job)
    assert stdout_of(nb.cells[1]) == "before\n"
    assert [o.output_type for o in nb.cells[2].outputs] == ["error"]
    assert nb.cells[3].outputs == []
    assert nb.metadata.papermill.status == "failed"
    assert "ZeroDivisionError" in log_text(job)


@pytest.mark.parametrize(
    "exit_code", ["sys.exit(0)", "sys.exit()", "raise SystemExit", "sys.exit(None)"]
)
def test_clean_system_exit_completes(tmp_path, exit_code):
    job = make_job(tmp_path, ["print('a')", f"import sys\n{exit_code}", "print('after')"])
    result = run_job(job)
    assert result["status"] == "completed", result
    assert result["error"] is None
    assert result["cells_done"] == 2
    assert executed(job).cells[2].outputs == []
    log = log_text(job)
    assert "the notebook ends here" in log and "error: SystemExit" not in log


def test_nonzero_system_exit_fails(tmp_path):
    job = make_job(tmp_path, ["import sys\nsys.exit(3)", "print('after')"])
    result = run_job(job)
    assert result["status"] == "failed"
    assert result["error"]["reason"] == "cell_error"
    assert (result["error"]["ename"], result["error"]["evalue"]) == ("SystemExit", "3")
    assert result["error"]["cell_index"] == 0


def test_timeout_saves_the_partial_notebook_and_kills_the_kernel(tmp_path):
    job = make_job(
        tmp_path,
        [
            "print('first')",
            "import time\nprint('sleeping', flush=True)\ntime.sleep(120)",
            "print('never')",
        ],
        timeout=10,  # room for a cold import and kernel start on a busy machine
    )
    result = run_job(job)
    assert result["status"] == "failed"
    assert result["error"]["reason"] == "timeout"
    assert result["error"]["cell_index"] == 1
    assert result["timings"]["total"] < 30
    nb = executed(job)
    assert stdout_of(nb.cells[0]) == "first\n"
    assert "sleeping" in stdout_of(nb.cells[1])
    assert nb.cells[1].outputs[-1].ename == "JobTimeout"
    assert nb.cells[2].outputs == []
    info = read(job, "runner.json")
    assert gone(info["kernel_pid"], info["kernel_create_time"])


def test_kernel_death_is_reported(tmp_path):
    job = make_job(tmp_path, ["print('ok')", "import os\nos._exit(1)", "print('never')"])
    result = run_job(job)
    assert result["status"] == "failed"
    assert result["error"]["reason"] == "kernel_died"
    assert result["error"]["cell_index"] == 1
    assert stdout_of(executed(job).cells[0]) == "ok\n"


def test_html_and_other_formats(tmp_path):
    job = make_job(
        tmp_path,
        ["print('hello from the job')"],
        output_formats=["ipynb", "html", "markdown", "script", "nosuchformat"],
    )
    result = run_job(job)
    assert result["status"] == "completed", result
    for name in ("analysis.html", "analysis.md", "analysis.py"):
        assert name in result["outputs"]
        assert (out_dir(job) / name).is_file()
    html = (out_dir(job) / "analysis.html").read_text()
    assert "<html" in html and "hello from the job" in html
    assert "print('hello from the job')" in (out_dir(job) / "analysis.py").read_text()
    assert len(result["warnings"]) == 1 and "nosuchformat" in result["warnings"][0]


def test_files_the_notebook_writes_are_published(tmp_path):
    code = (
        "import os\n"
        "os.makedirs('results', exist_ok=True)\n"
        "open('results/data.csv', 'w').write('a,b\\n1,2\\n')\n"
        "open('input.txt', 'a').write(' more')\n"
        "os.makedirs('.ipynb_checkpoints', exist_ok=True)\n"
        "open('.ipynb_checkpoints/x.txt', 'w').write('noise')\n"
    )
    job = make_job(tmp_path, [code], extra_files={"input.txt": "original", "untouched.txt": "same"})
    result = run_job(job)
    assert result["status"] == "completed", result
    files = sorted(n for n in result["outputs"] if n.startswith("files/"))
    assert files == ["files/input.txt", "files/results/data.csv"]
    assert (out_dir(job) / "files/results/data.csv").read_text() == "a,b\n1,2\n"
    assert (out_dir(job) / "files/input.txt").read_text() == "original more"
    assert not (out_dir(job) / "files/untouched.txt").exists()
    assert not (out_dir(job) / "files/analysis.ipynb").exists()


def test_env_vars_and_cwd_reach_the_kernel(tmp_path):
    job = make_job(
        tmp_path,
        [
            "import os\nprint(os.environ['NBJOBS_T_VAR'])\nprint(os.getcwd())\nprint(open('data.txt').read())"
        ],
        env={"NBJOBS_T_VAR": "hello world"},
        extra_files={"data.txt": "relative ok"},
    )
    result = run_job(job)
    assert result["status"] == "completed", result
    lines = stdout_of(executed(job).cells[0]).splitlines()
    assert lines[0] == "hello world"
    assert os.path.realpath(lines[1]) == os.path.realpath(job / "work")
    assert lines[2] == "relative ok"
    assert "NBJOBS_T_VAR" not in os.environ  # the runner's own env is left alone


def test_unknown_kernel_and_missing_spec_are_runner_errors(tmp_path):
    job = make_job(tmp_path, ["1"])
    spec = json.loads((job / "job.json").read_text())
    spec["kernel_name"] = "no-such-kernel"
    (job / "job.json").write_text(json.dumps(spec))
    result = run_job(job)
    assert result["status"] == "failed"
    assert result["error"]["reason"] == "runner_error"
    assert "no-such-kernel" in result["error"]["message"]

    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_job(empty)
    assert result["status"] == "failed" and result["error"]["reason"] == "runner_error"
    assert read(empty, "result.json")["status"] == "failed"


def test_stale_result_of_an_earlier_attempt_is_replaced(tmp_path):
    job = make_job(tmp_path, ["1"], attempt=2)
    (job / "result.json").write_text(json.dumps({"status": "failed", "attempt": 1}))
    result = run_job(job)
    assert result["attempt"] == 2 and read(job, "result.json")["status"] == "completed"


def test_kernel_starter_hook_gets_kernel_cwd_and_env(tmp_path):
    """The seam a warm kernel pool plugs into."""
    import asyncio

    from jupyterlab_nbjobs.runner import notebook
    from jupyterlab_nbjobs.runner.execute import run_job_async

    calls = []

    async def starter(kernel_name, cwd, env):
        calls.append((kernel_name, Path(cwd), dict(env)))
        return await notebook.start_kernel(kernel_name, cwd, env)

    job = make_job(tmp_path, ["import os\nprint(os.environ['X_HOOK'])"], env={"X_HOOK": "yes"})
    result = asyncio.run(run_job_async(job, start_kernel=starter))
    assert result["status"] == "completed", result
    assert calls == [("python3", job.resolve() / "work", {"X_HOOK": "yes"})]
    assert executed(job).cells[0].outputs[0].text == "yes\n"
    info = read(job, "runner.json")
    assert gone(info["kernel_pid"], info["kernel_create_time"])


def test_unwritable_output_folder_is_a_runner_error(tmp_path):
    job = make_job(tmp_path, ["1"])
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    spec = json.loads((job / "job.json").read_text())
    spec["output_dir"] = str(blocker / "out")
    (job / "job.json").write_text(json.dumps(spec))
    result = run_job(job)
    assert result["status"] == "failed" and result["error"]["reason"] == "runner_error"
    assert "output folder" in result["error"]["message"]
    assert read(job, "result.json") == result
