#!/usr/bin/env bash
# Installs what jupyterlab_nbjobs needs on a Debian 12 machine (root or sudo, Python 3.10+,
# Node 20). Idempotent: each step is skipped when its result is already there.
#   bash scripts/install.sh          # the package (editable) and its built lab extension
#   bash scripts/install.sh --test   # also Chromium, PostgreSQL, test extras, ui-tests deps
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WITH_TEST=0
[[ "${1:-}" == "--test" ]] && WITH_TEST=1

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PIP_DISABLE_PIP_VERSION_CHECK=1
STAMPS="$ROOT/build/.nbjobs-stamps"
mkdir -p "$STAMPS"
PY="${PYTHON:-python3}"

step() { printf '\n=== %s\n' "$*"; }
# Run quietly; show the output only when the command fails.
quiet() {
  local log
  log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then cat "$log"; rm -f "$log"; return 1; fi
  rm -f "$log"
}
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# --- system packages (apt) -------------------------------------------------------------
apt_wanted=()
if [[ $WITH_TEST -eq 1 ]]; then
  [[ -x /usr/bin/chromium ]] || apt_wanted+=(chromium)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || apt_wanted+=(postgresql)
  # tests/cli/test_lcc.py checks the lifecycle scripts with it.
  command -v shellcheck >/dev/null || apt_wanted+=(shellcheck)
fi
command -v node >/dev/null || apt_wanted+=(nodejs)
if [[ ${#apt_wanted[@]} -gt 0 ]]; then
  step "apt-get install ${apt_wanted[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${apt_wanted[@]}" >/dev/null
fi

# --- the Python package, editable (its build hook runs jlpm install + build) ------------
# One stamp per flavour: an install with the test extras also satisfies a plain one.
extras="" flavour="base"
[[ $WITH_TEST -eq 1 ]] && extras="[test]" flavour="test"
want="$(cat pyproject.toml package.json | sha256sum | cut -c1-16) $ROOT"
have="$(cat "$STAMPS/pip-$flavour" 2>/dev/null || true)"
# Asked from / so that this checkout's own folder on sys.path cannot answer for an editable
# install that points at another (perhaps deleted) checkout.
installed_at="$(cd / && "$PY" -c 'import jupyterlab_nbjobs, os; print(os.path.dirname(os.path.dirname(jupyterlab_nbjobs.__file__)))' 2>/dev/null || true)"
if [[ "$have" != "$want" || "$installed_at" != "$ROOT" ]]; then
  step "pip install -e .$extras"
  # A develop symlink would let pip (un)install files inside our build folder: drop it.
  labext_dir="$("$PY" -c 'import sys; print(sys.prefix)')/share/jupyter/labextensions/jupyterlab-nbjobs"
  if [[ -L "$labext_dir" ]]; then rm -f "$labext_dir"; fi
  "$PY" -m pip install -q -e ".$extras"
  echo "$want" > "$STAMPS/pip-base"
  if [[ $WITH_TEST -eq 1 ]]; then echo "$want" > "$STAMPS/pip-test"; fi
fi

# --- the package's bytecode, as pip writes it for an installed wheel ---------------------
# An editable install leaves it to the first import of each module, which writes nothing
# where PYTHONDONTWRITEBYTECODE is set (as on our machines): every process of ours (the
# service process, the pool's zygote and runners, the CLI) then compiled our sources at
# each start, ~0.15 s of the service process's. compileall rewrites only what changed.
"$PY" -m compileall -q jupyterlab_nbjobs >/dev/null

# --- the lab extension: (re)build from src/, link the built folder into Jupyter ----------
built="jupyterlab_nbjobs/labextension/package.json"
want_js="$(cat package.json yarn.lock | sha256sum | cut -c1-16)"
if [[ ! -d node_modules || "$(cat "$STAMPS/jlpm" 2>/dev/null || true)" != "$want_js" ]]; then
  step "jlpm install"
  quiet jlpm install
  echo "$want_js" > "$STAMPS/jlpm"
fi
# Rebuild only when a source is newer than the built extension.
if [[ ! -f "$built" ]] || [[ -n "$(find src style schema package.json tsconfig.json -newer "$built" -print -quit)" ]]; then
  step "jlpm build"
  quiet jlpm build
fi
labext_dir="$("$PY" -c 'import sys; print(sys.prefix)')/share/jupyter/labextensions/jupyterlab-nbjobs"
if [[ "$(readlink -f "$labext_dir")" != "$ROOT/jupyterlab_nbjobs/labextension" ]]; then
  quiet jupyter labextension develop --overwrite .
fi

# --- AWS's SageMaker notebook-job driver, in its own venv (tests run our staged jobs with it) ---
if [[ $WITH_TEST -eq 1 ]]; then
  driver_venv="$ROOT/build/driver-venv"
  want_driver="sagemaker-headless-execution-driver==0.0.13 papermill nbconvert ipykernel"
  if [[ ! -x "$driver_venv/bin/amazon_sagemaker_scheduler" || "$(cat "$STAMPS/driver-venv" 2>/dev/null || true)" != "$want_driver" ]]; then
    step "driver venv: $want_driver"
    rm -rf "$driver_venv"
    "$PY" -m venv "$driver_venv"
    # shellcheck disable=SC2086 # the list is meant to split into packages
    quiet "$driver_venv/bin/pip" install -q $want_driver
    echo "$want_driver" > "$STAMPS/driver-venv"
  fi
fi

if [[ $WITH_TEST -eq 1 ]]; then
  want_ui="$(cat ui-tests/package.json ui-tests/yarn.lock | sha256sum | cut -c1-16)"
  if [[ ! -d ui-tests/node_modules || "$(cat "$STAMPS/ui-tests" 2>/dev/null || true)" != "$want_ui" ]]; then
    step "ui-tests: jlpm install"
    (cd ui-tests && quiet jlpm install)
    echo "$want_ui" > "$STAMPS/ui-tests"
  fi
fi
