"""One "server" of the exactly-once tests, as its own process: the scheduling stack of
tests/support/sched.py on a shared database, run for a while; writes the fires it won as JSON.

    python -m tests.services.sched_node DB_URL ROOT WORK SECONDS OUT.json
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from tests.support.sched import Stack


async def main(db_url: str, root: str, work: str, seconds: float, out: str) -> None:
    stack = Stack(db_url, Path(root), Path(work), grace=2.0, poll=1.0)
    await stack.start()
    await asyncio.sleep(seconds)
    await stack.stop()
    Path(out).write_text(json.dumps({
        "node": stack.scheduler.node_id,
        "ready_at": stack.scheduler.ready_at.isoformat(),
        "won": [[sid, t.isoformat()] for sid, t in stack.store.won],
    }))


if __name__ == "__main__":
    db_url, root, work, seconds, out = sys.argv[1:6]
    t0 = time.monotonic()
    asyncio.run(main(db_url, root, work, float(seconds), out))
    sys.stderr.write(f"node done in {time.monotonic() - t0:.1f} s\n")
