# ---- shared by every target ---------------------------------------------------------------
NBJOBS_LCC_DIR="${NBJOBS_LCC_DIR:-$NBJOBS_DEFAULT_DIR}"
NBJOBS_LOG="$NBJOBS_LCC_DIR/install.log"
NBJOBS_STATUS="$NBJOBS_LCC_DIR/status"
export NBJOBS_REQUIREMENT NBJOBS_WHEEL_URI NBJOBS_LCC_DIR NBJOBS_LOG NBJOBS_STATUS \
  NBJOBS_TARGET NBJOBS_ENV_DESCRIPTION

log() { printf '%s nbjobs-lcc: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

set_status() {
  printf '%s\n' "$*" >"$NBJOBS_STATUS.tmp" && mv -f "$NBJOBS_STATUS.tmp" "$NBJOBS_STATUS"
}

# aws s3 cp, or boto3 from the server's environment where the AWS CLI is missing.
s3_copy() {
  local python="$1" uri="$2" dest="$3"
  if command -v aws >/dev/null 2>&1; then
    if [[ "$uri" == */ ]]; then
      aws s3 cp --only-show-errors --recursive --exclude '*' --include '*.whl' "$uri" "$dest/"
    else
      aws s3 cp --only-show-errors "$uri" "$dest/"
    fi
    return
  fi
  log "no aws command: copying with boto3"
  "$python" - "$uri" "$dest" <<'PY'
import os, sys, boto3
bucket, _, key = sys.argv[1][5:].partition("/")
s3 = boto3.client("s3")
if key.endswith("/"):
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key):
        for item in page.get("Contents", []):
            name = item["Key"][len(key):]
            if name.endswith(".whl") and "/" not in name:
                s3.download_file(bucket, item["Key"], os.path.join(sys.argv[2], name))
else:
    s3.download_file(bucket, key, os.path.join(sys.argv[2], os.path.basename(key)))
PY
}

# The version a wheel file name carries: jupyterlab_nbjobs-<version>-<tags>.whl
wheel_version() { local name; name="$(basename "$1")"; name="${name#*-}"; printf '%s\n' "${name%%-*}"; }

installed_version() {
  run_in_env "$1" -c 'import importlib.metadata as m; print(m.version("jupyterlab_nbjobs"))' \
    2>/dev/null || true
}

extension_enabled() {
  local listing
  listing="$(run_in_env "$1/bin/jupyter" server extension list 2>&1 || true)"
  grep -Eq 'jupyterlab_nbjobs.*enabled' <<<"$listing" && grep -Eq 'jupyterlab_nbjobs .*OK' <<<"$listing"
}

report_failure() {
  local rc=$?
  if [[ $rc -ne 0 ]]; then
    log "FAILED (exit $rc)"
    set_status "failed: exit $rc, see $NBJOBS_LOG"
  fi
}

background_install() {
  set -euo pipefail
  trap report_failure EXIT
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$NBJOBS_LCC_DIR/lock"
    flock 9  # a second start waits for the first install, then finds nothing to do
  fi
  local python prefix wanted source_id have stamp wheels wheel
  local -a pip_args
  log "finding the server's environment: $NBJOBS_ENV_DESCRIPTION"
  python="$(env_python)"
  prefix="$(run_in_env "$python" -c 'import sys; print(sys.prefix)')"
  log "environment: $prefix ($python)"
  if [[ -n "$NBJOBS_WHEEL_URI" ]]; then
    wheels="$NBJOBS_LCC_DIR/wheels"
    rm -rf "$wheels"
    mkdir -p "$wheels"
    log "copying $NBJOBS_WHEEL_URI"
    s3_copy "$python" "$NBJOBS_WHEEL_URI" "$wheels"
    chmod -R a+rX "$wheels"
    wheel="$(find "$wheels" -maxdepth 1 -name 'jupyterlab_nbjobs-*.whl' | sort | tail -n 1)"
    if [[ -z "$wheel" ]]; then
      log "no jupyterlab_nbjobs-*.whl in $NBJOBS_WHEEL_URI"
      return 1
    fi
    wanted="$(wheel_version "$wheel")"
    source_id="$(cat "$wheels"/*.whl | sha256sum | cut -d ' ' -f 1)"
    if [[ "$NBJOBS_WHEEL_URI" == */ ]]; then
      # A wheel folder holds what the environment lacks: no package index is needed.
      pip_args=(--no-index --find-links "$wheels" "jupyterlab_nbjobs==$wanted")
    else
      pip_args=("$wheel")
    fi
  else
    wanted="${NBJOBS_REQUIREMENT#*==}"
    source_id="$NBJOBS_REQUIREMENT"
    pip_args=("$NBJOBS_REQUIREMENT")
  fi
  stamp="$prefix/etc/jupyterlab_nbjobs-lcc.stamp"
  have="$(installed_version "$python")"
  if [[ "$have" == "$wanted" && "$(cat "$stamp" 2>/dev/null || true)" == "$source_id" ]] &&
    extension_enabled "$prefix"; then
    log "jupyterlab_nbjobs $have is installed and enabled already: nothing to do"
    set_status "ok $have unchanged"
    return 0
  fi
  if [[ -n "$have" && "$have" == "$wanted" ]]; then
    # Same version, other build (a new wheel): pip would call it satisfied.
    pip_args=(--force-reinstall --no-deps "${pip_args[@]}")
  fi
  log "pip install ${pip_args[*]} (installed before: ${have:-none})"
  run_in_env "$python" -m pip install --no-input --disable-pip-version-check \
    --no-warn-script-location --progress-bar off "${pip_args[@]}"
  # The wheel enables itself (jupyter_server_config.d); a config that disables it wins
  # over that, so enable it in the environment's own config then.
  if ! extension_enabled "$prefix"; then
    log "enabling the server extension"
    run_in_env "$prefix/bin/jupyter" server extension enable --sys-prefix jupyterlab_nbjobs
    if ! extension_enabled "$prefix"; then
      log "jupyterlab_nbjobs is not listed as enabled and OK by jupyter server extension list:"
      run_in_env "$prefix/bin/jupyter" server extension list 2>&1 || true
      return 1
    fi
  fi
  printf '%s\n' "$source_id" >"$stamp"
  log "jupyterlab_nbjobs $(installed_version "$python") installed and enabled; restarting the server"
  restart_server
  set_status "ok $wanted installed"
  log "done"
}

main() {
  mkdir -p "$NBJOBS_LCC_DIR"
  chmod 755 "$NBJOBS_LCC_DIR"  # the environment's user reads the wheels from here
  if [[ -f "$NBJOBS_LOG" ]]; then mv -f "$NBJOBS_LOG" "$NBJOBS_LOG.1"; fi
  log "jupyterlab_nbjobs lifecycle script ($NBJOBS_TARGET): installing ${NBJOBS_REQUIREMENT:-$NBJOBS_WHEEL_URI}" |
    tee -a "$NBJOBS_LOG"
  set_status "running"
  # The install can take minutes; the lifecycle script must end within five: background it.
  nohup bash -c "$(declare -f log set_status s3_copy wheel_version installed_version \
    extension_enabled env_python run_in_env restart_server report_failure background_install); background_install" \
    >>"$NBJOBS_LOG" 2>&1 </dev/null &
  log "installing in the background (pid $!); progress in $NBJOBS_LOG, result in $NBJOBS_STATUS"
}

main "$@"
