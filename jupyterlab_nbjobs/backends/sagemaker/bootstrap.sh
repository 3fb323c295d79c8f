# Staged as .nbjobs/bootstrap.sh and named in SM_INIT_SCRIPT: the headless execution driver
# sources it (in its own bash, under `set -e`) just before papermill starts. Our runner
# (nbjobs-sagemaker-run) never sources it; it reads NBJOBS_INIT_SCRIPT itself.
#  1. typed parameters back into hyperparameters.json (bootstrap.py before);
#  2. an EXIT hook, run before the driver's own, that copies the files the notebook wrote
#     into the outputs (bootstrap.py after);
#  3. the user's init script, sourced here so its exports reach the kernel.
nbjobs_meta="${SM_EXECUTION_INPUT_PATH:-/opt/ml/input/data/sagemaker_headless_execution}/.nbjobs"
nbjobs_python="${PYTHON_EXECUTABLE:-$(command -v python3 || command -v python)}"
"$nbjobs_python" "$nbjobs_meta/bootstrap.py" before \
  || echo "nbjobs: could not restore the typed parameters; papermill gets strings" >&2

nbjobs_after() { "$nbjobs_python" "$nbjobs_meta/bootstrap.py" after || true; }
nbjobs_rc_is() { return "$1"; }
nbjobs_read_trap() { eval "set -- $(trap -p EXIT)"; nbjobs_prev="${3:-}"; }
nbjobs_read_trap
# The driver's hook (if any) runs next with $? as the script's exit status, either way.
trap 'nbjobs_rc=$?; nbjobs_after; if nbjobs_rc_is "$nbjobs_rc"; then '"${nbjobs_prev:-:}"'; else '"${nbjobs_prev:-:}"'; fi' EXIT

if [ -n "${NBJOBS_INIT_SCRIPT:-}" ]; then
  . "${SM_EXECUTION_INPUT_PATH}/${NBJOBS_INIT_SCRIPT}"
fi
