"""The lifecycle config every instance gets: its on-start script writes notebook-params.json
(bucket, subnets, KMS key, security groups, project) where notebooks on the instance read it,
points sparkmagic at the attached EMR cluster, then runs the user's chosen config's script.

SageMaker gives an instance one lifecycle config, so ours carries the user's on-create and
on-start scripts too (each runs as its own bash script, unchanged). Each script is at most
16,384 characters (SageMaker's limit), checked before AWS is called."""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from ...errors import InvalidRequest

MAX_SCRIPT_CHARS = 16384
OWN_PREFIX = "nbjobs-"


def own_config_name(instance: str) -> str:
    """Our config's name for `instance`: unique per instance, within SageMaker's 63."""
    digest = hashlib.sha1(instance.encode()).hexdigest()[:8]
    return f"{OWN_PREFIX}{instance[:40].rstrip('-')}-{digest}"


def _heredoc(path: str, content: str, tag: str) -> str:
    marker = f"NBJOBS_{tag}_{secrets.token_hex(4).upper()}"
    while marker in content:
        marker = f"NBJOBS_{tag}_{secrets.token_hex(4).upper()}"
    return f"cat > \"{path}\" <<'{marker}'\n{content}\n{marker}\n"


def sparkmagic_config(master_dns: str, port: int) -> dict[str, Any]:
    url = f"http://{master_dns}:{port}"
    creds = {"username": "", "password": "", "url": url, "auth": "None"}
    return {"kernel_python_credentials": creds, "kernel_scala_credentials": creds,
            "kernel_r_credentials": creds, "livy_session_startup_timeout_seconds": 120,
            "session_configs": {"driverMemory": "2G", "executorCores": 2}}


def on_start_script(params: dict[str, Any], params_path: str, sparkmagic: dict | None,
                    user_script: str) -> str:
    home = "${NBJOBS_HOME:-/home/ec2-user}"
    parts = ["#!/bin/bash",
             "# Written by jupyterlab_nbjobs: the instance's settings, then the chosen "
             "lifecycle config's own on-start script.",
             "set -e",
             f"mkdir -p \"$(dirname \"{params_path}\")\"",
             _heredoc(params_path, json.dumps(params, indent=1, sort_keys=True), "PARAMS"),
             f"chown ec2-user:ec2-user \"{params_path}\" 2>/dev/null || true"]
    if sparkmagic is not None:
        parts += [f"mkdir -p \"{home}/.sparkmagic\"",
                  _heredoc(f"{home}/.sparkmagic/config.json",
                           json.dumps(sparkmagic, indent=1, sort_keys=True), "SPARKMAGIC"),
                  f"chown -R ec2-user:ec2-user \"{home}/.sparkmagic\" 2>/dev/null || true"]
    if user_script.strip():
        parts += [_heredoc("/tmp/nbjobs-user-on-start.sh", user_script, "USER"),
                  "bash /tmp/nbjobs-user-on-start.sh"]
    return "\n".join(parts) + "\n"


def check_size(script: str, what: str) -> None:
    if len(script) > MAX_SCRIPT_CHARS:
        raise InvalidRequest(f"the {what} script would be {len(script)} characters with the "
                             f"instance's settings; SageMaker takes at most {MAX_SCRIPT_CHARS}",
                             reason="lifecycle_config_too_large", field="lifecycle_config")
