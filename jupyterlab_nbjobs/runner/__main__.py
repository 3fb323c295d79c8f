"""`python -m jupyterlab_nbjobs.runner JOB_DIR`: run one attempt, exit 0 only if it completed."""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m jupyterlab_nbjobs.runner JOB_DIR", file=sys.stderr)
        return 2
    from .execute import run_job

    result = run_job(Path(args[0]))
    error = result.get("error") or {}
    print(f"nbjobs runner: {result['status']} {error.get('message', '')}".rstrip(), flush=True)
    return 0 if result["status"] == "completed" else 1


if __name__ == "__main__":
    sys.exit(main())
