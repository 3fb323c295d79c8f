"""Staged as `.nbjobs/bootstrap.py`: what the headless execution driver cannot do for us,
run by `bootstrap.sh` in an image that does not have our package.

    python bootstrap.py before   # the driver sources the init script: before papermill starts
    python bootstrap.py after    # from the EXIT trap: after papermill has ended

before: rewrites /opt/ml/input/config/hyperparameters.json with the typed parameters of
        .nbjobs/job.json (SageMaker hands every hyperparameter over as a string, and the
        driver passes that file to papermill as it is); a hyperparameter that differs from
        the string form of its typed value (a pipeline run overriding it) wins, read as JSON
        when the typed value is not a string. Records what the input channel holds.
after:  copies the files the notebook created or changed in the input channel (its working
        directory) to /opt/ml/output/data/.nbjobs/files/, which SageMaker uploads.

Standard library only, any Python 3.6+: this runs in the image's own Python.
"""

import json
import os
import shutil
import sys

META = ".nbjobs"
HYPER = "/opt/ml/input/config/hyperparameters.json"
OUTPUT = "/opt/ml/output/data"
MANIFEST = "manifest.json"
SKIP_DIRS = {META, ".ipynb_checkpoints", "__pycache__", ".git"}
MAX_COPY_BYTES = 1 << 30  # what the notebook wrote beyond this stays in the container


def channel():
    return os.environ.get("SM_EXECUTION_INPUT_PATH") or "/opt/ml/input/data/sagemaker_headless_execution"


def _load(path, default):
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return default


def _text(value):
    return value if isinstance(value, str) else json.dumps(value)


def merge(typed, hyper):
    """Typed values, with the hyperparameters that were changed since staging."""
    params = dict(typed)
    for name, raw in (hyper or {}).items():
        text = _text(raw)
        if name not in typed:
            params[name] = text
        elif text != _text(typed[name]):
            if isinstance(typed[name], str):
                params[name] = text
            else:
                try:
                    params[name] = json.loads(text)
                except ValueError:
                    params[name] = text
    return params


def _walk(root):
    """rel path -> (size, mtime_ns) of the regular files under root, our folders skipped."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for name in filenames:
            full = os.path.join(dirpath, name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            st = os.stat(full)
            found[os.path.relpath(full, root).replace(os.sep, "/")] = [st.st_size, st.st_mtime_ns]
    return found


def before():
    base = channel()
    spec = _load(os.path.join(base, META, "job.json"), {})
    typed = spec.get("parameters") or {}
    hyper = _load(HYPER, {})
    if typed or hyper:
        params = merge(typed, hyper)
        tmp = HYPER + ".nbjobs-tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(params, fh)
        os.replace(tmp, HYPER)
        print(f"nbjobs: restored {len(params)} typed parameter(s) for papermill")
    with open(os.path.join(base, META, MANIFEST), "w", encoding="utf-8") as fh:
        json.dump(_walk(base), fh)


def after():
    base = channel()
    seen = _load(os.path.join(base, META, MANIFEST), None)
    if seen is None:
        return  # `before` never ran: nothing to compare with
    notebook = os.environ.get("SM_INPUT_NOTEBOOK_NAME") or ""
    dest = os.path.join(OUTPUT, META, "files")
    total = 0
    for rel, stat in sorted(_walk(base).items()):
        if rel == notebook or seen.get(rel) == stat:
            continue
        total += stat[0]
        if total > MAX_COPY_BYTES:
            print(f"nbjobs: files past 1 GiB are not brought back ({rel})")
            break
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(base, rel), target)


if __name__ == "__main__":
    {"before": before, "after": after}[sys.argv[1]]()
