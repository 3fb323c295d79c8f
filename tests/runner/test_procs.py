"""runner/procs.py: finding and killing a process tree, with real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil

from jupyterlab_nbjobs.runner import procs

# A child in a session of its own (like a kernel) with a grandchild that left that session
# too (a notebook's daemon): neither the runner's group nor the kernel's holds it.
TREE = (
    "import subprocess, sys, time\n"
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'],"
    " start_new_session=True)\n"
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
    "print('up', flush=True)\n"
    "time.sleep(60)\n"
)


def start_tree() -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", TREE], stdout=subprocess.PIPE,
                            start_new_session=True)
    assert proc.stdout.readline().strip() == b"up"
    return proc


def test_descendants_are_the_ones_psutil_finds_by_looking_at_every_process():
    proc = start_tree()
    try:
        root = psutil.Process(proc.pid)
        deadline = time.monotonic() + 10
        while len(root.children(recursive=True)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        ours = sorted(p.pid for p in procs.descendants(root))
        theirs = sorted(p.pid for p in root.children(recursive=True))
        assert len(theirs) == 2
        assert ours == theirs
        assert procs.descendants(psutil.Process(theirs[0])) == []
    finally:
        procs.kill_process_tree(proc.pid)
        proc.wait(5)


def test_kill_process_tree_kills_descendants_outside_its_group():
    proc = start_tree()
    root = psutil.Process(proc.pid)
    deadline = time.monotonic() + 10
    while len(root.children(recursive=True)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    kids = root.children(recursive=True)
    assert any(os.getsid(k.pid) != proc.pid for k in kids)  # one left the tree's session
    procs.kill_process_tree(proc.pid, root.create_time())
    assert proc.wait(5) is not None
    _, alive = psutil.wait_procs(kids, timeout=5)
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []
