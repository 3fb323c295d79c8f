"""A real PostgreSQL server for tests, started from Debian's binaries on 127.0.0.1.

scripts/install.sh --test installs the `postgresql` package; the server runs as the
`postgres` user (initdb refuses root) in a throw-away directory on a free port.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator


def pg_bin_dir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: str, size: int = 2000) -> str:
    try:
        with open(path, errors="replace") as fh:
            return fh.read()[-size:]
    except OSError:
        return ""


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Yield an SQLAlchemy URL of a fresh PostgreSQL server; stop and delete it after."""
    bin_dir = pg_bin_dir()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL binaries (initdb, pg_ctl) not found: "
                                "apt-get install postgresql (scripts/install.sh --test does)")
    base = tempfile.mkdtemp(prefix="nbjobs-pg-")
    data, sock, log = (os.path.join(base, n) for n in ("data", "sock", "pg.log"))
    os.makedirs(sock)
    as_user: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in (base, sock):
            os.chown(path, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]

    def run(*cmd: str) -> None:
        subprocess.run([*as_user, *cmd], check=True, capture_output=True, timeout=120)

    try:
        run(f"{bin_dir}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-sync")
        # A free port is only free until someone binds it: another xdist worker or another
        # pytest run on this machine may take it first. Then the postmaster cannot bind and
        # pg_ctl -w fails (it waits for *this* data directory's server, so it never mistakes
        # another one for ours): try again on a new port.
        for attempt in range(5):
            port = free_port()
            try:
                run(f"{bin_dir}/pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "-o",
                    f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
                    "-c max_connections=50", "start")
                break
            except subprocess.CalledProcessError:
                if attempt == 4 or "in use" not in _tail(log):
                    raise
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run([*as_user, f"{bin_dir}/pg_ctl", "-D", data, "-m", "fast", "-w",
                            "stop"], capture_output=True, timeout=120)
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr.decode()[-2000:]}"
                           f"\n{_tail(log)}") from exc
    finally:
        shutil.rmtree(base, ignore_errors=True)
