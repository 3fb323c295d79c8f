#!/bin/bash
# Installs the jupyterlab_nbjobs extension on a SageMaker notebook instance: as ec2-user into
# the JupyterSystemEnv conda environment the Jupyter server runs from, then restarts the
# server. Written by `jupyter nbjobs lcc notebook-instance` (jupyterlab_nbjobs @GENERATOR@).
# The on-start script runs as root at every start; the install runs in the background (see
# /var/log/nbjobs-lcc/install.log).
set -euo pipefail

NBJOBS_REQUIREMENT=@REQUIREMENT@
NBJOBS_WHEEL_URI=@WHEEL_URI@
NBJOBS_TARGET="notebook instance"
NBJOBS_ENV_DESCRIPTION="conda environment JupyterSystemEnv of ec2-user"
NBJOBS_DEFAULT_DIR="/var/log/nbjobs-lcc"

# shellcheck disable=SC2016  # $HOME is ec2-user's, expanded in its login shell
env_python() {
  sudo -u ec2-user -i bash -c \
    'source "$HOME/anaconda3/bin/activate" JupyterSystemEnv && python -c "import sys; print(sys.executable)"'
}

run_in_env() { sudo -u ec2-user -i "$@"; }

restart_server() {
  if command -v systemctl >/dev/null 2>&1; then
    systemctl --no-block restart jupyter-server.service
  elif command -v initctl >/dev/null 2>&1; then
    initctl restart jupyter-server --no-wait
  else
    log "found no way to restart the Jupyter server: stop and start the instance"
  fi
}

@COMMON@
