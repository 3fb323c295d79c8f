"""`python -m jupyterlab_nbjobs.openapi` rewrites openapi.yaml from the models."""

import sys

from . import SPEC_PATH, render

SPEC_PATH.write_text(render())
sys.stdout.write(f"wrote {SPEC_PATH}\n")
