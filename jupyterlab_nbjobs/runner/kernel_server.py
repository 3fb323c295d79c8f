"""A fork server for ipykernel kernels. Runs as `python -c <this file's text> SOCKET_PATH`.

Not imported by the package: its text is the whole program, so a kernel forked from it
has in sys.modules what `python -m ipykernel_launcher` has, and nothing of ours. It
imports what every ipykernel spends most of its start on (ipykernel.kernelapp: IPython,
zmq, tornado, ~0.7 s of CPU) and forks one child per request on its unix socket; the
child becomes the kernel exactly as ipykernel_launcher would run it: its own session, the
requester's stdout/stderr (passed as fds), cwd, environment and argv of the request, and
the cwd entry removed from sys.path as the launcher does.

Differences from a fresh kernel, by nature of fork: the parent process is this server,
not the runner (JPY_PARENT_PID still names the runner, and the kernel exits when the
runner is gone, like ipykernel's own parent poller does), and the str hash seed is this
server's. `random` reseeds itself on fork.

Protocol: one request per connection: a JSON object {"argv", "env", "cwd"} sent with three
fds (stdin, stdout, stderr), then the write side shut; the answer is {"pid"} or
{"error"}. The server exits when its stdin closes. With a second argument LISTEN_FD it
serves on that listening socket, bound by its parent (the zygote), which can then hand out
SOCKET_PATH at once: requests made while this server still imports wait in the socket's
backlog instead of being refused.
"""

import json
import os
import selectors
import signal
import socket
import sys
import threading
import time


def _watch_runner(pid):
    # What ipykernel's ParentPollerUnix does for a kernel whose parent is the runner.
    while True:
        time.sleep(1.0)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            pass


def _child(request, fds, launcher):
    code = 1
    try:
        os.setsid()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        os.closerange(3, 65536)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for key, value in _IMPORT_ENV.items():
            os.environ.setdefault(key, value)
        sys.argv = [launcher, *request["argv"]]
        parent = request["env"].get("JPY_PARENT_PID")
        if parent and parent.isdigit():
            threading.Thread(target=_watch_runner, args=(int(parent),), daemon=True).start()
        from ipykernel import kernelapp

        code = 0
        kernelapp.launch_new_instance()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - a forked child must never return into the server
        import traceback

        traceback.print_exc()
    finally:
        try:
            import atexit

            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:  # noqa: BLE001
            pass
        os._exit(code)


# What every fresh ipykernel imports by the time its first cell has run, beyond
# ipykernel.kernelapp: above all its debugger (debugpy's pydevd, ~60% of a forked kernel's
# start when left to each kernel). Imported before the first fork: a kernel forked earlier
# would import them itself (as a fresh kernel does), so the first kernel would not be ready
# any sooner, and each of a cold pool's first kernels would pay for them again. Only
# imports: none of them starts a thread or opens a socket (checked: the server forks only
# while single-threaded).
PREIMPORT = (
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "faulthandler",
    "tornado.platform.asyncio",
)


# Variables those imports put into os.environ (debugpy sets PYDEVD_USE_FRAME_EVAL if
# unset): a forked kernel gets them on top of its request's environment, as it would have
# had they been imported in it. (Jobs that set PYDEVD_*/DEBUGPY_* are never forked.)
_IMPORT_ENV = {}


def _preimport():
    import importlib

    before = dict(os.environ)
    for name in PREIMPORT:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a kernel then imports it itself, as a fresh one does
            pass
    _IMPORT_ENV.update({k: v for k, v in os.environ.items() if before.get(k) != v})
    # A cache every kernel fills with its first cell (IPython's input transformer
    # tokenizes it): tokenize's pattern, ~1.5 ms to compile, once here instead.
    import io
    import tokenize

    list(tokenize.generate_tokens(io.StringIO("x = 1\n").readline))


def _serve(path, listen_fd=None):
    if sys.path and sys.path[0] == "":
        del sys.path[0]  # as ipykernel_launcher does; IPython adds '' back
    import importlib.util

    from ipykernel import kernelapp  # noqa: F401 - the point of this process

    _preimport()
    launcher = importlib.util.find_spec("ipykernel_launcher").origin
    if threading.active_count() != 1:
        print("nbjobs kernel server: threads after imports, not forking", file=sys.stderr)
        return 3
    rfd, wfd = os.pipe()
    os.set_blocking(rfd, False)
    os.set_blocking(wfd, False)
    signal.set_wakeup_fd(wfd)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    if listen_fd is not None:
        srv = socket.socket(fileno=listen_fd)
    else:
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if os.path.exists(path):
            os.unlink(path)
        srv.bind(path)
        srv.listen(64)
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ, "accept")
    sel.register(0, selectors.EVENT_READ, "stdin")
    sel.register(rfd, selectors.EVENT_READ, "signal")
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        events = sel.select(timeout=5.0)
        for key, _ in events:
            if key.data == "stdin":
                if not os.read(0, 4096):
                    os.unlink(path)
                    return 0
            elif key.data == "signal":
                try:
                    os.read(rfd, 4096)
                except BlockingIOError:
                    pass
            else:
                _accept(srv, launcher)
        while True:  # reap the kernels that ended
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break


def _accept(srv, launcher):
    conn, _ = srv.accept()
    fds = []
    try:
        conn.settimeout(10)
        data, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
        while True:
            more = conn.recv(1 << 20)
            if not more:
                break
            data += more
        request = json.loads(data)
        if len(fds) != 3:
            raise ValueError("expected stdin, stdout and stderr")
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            srv.close()
            _child(request, fds, launcher)
        conn.sendall(json.dumps({"pid": pid}).encode())
    except Exception as exc:  # noqa: BLE001 - the requester starts the kernel itself
        try:
            conn.sendall(json.dumps({"error": repr(exc)}).encode())
        except OSError:
            pass
    finally:
        for fd in fds:
            os.close(fd)
        conn.close()


if __name__ == "__main__":
    sys.exit(_serve(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None))
