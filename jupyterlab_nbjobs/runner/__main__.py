"""`python -m jupyterlab_nbjobs.runner JOB_DIR`: run one attempt, exit 0 only if it completed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..optional_imports import skip_iri_grammar


def skip_papermill_s3() -> None:
    """Keep papermill from importing its S3 handler (boto3: ~50 ms, a sixth of the runner's
    imports). papermill treats it as optional (ImportError gives a stub that says boto3 is
    missing); the runner uses papermill only to inject parameters, never for its I/O.
    boto3 itself stays importable."""
    sys.modules.setdefault("papermill.s3", None)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m jupyterlab_nbjobs.runner JOB_DIR", file=sys.stderr)
        return 2
    skip_iri_grammar()
    skip_papermill_s3()
    from .execute import run_job

    result = run_job(Path(args[0]))
    error = result.get("error") or {}
    print(f"nbjobs runner: {result['status']} {error.get('message', '')}".rstrip(), flush=True)
    return 0 if result["status"] == "completed" else 1


def exit_now(code: int) -> None:
    """Leave without interpreter teardown (0.2-0.6 s with zmq, jupyter_client, nbconvert
    loaded): result.json is written, the kernel is gone, nothing is left to clean up, and
    the backend reports the result only once this process has exited."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
