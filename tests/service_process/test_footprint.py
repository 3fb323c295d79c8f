"""What the service process imports to serve: the handlers, the services and the store,
not jupyter_server's server or extension application (~0.25 s of every start of it)."""

from __future__ import annotations

import json
import subprocess
import sys

SERVE_IMPORTS = """
import json, sys
sys.modules.setdefault("rfc3987_syntax", None)  # as the process does
from jupyterlab_nbjobs.service_process import child
from jupyterlab_nbjobs.settings import NbJobsSettings
from jupyterlab_nbjobs.composition import build
from jupyterlab_nbjobs.handlers import all_routes
from jupyterlab_nbjobs.handlers.base import NotFoundHandler
all_routes("/nbjobs")
print(json.dumps(sorted(sys.modules)))
"""

NOT_IN_THE_PROCESS = ("jupyter_server.serverapp", "jupyter_server.extension.application",
                      "jupyterlab_nbjobs.app", "papermill", "nbconvert", "IPython", "boto3")


def test_serving_imports_no_server_and_no_notebook_stack():
    done = subprocess.run([sys.executable, "-c", SERVE_IMPORTS], capture_output=True,
                          text=True, timeout=120, cwd="/")
    assert done.returncode == 0, done.stderr[-3000:]
    modules = json.loads(done.stdout.splitlines()[-1])
    there = [m for m in modules if m in NOT_IN_THE_PROCESS
             or m.startswith(tuple(f"{x}." for x in NOT_IN_THE_PROCESS))]
    assert there == [], there
