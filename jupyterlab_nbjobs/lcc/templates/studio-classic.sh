#!/bin/bash
# Installs the jupyterlab_nbjobs extension into SageMaker Studio Classic: into the `studio`
# conda environment the Jupyter server app runs from, then restarts the server.
# Written by `jupyter nbjobs lcc studio --app-type JupyterServer` (jupyterlab_nbjobs
# @GENERATOR@). Runs as root when the JupyterServer app starts; the install runs in the
# background (see /var/log/nbjobs-lcc/install.log).
set -euo pipefail

NBJOBS_REQUIREMENT=@REQUIREMENT@
NBJOBS_WHEEL_URI=@WHEEL_URI@
NBJOBS_TARGET="Studio Classic JupyterServer"
NBJOBS_ENV_DESCRIPTION="conda environment studio"
NBJOBS_DEFAULT_DIR="/var/log/nbjobs-lcc"

env_python() { conda run -n studio python -c 'import sys; print(sys.executable)'; }

run_in_env() { "$@"; }

restart_server() {
  if command -v restart-jupyter-server >/dev/null 2>&1; then
    restart-jupyter-server
  elif command -v supervisorctl >/dev/null 2>&1; then
    supervisorctl -c /etc/supervisor/conf.d/supervisord.conf restart jupyterlabserver
  else
    log "found no way to restart the Jupyter server: restart the app to load the extension"
  fi
}

@COMMON@
