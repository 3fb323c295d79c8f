"""What the pool's zygote does once, as it starts: the kernel fork server beside it, and
the caches every job's first read and save of a notebook would fill."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

_KEEP: list = []  # objects holding fds that must never be garbage-collected in a child


def start_kernel_server(pool_dir: Path) -> str | None:
    """Start the kernel fork server (it exits when this process does) on a socket bound
    here: its path is usable at once, a request made while the server still imports waits
    in the backlog, and one made after the server died is refused (this process keeps no
    copy of the socket), so the spare starts its kernel the usual way. Returns the path,
    or None without a server."""
    import subprocess
    import tempfile

    path = pool_dir / "kernels.sock"
    if len(str(path)) > 100:  # unix socket paths are short
        path = Path(tempfile.mkdtemp(prefix="nbjobs-k-")) / "kernels.sock"
    source = Path(__file__).with_name("kernel_server.py")
    try:
        path.unlink(missing_ok=True)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(str(path))
            listener.listen(64)
            proc = subprocess.Popen(
                [sys.executable, "-c", source.read_text(), str(path), str(listener.fileno())],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=sys.stderr,
                pass_fds=(listener.fileno(),),
            )
    except OSError as exc:
        print(f"nbjobs zygote: no kernel server: {exc!r}", file=sys.stderr)
        return None
    # Referenced for good: dropped, it would sit in subprocess._active, and a forked
    # runner's next Popen would reap it there and close its pipes' fd numbers, which the
    # child reuses for its own files by then.
    _KEEP.append(proc)
    return str(path)


def warm_caches(pool_dir: Path, kernel: str, parameters: dict | None = None) -> None:
    """Do once what every job's first read and save of a notebook would: build nbformat's
    schema validator, the kernelspec lookup; with `parameters`, papermill's injection."""
    import nbformat

    from .notebook import prepare_notebook

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("a = 0")])
    path = pool_dir / "warm-up.ipynb"
    nbformat.write(nb, path)
    try:
        nbformat.writes(prepare_notebook(path, kernel, parameters or {}))
    finally:
        path.unlink(missing_ok=True)
