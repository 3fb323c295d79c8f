"""Server configuration for the galata integration tests.

A real Jupyter server with the nbjobs server extension on the local backend. Its state
(job store, staging, outputs) lives in a fresh temporary directory per run.
"""

import os
import tempfile

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821

c.ServerApp.ip = "127.0.0.1"
c.ServerApp.allow_root = True
# Not 8888, so that a JupyterLab started by hand does not collide with the tests.
c.ServerApp.port = int(os.environ.get("NBJOBS_GALATA_PORT", "18888"))

_state = tempfile.mkdtemp(prefix="nbjobs-galata-")
c.NbJobsApp.db_url = "sqlite:///" + os.path.join(_state, "nbjobs.sqlite")  # noqa: F821
c.NbJobsApp.staging_dir = os.path.join(_state, "jobs")  # noqa: F821

# Notebook instances (the instances spec): moto + the thin fake + the header identity
# provider. NBJOBS_GALATA_INSTANCES=0 leaves them off.
if os.environ.get("NBJOBS_GALATA_INSTANCES", "1") != "0":
    import sys

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from instances_setup import enable_instances

    enable_instances(c)  # noqa: F821
