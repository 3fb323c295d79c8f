"""The benchmark notebooks, and the time their code takes in a plain Python process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ONE_CELL = "one_cell.ipynb"
TEN_CELLS = "ten_cells.ipynb"

ONE_CELL_SOURCES = ["x = 1 + 1\nprint(x)"]

# Pure Python (no numpy/pandas: the kernel's speed is not what is measured), ~0.1 s a cell.
TEN_CELL_SOURCES = [
    "import collections, json, random\nrandom.seed(7)\nN = 200_000",
    "sieve = bytearray([1]) * 400_000\nsieve[0:2] = b'\\x00\\x00'\n"
    "for i in range(2, 633):\n    if sieve[i]:\n"
    "        sieve[i * i::i] = bytearray(len(range(i * i, 400_000, i)))\n"
    "primes = [i for i, p in enumerate(sieve) if p]\nlen(primes)",
    "total = 0\nfor i in range(N * 3):\n    total += i * i % 7\ntotal",
    "words = [''.join(random.choice('abcde') for _ in range(3)) for _ in range(N // 4)]\n"
    "counts = collections.Counter(words)\ncounts.most_common(3)",
    "values = [random.random() for _ in range(N)]\nvalues.sort()\nvalues[N // 2]",
    "table = {}\nfor i in range(N):\n    table[i % 5003] = table.get(i % 5003, 0) + i\n"
    "len(table)",
    "def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n"
    "sum(fib(k) % 1000 for k in range(1500))",
    "M = [[(i * j) % 10 for j in range(70)] for i in range(70)]\n"
    "P = [[sum(a * b for a, b in zip(row, col)) for col in zip(*M)] for row in M]\nP[5][5]",
    "blob = json.dumps({str(i): [i, i * 2, str(i)] for i in range(N // 4)})\n"
    "len(json.loads(blob))",
    "print(len(primes), total, len(counts), round(values[0], 6), len(table), P[1][1])",
]


def notebook_json(sources: list[str]) -> dict:
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"},
                     "language_info": {"name": "python"}},
        "cells": [{"cell_type": "code", "id": f"cell-{i}", "metadata": {}, "source": src,
                   "outputs": [], "execution_count": None} for i, src in enumerate(sources)],
    }


def write_notebooks(folder: Path) -> dict[str, Path]:
    """Write both notebooks into `folder`; returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, sources in ((ONE_CELL, ONE_CELL_SOURCES), (TEN_CELLS, TEN_CELL_SOURCES)):
        path = folder / name
        path.write_text(json.dumps(notebook_json(sources), indent=1))
        paths[name] = path
    return paths


def plain_python_seconds(sources: list[str], repeats: int = 3, timeout: float = 120.0) -> float:
    """Median time to exec the cells' code in a fresh `python` (no kernel, no Jupyter):
    the work itself, to compare the jobs' create -> completed time against."""
    code = (
        "import time, json, sys\nsrcs = json.loads(sys.stdin.read())\nns = {}\n"
        "t = time.perf_counter()\nfor s in srcs:\n    exec(compile(s, 'cell', 'exec'), ns)\n"
        "print(time.perf_counter() - t)"
    )
    times = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], input=json.dumps(sources),
                             capture_output=True, text=True, timeout=timeout, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    times.sort()
    return times[len(times) // 2]


def papermill_seconds(notebook: Path, out_dir: Path, timeout: float = 300.0) -> float:
    """Wall time of one `papermill in.ipynb out.ipynb` (the CLI, a fresh process)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"out-{time.monotonic_ns()}.ipynb"
    cmd = [sys.executable, "-m", "papermill", "--no-progress-bar", "--log-level", "WARNING",
           str(notebook), str(out)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=out_dir, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        import psutil

        from .procs import end, tree

        end(tree(psutil.Process(proc.pid)))
        raise
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"papermill failed ({proc.returncode}): {err[-800:]!r}")
    return elapsed
