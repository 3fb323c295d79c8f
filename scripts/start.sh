#!/usr/bin/env bash
# Installs what is needed, then starts JupyterLab on 127.0.0.1 with notebook jobs on the
# local backend. Prints the URL with its token. Extra arguments go to `jupyter lab`.
set -euo pipefail

START_DIR="$PWD"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install.sh

args=(--ip=127.0.0.1 --no-browser --ServerApp.root_dir="$START_DIR"
      --NbJobsApp.default_backend=local)
[[ $(id -u) -eq 0 ]] && args+=(--allow-root)
echo "Starting JupyterLab; open the URL with the token printed below."
exec jupyter lab "${args[@]}" "$@"
