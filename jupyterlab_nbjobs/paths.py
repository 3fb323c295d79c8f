"""Where this package lives, and how a child Python of ours finds it."""

import os
import sys

# The folder that holds this package, installed or not: child Pythons (runners, the migration,
# the output-formats probe, the service process) import the package from here, as this
# process does.
PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def child_python_env() -> dict[str, str]:
    """The environment for a `python -m jupyterlab_nbjobs...` child run from PACKAGE_PARENT:
    this process's import path, without its working directory (the server's notebook folder,
    where a user's alembic.py or tornado.py would be imported first)."""
    here = os.getcwd()
    path = [p for p in sys.path if p and os.path.abspath(p) != here]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
