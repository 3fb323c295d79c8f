#!/bin/bash
# Installs the jupyterlab_nbjobs extension into a SageMaker Studio JupyterLab space: into the
# micromamba `base` environment the JupyterLab server runs from, then restarts the server.
# Written by `jupyter nbjobs lcc studio` (jupyterlab_nbjobs @GENERATOR@). Runs as the space's
# user at every start; the install runs in the background (see ~/.nbjobs-lcc/install.log).
set -euo pipefail

NBJOBS_REQUIREMENT=@REQUIREMENT@
NBJOBS_WHEEL_URI=@WHEEL_URI@
NBJOBS_TARGET="Studio JupyterLab"
NBJOBS_ENV_DESCRIPTION="micromamba environment base"
NBJOBS_DEFAULT_DIR="$HOME/.nbjobs-lcc"

env_python() { micromamba run -n base python -c 'import sys; print(sys.executable)'; }

run_in_env() { "$@"; }

restart_server() {
  if command -v restart-jupyter-server >/dev/null 2>&1; then
    restart-jupyter-server
  else
    log "restart-jupyter-server not found: restart the space to load the extension"
  fi
}

@COMMON@
