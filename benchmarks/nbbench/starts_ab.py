"""Server start, bare against nbjobs, alternating (bare, ours, ours, bare, ...), so that a
slow minute of a shared machine falls on both sides alike: medians and their ratio.

    python benchmarks/starts_ab.py [--starts 8] [--work-dir PATH]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import notebooks
from .console import log
from .main import lock_work_dir, machine
from .servers import bare, ours
from .stats import percentile

BENCH_DIR = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="benchmarks/starts_ab.py")
    p.add_argument("--starts", type=int, default=8, help="timed starts of each side")
    p.add_argument("--settle", type=float, default=1.0, help="seconds up before each stop")
    p.add_argument("--work-dir", type=Path, default=BENCH_DIR / ".work" / "starts-ab")
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    work = args.work_dir.resolve()
    lock = lock_work_dir(work)  # noqa: F841  (held until exit)
    makers = {"bare": lambda: bare(work), "ours": lambda: ours(work, {}, name="ours")}
    for side, make in makers.items():  # untimed: the folders and the database, as installed
        server = make()
        server.prepare()
        notebooks.write_notebooks(server.root / "bench")
        server.start()
        if side == "ours":
            server.client.first_list()
        server.stop()
    seconds: dict[str, list[float]] = {"bare": [], "ours": []}
    for i in range(args.starts):
        for side in ("bare", "ours") if i % 2 == 0 else ("ours", "bare"):
            server = makers[side]()
            server.start()
            seconds[side].append(server.start_seconds)
            time.sleep(args.settle)
            server.stop()
        log(f"start {i + 1} of {args.starts}: bare {seconds['bare'][-1]:.2f} s, "
            f"ours {seconds['ours'][-1]:.2f} s")
    b, o = percentile(seconds["bare"], 50), percentile(seconds["ours"], 50)
    print(machine())
    for side, values in seconds.items():
        print(f"{side}: " + " / ".join(f"{v:.2f}" for v in values))
    print(f"median bare {b:.2f} s, nbjobs {o:.2f} s, ratio {o / b:.3f}")
    return 0
