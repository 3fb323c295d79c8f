"""`jupyter nbjobs` end to end: the installed command in a subprocess, real kernels, and
the same store as a running server."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jupyterlab_nbjobs.cli import main
from tests.support.server import write_notebook

CLI = shutil.which("jupyter-nbjobs")
BASE = [CLI] if CLI else [sys.executable, "-m", "jupyterlab_nbjobs.cli"]


@pytest.fixture
def cli(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    # The command reads the Jupyter config path: keep this machine's config files out.
    (tmp_path / "config").mkdir()
    env = {**os.environ, "NBJOBS_DB_URL": f"sqlite:///{tmp_path / 'nbjobs.sqlite'}",
           "NBJOBS_STAGING_DIR": str(tmp_path / "staging"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_CONFIG_PATH": "",
           "JUPYTER_PREFER_ENV_PATH": "0"}

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([*BASE, "--root-dir", str(root), *args], env=env,
                              capture_output=True, text=True, timeout=timeout)

    run.root, run.env = root, env
    return run


def test_run_with_parameters_progress_and_outputs(cli):
    write_notebook(cli.root, "nb.ipynb", "import json; open('p.json','w').write("
                   "json.dumps({'n': n, 's': s, 'f': f}))", "print('hello from the job')",
                   parameters="n = 1\ns = 'a'\nf = False")
    res = cli("run", "nb.ipynb", "-p", "n", "42", "-p", "s", "text", "-p", "f", "True",
              "-p", "extra", "1")
    assert res.returncode == 0, res.stderr
    assert "completed: nb -> nbjobs-outputs/" in res.stdout
    assert "warning: parameter 'extra' is not declared" in res.stderr
    assert "[####################] 4/4 cells" in res.stderr or "5/5 cells" in res.stderr
    job_id = res.stdout.split()[1]
    shown = json.loads(cli("show", job_id).stdout)
    assert shown["status"] == "completed" and shown["parameters"] == {
        "n": 42, "s": "text", "f": True, "extra": 1}
    seen = json.loads((cli.root / shown["output_path"] / "files" / "p.json").read_text())
    assert seen == {"n": 42, "s": "text", "f": True}
    logs = cli("logs", job_id)
    assert logs.returncode == 0 and "hello from the job" in logs.stdout
    listing = cli("list")
    assert listing.returncode == 0 and job_id in listing.stdout and "completed" in listing.stdout


def test_failing_job_exits_1_with_the_error(cli):
    write_notebook(cli.root, "bad.ipynb", "x = 1", "1 / 0")
    res = cli("run", "bad.ipynb")
    assert res.returncode == 1
    assert "failed: bad" in res.stdout and "ZeroDivisionError in cell 2" in res.stdout


def test_grid_sweep(cli):
    write_notebook(cli.root, "g.ipynb", "print(a * b)", parameters="a = 1\nb = 1")
    res = cli("run", "g.ipynb", "--grid", "a=1,2", "--grid", "b=10,20", "-p", "c", "0")
    assert res.returncode == 0, (res.stdout, res.stderr)
    assert "4 jobs" in res.stdout and res.stdout.count("completed: g [") == 4
    sweep_id = res.stdout.split()[1].rstrip(":")
    listing = json.loads(cli("list", "--sweep", sweep_id, "--json").stdout)
    assert sorted((j["parameters"]["a"], j["parameters"]["b"]) for j in listing) == [
        (1, 10), (1, 20), (2, 10), (2, 20)]


def test_stop_and_follow_a_running_job(cli):
    write_notebook(cli.root, "slow.ipynb", "print('started', flush=True)",
                   "import time; time.sleep(60)")
    runner = subprocess.Popen([*BASE, "--root-dir", str(cli.root), "run", "slow.ipynb"],
                              env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    job_id = runner.stdout.readline().split()[1]
    deadline = time.monotonic() + 60
    while json.loads(cli("show", job_id).stdout)["progress"]["cells_done"] < 1:
        assert time.monotonic() < deadline
        time.sleep(0.3)
    follower = subprocess.Popen([*BASE, "--root-dir", str(cli.root), "logs", job_id,
                                 "--follow"], env=cli.env, stdout=subprocess.PIPE, text=True)
    res = cli("stop", job_id)
    assert res.returncode == 0 and f"{job_id}: stopped" in res.stdout, res.stderr
    assert runner.wait(timeout=60) == 1  # the `run` sees its job stopped
    assert "stopped: slow" in runner.stdout.read()
    followed, _ = follower.communicate(timeout=30)  # --follow ends when the job does
    assert "started" in followed


def test_schedule_commands(cli):
    write_notebook(cli.root, "s.ipynb", "x = 1")
    res = cli("schedule", "create", "s.ipynb", "--cron", "daily at 06:30", "--tz",
              "Europe/Berlin", "--name", "morning", "-p", "x", "2", "--env", "A=b",
              "--timeout", "30", "--retries", "1")
    assert res.returncode == 0, res.stderr
    sid = res.stdout.split()[1].rstrip(":")
    assert "At 06:30" in res.stdout and res.stdout.count("next: ") == 5
    assert "morning" in cli("schedule", "list").stdout
    assert f"{sid}: paused" in cli("schedule", "pause", sid).stdout
    assert "paused" in cli("schedule", "list").stdout
    assert f"{sid}: active" in cli("schedule", "resume", sid).stdout
    assert cli("schedule", "delete", sid, "--delete-runs").returncode == 0
    assert cli("schedule", "list").stdout.strip() == "no schedules"


@pytest.mark.parametrize("args,message", [
    (["run", "missing.ipynb"], "no file at 'missing.ipynb'"),
    (["run", "ok.ipynb", "--grid", "a"], "--grid wants NAME=V1,V2"),
    (["run", "ok.ipynb", "--grid", "a="], "grid parameter(s) a have no values"),
    (["run", "ok.ipynb", "-p", "not-a-name", "1"], "not a Python identifier"),
    (["run", "ok.ipynb", "--kernel", "nope"], "unknown kernel 'nope'"),
    (["run", "../ok.ipynb"], "leaves the server root"),
    (["show", "nope"], "no job with id 'nope'"),
    (["stop", "nope"], "no job with id 'nope'"),
    (["list", "--status", "sleeping"], "unknown status 'sleeping'"),
    (["schedule", "create", "ok.ipynb", "--cron", "61 * * * *"], "61 is outside 0-59"),
    (["schedule", "create", "ok.ipynb", "--cron", "@daily", "--tz", "Mars/Base"],
     "unknown time zone 'Mars/Base'"),
    (["schedule", "create", "ok.ipynb", "--cron", "@daily", "--start", "2030-01-02",
      "--end", "2030-01-01"], "end_at must be after start_at"),
    (["schedule", "pause", "nope"], "no schedule with id 'nope'"),
])
def test_bad_input_exits_2_with_a_message(cli, args, message, capsys, monkeypatch):
    """In-process (the same main() the console script calls) to keep the suite fast; the
    installed command's exit code is checked once below."""
    write_notebook(cli.root, "ok.ipynb", "x = 1")
    for name in ("NBJOBS_DB_URL", "NBJOBS_STAGING_DIR", "JUPYTER_CONFIG_DIR"):
        monkeypatch.setenv(name, cli.env[name])
    code = main(["--root-dir", str(cli.root), *args])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: ") and message in err, err
    assert "Traceback" not in err


def test_installed_command_exits_2_on_bad_input(cli):
    res = cli("schedule", "create", "nothing.ipynb", "--cron", "@daily", "--tz", "Nowhere")
    assert res.returncode == 2 and res.stderr.startswith("error: "), res.stderr
    assert "Traceback" not in res.stderr


def test_version_and_every_setting_answer_without_a_command(cli):
    from jupyterlab_nbjobs import __version__

    res = cli("--version")
    assert res.returncode == 0 and res.stdout.strip() == __version__, res.stderr
    res = cli("--help-all")
    assert res.returncode == 0, res.stderr
    # The settings the server reads, documented the way --Class.trait options are written.
    for option in ("--NbJobsApp.db_url=", "--LocalBackend.max_concurrent_jobs=",
                   "--SageMakerConfig.role_arn=", "--RemoteBackend.", "--NotebookInstances."):
        assert option in res.stdout, option
    assert "--NbJobsApp.answer_yes" not in res.stdout  # a Jupyter application's, not ours
    res = cli("lcc", "notebook-instance", "--version", "0.9")  # a command's own --version
    assert res.returncode == 0 and "jupyterlab_nbjobs==0.9" in res.stdout, res.stderr


async def test_cli_and_server_share_the_store(api, tmp_path, jp_root_dir, nbjobs_config):
    write_notebook(Path(jp_root_dir), "shared.ipynb", "x = 1")
    env = {**os.environ, "NBJOBS_DB_URL": nbjobs_config["db_url"],
           "NBJOBS_STAGING_DIR": nbjobs_config["staging_dir"]}

    async def cli(*args):
        proc = await asyncio.create_subprocess_exec(
            *BASE, "--root-dir", str(jp_root_dir), *args, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await proc.communicate()
        return proc.returncode, out.decode(), err.decode()

    code, out, err = await cli("run", "shared.ipynb", "--tag", "from-cli")
    assert code == 0, err
    job_id = out.split()[1]
    status, job = await api.get(f"jobs/{job_id}")
    assert status == 200 and job["status"] == "completed" and job["tags"] == ["from-cli"]
    code, out, err = await cli("schedule", "create", "shared.ipynb", "--cron", "@hourly")
    assert code == 0, err
    status, listing = await api.get("schedules")
    assert [s["id"] for s in listing["schedules"]] == [out.split()[1].rstrip(":")]
