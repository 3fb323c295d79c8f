"""`jupyter nbjobs` reads the server's Jupyter config files, so the same settings (the store,
the server root, the SageMaker backend) apply; a SageMaker schedule made and deleted from the
shell reaches AWS (a moto server)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess

import boto3
import pytest

from tests.support.aws import IMAGE, IN_BUCKET, OUT_BUCKET, REGION, ROLE, moto_url, reset_moto
from tests.support.server import write_notebook
from tests.test_cli import BASE

FAKE_AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}


@pytest.fixture
def configured(tmp_path):
    """A Jupyter config dir whose jupyter_server_config.json the command must find by itself."""
    config_dir, root = tmp_path / "config", tmp_path / "root"
    config_dir.mkdir()
    root.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBJOBS_", "AWS_"))}
    env["JUPYTER_CONFIG_DIR"] = str(config_dir)

    def write(settings: dict) -> None:
        (config_dir / "jupyter_server_config.json").write_text(json.dumps(settings))

    def run(*args: str, extra_env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([*BASE, *args], env={**env, **(extra_env or {})}, cwd=tmp_path,
                              capture_output=True, text=True, timeout=180)

    run.write, run.root = write, root
    return run


def test_store_root_and_outputs_come_from_the_server_config(configured, tmp_path):
    db = tmp_path / "from-config.sqlite"
    configured.write({"ServerApp": {"root_dir": str(configured.root)},
                      "NbJobsApp": {"db_url": f"sqlite:///{db}",
                                    "staging_dir": str(tmp_path / "staging"),
                                    "outputs_folder": "from-config"},
                      "LocalBackend": {"max_concurrent_jobs": 1}})
    write_notebook(configured.root, "nb.ipynb", "print(x)", parameters="x = 1")
    res = configured("run", "nb.ipynb", "-p", "x", "7")
    assert res.returncode == 0, res.stderr
    assert "completed: nb -> from-config/" in res.stdout
    job_id = res.stdout.split()[1]
    with sqlite3.connect(db) as conn:
        assert conn.execute("select status from jobs where id = ?", (job_id,)).fetchall() == [
            ("completed",)]
    # A --Class.trait option wins over the file, as it does for the server.
    res = configured("run", "nb.ipynb", "--NbJobsApp.outputs_folder=from-option")
    assert res.returncode == 0 and "-> from-option/" in res.stdout, res.stderr


def test_old_local_settings_still_work_with_a_warning(configured, tmp_path):
    configured.write({"ServerApp": {"root_dir": str(configured.root)},
                      "NbJobsApp": {"db_url": f"sqlite:///{tmp_path / 'db.sqlite'}",
                                    "staging_dir": str(tmp_path / "staging"),
                                    "max_concurrent_jobs": 1}})
    write_notebook(configured.root, "nb.ipynb", "x = 1")
    res = configured("run", "nb.ipynb")
    assert res.returncode == 0, res.stderr
    assert "c.NbJobsApp.max_concurrent_jobs is deprecated" in res.stderr


def test_sagemaker_schedule_create_and_delete_from_the_shell(configured, tmp_path):
    url = moto_url()
    reset_moto(url)
    aws = {s: boto3.client(s, endpoint_url=url, region_name=REGION, aws_access_key_id="testing",
                           aws_secret_access_key="testing")
           for s in ("s3", "scheduler", "sagemaker")}
    for bucket in (IN_BUCKET, OUT_BUCKET):
        aws["s3"].create_bucket(Bucket=bucket)
    configured.write({
        "ServerApp": {"root_dir": str(configured.root)},
        "NbJobsApp": {"db_url": f"sqlite:///{tmp_path / 'db.sqlite'}",
                      "staging_dir": str(tmp_path / "staging")},
        "SageMakerConfig": {
            "endpoint_url": url, "region": REGION, "role_arn": ROLE, "image_uri": IMAGE,
            "max_attempts": 1, "s3_input": f"s3://{IN_BUCKET}/stage",
            "s3_output": f"s3://{OUT_BUCKET}/results", "read_domain_settings": False,
            "resource_metadata_path": str(tmp_path / "no-metadata.json"),
            "notebook_params_path": str(tmp_path / "no-params.json")}})
    write_notebook(configured.root, "report.ipynb", "print(n)", parameters="n = 1")

    res = configured("schedule", "create", "report.ipynb", "--backend", "sagemaker",
                     "--cron", "daily at 06:30", "--tz", "Europe/Berlin", "-p", "n", "3",
                     "--option", "instance_type=ml.m5.xlarge", extra_env=FAKE_AWS)
    assert res.returncode == 0, res.stderr
    sid = res.stdout.split()[1].rstrip(":")
    got = aws["scheduler"].get_schedule(Name=f"nbjobs-{sid}", GroupName="nbjobs")
    assert got["ScheduleExpression"] == "cron(30 6 * * ? *)"
    assert got["ScheduleExpressionTimezone"] == "Europe/Berlin"

    paused = configured("schedule", "pause", sid, extra_env=FAKE_AWS)
    assert paused.returncode == 0 and f"{sid}: paused" in paused.stdout, paused.stderr
    assert aws["scheduler"].get_schedule(
        Name=f"nbjobs-{sid}", GroupName="nbjobs")["State"] == "DISABLED"

    deleted = configured("schedule", "delete", sid, extra_env=FAKE_AWS)
    assert deleted.returncode == 0, deleted.stderr
    with pytest.raises(aws["scheduler"].exceptions.ResourceNotFoundException):
        aws["scheduler"].get_schedule(Name=f"nbjobs-{sid}", GroupName="nbjobs")
    names = [p["PipelineName"] for p in aws["sagemaker"].list_pipelines()["PipelineSummaries"]]
    assert f"nbjobs-{sid}" not in names
    assert configured("schedule", "list", extra_env=FAKE_AWS).stdout.strip() == "no schedules"


def test_a_mistyped_option_is_refused_not_ignored(configured, tmp_path):
    configured.write({"NbJobsApp": {"db_url": f"sqlite:///{tmp_path / 'db.sqlite'}"}})
    for args in (["list", "--limt", "3"], ["list", "extra"], ["--NotAnOption", "list"]):
        res = configured(*args)
        assert res.returncode == 2 and "unrecognized arguments" in res.stderr, (args, res)
    ok = configured("--NbJobsApp.staging_dir=" + str(tmp_path / "s"), "list")
    assert ok.returncode == 0 and ok.stdout.strip() == "no jobs", ok.stderr


def test_command_line_beats_environment_beats_config_file(configured, tmp_path):
    paths = {k: tmp_path / f"{k}.sqlite" for k in ("file", "env", "option")}
    configured.write({"ServerApp": {"root_dir": str(configured.root)},
                      "NbJobsApp": {"db_url": f"sqlite:///{paths['file']}",
                                    "staging_dir": str(tmp_path / "staging")}})
    write_notebook(configured.root, "nb.ipynb", "x = 1")
    env = {"NBJOBS_DB_URL": f"sqlite:///{paths['env']}"}
    assert configured("run", "nb.ipynb", extra_env=env).returncode == 0
    assert configured(f"--NbJobsApp.db_url=sqlite:///{paths['option']}", "run", "nb.ipynb",
                      extra_env=env).returncode == 0
    counts = {}
    for name, path in paths.items():
        if path.exists():
            with sqlite3.connect(path) as conn:
                counts[name] = conn.execute("select count(*) from jobs").fetchone()[0]
    assert counts == {"env": 1, "option": 1}


def test_zero_concurrent_jobs_means_the_cpu_count(configured, tmp_path):
    configured.write({"ServerApp": {"root_dir": str(configured.root)},
                      "NbJobsApp": {"db_url": f"sqlite:///{tmp_path / 'db.sqlite'}",
                                    "staging_dir": str(tmp_path / "staging")}})
    write_notebook(configured.root, "nb.ipynb", "x = 1")
    res = configured("--max-concurrent-jobs", "0", "run", "nb.ipynb")
    assert res.returncode == 0 and "completed: nb" in res.stdout, res.stderr
