"""The on-start script our lifecycle config carries, run for real by bash; the IAM policy
printed by `jupyter nbjobs iam-policy`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from jupyterlab_nbjobs.services.instances.lifecycle import (
    MAX_SCRIPT_CHARS,
    check_size,
    on_start_script,
    own_config_name,
    sparkmagic_config,
)


def test_on_start_writes_notebook_params_sparkmagic_and_runs_the_users_script(tmp_path):
    params_path = tmp_path / "SageMaker" / "notebook-params.json"
    params = {"bucket": "team-bucket", "subnets": ["subnet-1"], "kms_key": "alias/k",
              "security_groups": ["sg-1"], "project": "vision"}
    # a user script with a heredoc, quotes and its own exit code
    user = "#!/bin/bash\ncat > \"$NBJOBS_HOME/user.txt\" <<'EOF'\nit's $HOME\nEOF\nexit 0\n"
    script = on_start_script(params, str(params_path),
                             sparkmagic_config("master.example", 8998), user)
    home = tmp_path / "home"
    run = subprocess.run(["bash", "-c", script], env={"PATH": "/usr/bin:/bin",
                                                       "NBJOBS_HOME": str(home)},
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert json.loads(params_path.read_text()) == params
    spark = json.loads((home / ".sparkmagic" / "config.json").read_text())
    assert spark["kernel_python_credentials"]["url"] == "http://master.example:8998"
    assert (home / "user.txt").read_text() == "it's $HOME\n"


def test_a_failing_user_script_fails_the_start(tmp_path):
    script = on_start_script({}, str(tmp_path / "p.json"), None, "exit 3\n")
    run = subprocess.run(["bash", "-c", script], capture_output=True, timeout=30,
                         env={"PATH": "/usr/bin:/bin", "NBJOBS_HOME": str(tmp_path)})
    assert run.returncode == 3


def test_names_and_limits():
    long = "a" * 63
    assert len(own_config_name(long)) <= 63 and own_config_name(long).startswith("nbjobs-")
    assert own_config_name("nb-1") != own_config_name("nb-2")
    check_size("x" * MAX_SCRIPT_CHARS, "on-start")
    with pytest.raises(Exception) as raised:
        check_size("x" * (MAX_SCRIPT_CHARS + 1), "on-start")
    assert raised.value.field == "lifecycle_config"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jupyterlab_nbjobs.cli", *args],
                          capture_output=True, text=True, timeout=60)


def test_iam_policy_denies_untagged_creates(tmp_path):
    run = cli("iam-policy", "--project", "vision")
    assert run.returncode == 0, run.stderr
    policy = json.loads(run.stdout)
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert all(s["Effect"] == "Deny" for s in statements.values())
    for key in ("Project", "System", "User"):
        cond = statements[f"DenyCreateWithout{key}Tag"]["Condition"]
        assert cond == {"Null": {f"aws:RequestTag/{key.lower()}": "true"}}
    assert statements["DenyCreateWithOtherProject"]["Condition"] == {
        "StringNotEquals": {"aws:RequestTag/project": "vision"}}
    assert statements["DenyCreateWithOtherSystem"]["Condition"] == {
        "StringNotEquals": {"aws:RequestTag/system": "jupyterlab_nbjobs"}}
    actions = statements["DenyCreateWithoutUserTag"]["Action"]
    assert "sagemaker:CreateNotebookInstance" in actions
    assert "elasticmapreduce:RunJobFlow" in actions
    assert "sagemaker:CreatePresignedNotebookInstanceUrl" not in actions  # takes no tags
    out = tmp_path / "policy.json"
    run = cli("iam-policy", "--project", "vision", "--system", "ml-platform", "--out", str(out))
    assert run.returncode == 0 and run.stdout == ""
    assert "ml-platform" in out.read_text()
    run = cli("iam-policy", "--NotebookInstances.tag_system=from-config", "--project", "p2")
    assert run.returncode == 0, run.stderr
    assert '"aws:RequestTag/system": "from-config"' in run.stdout


def test_iam_policy_refuses_a_bad_project():
    run = cli("iam-policy", "--project", "not a name")
    assert run.returncode == 2 and "not a project name" in run.stderr
    run = cli("iam-policy")
    assert run.returncode == 2
