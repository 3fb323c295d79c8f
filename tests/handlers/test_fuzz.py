"""Fuzz the live server from openapi.yaml with schemathesis: every operation, stateful links
included, on SQLite with the services in a process of their own (every request forwarded
by the server) and on PostgreSQL with the services in the server.

A real `jupyter server` with the extension runs in a subprocess (tests/support/live.py) and
`schemathesis run` fuzzes it from another, for a fixed time (NBJOBS_FUZZ_SECONDS, default 60
per database), through its phases: coverage (the boundaries of every parameter, unexpected
methods), fuzzing (positive and negative data) and stateful (chains of calls along the links
schemathesis infers from the spec, e.g. POST /jobs -> GET /jobs/{job_id}); the spec has no
examples, so the examples phase has nothing to run. It fails on any 5xx, any response that is
not what the spec says (status, content type, headers, body), any request that breaks the spec
and is accepted anyway, any resource that a create does not make available or a delete does
not remove, auth that is not enforced, and any 4xx that is not `{"message", "reason",
"field"?}` (tests/support/fuzz_hooks.py, which also adds edge values no schema generates).

Real notebooks, a finished job with outputs (some with names a download header must escape),
a schedule and a sweep are seeded first and handed to the fuzzer (notebook paths and output
names as its dictionaries, ids by a hook), so that many generated requests name something that
exists and get past "no such notebook" / 404. A failure prints schemathesis' own report (each failing request as a curl command) and
the exceptions in the server's log. `NBJOBS_FUZZ_SEED` replays a run's choices (as far as a
live server with running jobs allows); `NBJOBS_FUZZ_DEBUG=file` records every exchange.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from jupyterlab_nbjobs.openapi import SPEC_PATH
from tests.support.instances_fuzz import instance_args, seed_instances
from tests.support.live import live_server
from tests.support.pg import pg_bin_dir, postgres_server
from tests.support.server import write_notebook

REPO = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("NBJOBS_FUZZ_SECONDS", "60"))
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance",
          "negative_data_rejection", "use_after_free", "ensure_resource_availability",
          "ignored_auth", "error_shape"]
SERVER_ARGS = ("--LocalBackend.max_concurrent_jobs=1", "--LocalBackend.warm_kernels=1",
               "--NbJobsApp.scheduler_poll_interval=1")
# Output names a Content-Disposition header cannot carry as they are.
ODD_NAMES = ['quote".txt', "line\r\nbreak.txt", "naïve—ü€.txt", "emoji😀.txt"]


def seed(server, root: Path) -> dict[str, list]:
    """Notebooks on disk, and a finished job, a schedule and a sweep in the store."""
    writes = "\n".join(f"open({name!r}, 'w').write('x')" for name in ODD_NAMES)
    notebooks = [write_notebook(root, "fuzz.ipynb", "y = a", writes, parameters="a = 1"),
                 write_notebook(root, "nb/other.ipynb", "print(b)", parameters='b = "x"'),
                 write_notebook(root, "nb/plain.ipynb", "1 + 1")]
    code, job = server.call("POST", "jobs", {"input_path": notebooks[0],
                                             "output_formats": ["ipynb", "html"]})
    assert code == 201, job
    assert server.wait_job(job["id"])["status"] == "completed"
    code, outputs = server.call("GET", f"jobs/{job['id']}/outputs")
    assert code == 200, outputs
    code, schedule = server.call("POST", "schedules", {"input_path": notebooks[1],
                                                       "cron": "@daily"})
    assert code == 201, schedule
    code, sweep = server.call("POST", "sweeps", {"input_path": notebooks[0],
                                                 "grid": {"a": [1, 2]}})
    assert code == 201, sweep
    return {"notebooks": notebooks, "jobs": [job["id"]],
            "outputs": [o["name"] for o in outputs["outputs"]],
            "schedules": [schedule["id"]], "sweeps": [sweep["id"]]}


def config_toml(seeds: dict[str, list], token: str) -> str:
    """schemathesis.toml: the checks, the time budget and the seeded values."""
    checks = "\n".join(f"{name}.enabled = true" for name in CHECKS)
    # Seeded ids go in by fuzz_hooks.flatmap_case, which keeps them out of DELETEs.
    dictionaries = "\n".join(
        f"[dictionaries.{name}]\nvalues = {json.dumps(seeds[name], ensure_ascii=False)}"
        for name in ("notebooks", "outputs", "projects"))
    return f"""
hooks = "tests.support.fuzz_hooks"
headers = {{ Authorization = "token {token}" }}
workers = 1
max-time = {SECONDS}

[checks]
enabled = false
{checks}

[phases.stateful]
max-steps = 8

{dictionaries}

[parameters]
"body.input_path" = {{ dictionary = "notebooks", probability = 0.5 }}
"query.path" = {{ dictionary = "notebooks", probability = 0.5 }}
"path.name" = {{ dictionary = "outputs", probability = 0.5 }}
"query.project" = {{ dictionary = "projects", probability = 0.5 }}

# Deleting a notebook instance takes a while, as in SageMaker: DELETE answers 202 and the
# instance reads as Deleting until AWS has removed it, so a read after it is not a use after free.
[[operations]]
include-path-regex = "^/instances/[{{]instance_name[}}]"
checks.use_after_free.enabled = false
"""


def server_errors(log: str) -> list[str]:
    """Each uncaught exception the server logged: its request and the exception line."""
    found = []
    for entry in re.split(r"\n(?=\[[A-Z] \d{4}-)", log):
        head, _, rest = entry.partition("\n")
        if "Uncaught exception" not in head and "Exception in callback" not in head:
            continue
        raised = [line.strip() for line in rest.splitlines()
                  if re.match(r"^\s*[A-Za-z_][\w.]*(Error|Exception)\b", line)]
        where = head.split("Uncaught exception", 1)[-1].strip()
        found.append(f"{where[:200]} -> {(raised or ['?'])[-1][:300]}")
    return found


def fuzz(tmp_path: Path, db_url: str, monkeypatch, *extra_args: str) -> None:
    root = tmp_path / "root"
    root.mkdir()
    token = "fuzz-token"
    args = SERVER_ARGS + instance_args(monkeypatch) + extra_args  # instances on moto
    with live_server(tmp_path, root, db_url, token=token, args=args) as server:
        seeds = seed(server, root)
        seeds.update(seed_instances(server))
        config = tmp_path / "schemathesis.toml"
        config.write_text(config_toml(seeds, token))
        (tmp_path / "seeds.json").write_text(json.dumps(seeds))
        counts_path = tmp_path / "counts.json"
        cmd = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
               str(SPEC_PATH), "--url", server.api, "--phases",
               "examples,coverage,fuzzing,stateful", "--report", "json",
               "--report-dir", str(tmp_path / "report"), "--no-color"]
        if os.environ.get("NBJOBS_FUZZ_SEED"):
            cmd += ["--seed", os.environ["NBJOBS_FUZZ_SEED"]]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in [str(REPO), os.environ.get("PYTHONPATH")] if p),
            "NBJOBS_FUZZ_COUNTS": str(counts_path),
            "NBJOBS_FUZZ_SEEDS": str(tmp_path / "seeds.json")}
        started = time.monotonic()
        run = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=SECONDS + 120)
        took = time.monotonic() - started
        (tmp_path / "schemathesis.out").write_text(run.stdout + run.stderr)
        log = server.log_text()
    recorded = json.loads(counts_path.read_text()) if counts_path.exists() else {}
    by_status: Counter[int] = Counter()
    by_op: dict[str, Counter[int]] = defaultdict(Counter)
    for label, code, n in recorded.get("counts", []):
        by_status[code] += n
        by_op[label][code] += n
    edges = recorded.get("raw_edges", [])
    print(f"\nfuzz ({db_url.split(':', 1)[0]}): {sum(by_status.values())} requests in "
          f"{took:.0f} s, by status {dict(sorted(by_status.items()))}; of them {len(edges)} "
          f"with a raw edge value, by status "
          f"{dict(sorted(Counter(e.get('status') for e in edges).items(), key=str))}")
    for label in sorted(by_op):
        print(f"  {label}: {dict(sorted(by_op[label].items()))}")
    errors = server_errors(log)
    errors += [f"raw edge {e['operation']} {e['field']}={e['value']} -> {e['status']}"
               for e in edges if e.get("status", 0) >= 500]
    out = run.stdout
    report = out[out.find("= FAILURES ="):] if "= FAILURES =" in out else out[-6000:]
    assert run.returncode == 0 and not errors, (
        f"schemathesis exit {run.returncode} (whole output: {tmp_path / 'schemathesis.out'})"
        f"\n{report[-15000:]}\n{run.stderr[-3000:]}\nserver exceptions ({len(errors)}):\n"
        + "\n".join(f"{n} x {e}" for e, n in Counter(errors).items()))
    assert sum(by_status.values()) > 100, out[-3000:]


def test_fuzz_sqlite(tmp_path, monkeypatch):
    fuzz(tmp_path, f"sqlite:///{tmp_path / 'nbjobs.sqlite'}", monkeypatch,
         "--NbJobsApp.service_process=always")


def test_fuzz_postgresql(tmp_path, monkeypatch):
    if pg_bin_dir() is None:
        pytest.skip("PostgreSQL binaries absent: apt-get install postgresql "
                    "(scripts/install.sh --test does)")
    with postgres_server() as url:
        fuzz(tmp_path, url, monkeypatch)
