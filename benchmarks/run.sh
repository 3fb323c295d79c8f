#!/usr/bin/env bash
# The benchmark in one command: bash benchmarks/run.sh [--quick] [--ours-only] [--help]
# Uses the Python environment on PATH (where jupyterlab_nbjobs is installed editable) and
# installs jupyter-scheduler 2.12.x into its own venv under benchmarks/.work/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python}"
cd "$ROOT"
if ! "$PY" -c "import jupyterlab_nbjobs, papermill, psutil" 2>/dev/null; then
  echo "installing jupyterlab_nbjobs (editable, Python only) ..."
  SKIP_JUPYTER_BUILDER=1 "$PY" -m pip install --quiet -e . papermill psutil
fi
exec "$PY" benchmarks/run.py "$@"
