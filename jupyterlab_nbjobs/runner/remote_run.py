"""One attempt whose kernel runs on another Jupyter server (the remote backend's runner).

The same runner as the local one (execute.run_job_async: typed parameters, progress, the
live log, the executed notebook kept on failure, timeout, stop, result.json last) with three
differences: the kernelspecs are the remote's, the kernel is a RemoteKernelManager's, and the
job's work/ folder travels: uploaded through /api/contents to a job folder on the remote
before the kernel starts there, and what the notebook created or changed there comes back
into work/ when the kernel is gone (so the usual files/ publishing sees it). The remote
folder is then removed unless the job asked to keep it, and the remote kernel is always
deleted. REMOTE_FILE in JOB_DIR says what exists on the remote, so the backend can clean
up after a runner that was killed.

The backend hands the target (with its credentials) in the environment, never in JOB_DIR.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .contract import SPEC_FILE, WORK_DIR, RunnerResult, read_json, write_json_atomic
from .joblog import JobLog
from .remote_http import AUTH_FAILED, RemoteError, RemoteSession, shown_url

TARGET_ENV = "NBJOBS_REMOTE_TARGET"  # JSON {"name", "target": {...}, "folder", "keep_folder"}
REMOTE_FILE = "remote.json"  # {"target", "url", "folder", "kernel_id", "attempt", "cleaned", ...}


def remote_folder(base: str, job_id: str, attempt: int) -> str:
    return f"{base.strip('/')}/{job_id}-{attempt}".lstrip("/")


def retrying(session: RemoteSession, fn: Any, *args: Any) -> Any:
    """Call fn; a cookie session that expired during a long run logs in again once."""
    try:
        return fn(*args)
    except RemoteError as exc:
        if exc.reason != AUTH_FAILED:
            raise
        session.relogin()
        return fn(*args)


def upload_folder(session: RemoteSession, local: Path, folder: str) -> dict[str, list]:
    """work/ -> the remote folder (created with its parents). Returns {rel: [mtime, size]}
    of what was uploaded, to tell later what the notebook changed."""
    parts = folder.split("/")
    for i in range(1, len(parts) + 1):
        session.mkdir("/".join(parts[:i]))
    sent: dict[str, list] = {}
    for dirpath, dirnames, filenames in os.walk(local):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, local)
        for d in dirnames:
            session.mkdir(f"{folder}/{os.path.normpath(os.path.join(rel_dir, d))}")
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            rel = os.path.normpath(os.path.join(rel_dir, name))
            with open(full, "rb") as fh:
                model = session.put_file(f"{folder}/{rel}", fh.read())
            sent[rel] = [model.get("last_modified"), model.get("size")]
    return sent


def download_changes(session: RemoteSession, folder: str, local: Path,
                     sent: dict[str, list]) -> list[str]:
    """Files created or changed in the remote folder since the upload -> work/."""
    got = []
    prefix = folder.rstrip("/") + "/"
    for model in session.walk(folder):
        rel = model["path"][len(prefix):] if model["path"].startswith(prefix) else model["name"]
        if sent.get(rel) == [model.get("last_modified"), model.get("size")]:
            continue
        target = (local / rel).resolve()
        if local.resolve() not in target.parents:
            continue
        data = session.get_file(model["path"])
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        got.append(rel)
    return got


def clean_up_after(session: RemoteSession, path: Path) -> dict[str, Any] | None:
    """What a runner that did not end cleanly left on the remote, removed: its kernel, and
    its folder unless kept. `path` is its REMOTE_FILE. Blocking; raises RemoteError when the
    remote cannot be reached (try again later). Returns the state, or None if there is none."""
    path = Path(path)
    state = read_json(path)
    if not isinstance(state, dict) or state.get("cleaned"):
        return state
    if state.get("kernel_id") and not state.get("kernel_deleted"):
        retrying(session, session.delete_kernel, state["kernel_id"])
        state["kernel_deleted"] = True
    if state.get("uploaded") and not state.get("keep_folder"):
        retrying(session, session.delete, state["folder"])
    state["cleaned"] = True
    write_json_atomic(path, state)
    return state


def env_code(env: dict[str, str]) -> str:
    """Python that sets the job's environment variables in the remote kernel: a plain Jupyter
    server starts kernels with its own environment. The values are written as literals."""
    values = {str(k): str(v) for k, v in env.items()}
    return (f"import os as _nbjobs_os\n_nbjobs_os.environ.update({values!r})\n"
            "del _nbjobs_os\n")


class RemoteAttempt:
    """What one attempt has on the remote, kept in REMOTE_FILE as it changes."""

    def __init__(self, job_dir: Path, conf: dict[str, Any], spec: dict[str, Any]):
        self.job_dir = job_dir
        self.conf = conf
        self.spec = spec
        self.session = RemoteSession(conf["name"], conf["target"])
        attempt = int(spec.get("attempt") or 1)
        self.keep = bool(conf.get("keep_folder"))
        self.state: dict[str, Any] = {
            "target": conf["name"], "url": shown_url(self.session.base),
            "folder": remote_folder(conf.get("folder") or "nbjobs-runs",
                                    str(spec.get("job_id") or "job"), attempt),
            "kernel_id": None, "attempt": attempt, "keep_folder": self.keep,
            "uploaded": False, "cleaned": False,
        }
        self.sent: dict[str, list] = {}
        self.log: JobLog | None = None
        self.language = ""
        self.save()

    def save(self) -> None:
        write_json_atomic(self.job_dir / REMOTE_FILE, self.state)

    def line(self, text: str) -> None:
        if self.log is None:
            out = Path(self.spec["output_dir"])
            out.mkdir(parents=True, exist_ok=True)
            self.log = JobLog(out / f"{self.spec.get('output_stem') or 'job'}.log")
        self.log.line(text)

    async def connect(self) -> Any:
        """Log in and read the remote's kernelspecs; the spec source for prepare()."""
        from . import notebook
        from .remote_kernel import RemoteKernelSpecs

        error = None
        specs: dict[str, Any] = {}
        try:
            await asyncio.to_thread(self.session.login)
            specs = (await asyncio.to_thread(self.session.kernelspecs)).get("kernelspecs") or {}
        except RemoteError as exc:
            error = exc
        ksm = RemoteKernelSpecs(specs, self.session.where(), error=error)
        notebook._KSM = ksm
        want = self.spec.get("kernel_name")
        self.language = ((specs.get(want) or {}).get("spec") or {}).get("language", "")
        return ksm

    async def start_kernel(self, kernel_name: str, cwd: Path, env: dict) -> tuple[Any, Any]:
        """The runner's kernel starter: upload work/, start the kernel in the remote folder."""
        from .remote_kernel import RemoteKernelManager, configure_gateway

        folder = self.state["folder"]
        t = time.monotonic()
        work = self.job_dir / WORK_DIR
        self.state["uploaded"] = True  # from now on the folder may exist there
        self.save()
        self.sent = await asyncio.to_thread(retrying, self.session, upload_folder, self.session,
                                            work, folder)
        self.line(f"uploaded {len(self.sent)} file(s) to {self.session.where()} folder "
                  f"{folder} in {time.monotonic() - t:.2f}s")
        configure_gateway(self.session)
        rel_cwd = os.path.relpath(cwd, work)
        km = RemoteKernelManager(self.session, kernel_name=kernel_name,
                                 remote_path=os.path.normpath(f"{folder}/{rel_cwd}"))
        km.on_started = self._kernel_started
        kc = None
        try:
            await km.start_kernel()
            kc = km.client()
            await kc.start_channels()
            await kc.wait_for_ready(timeout=120)
            kc.allow_stdin = False
            if env:
                await self._apply_env(kc, env)
        except BaseException:
            if kc is not None:
                try:
                    kc.stop_channels()
                except Exception:  # noqa: BLE001
                    pass
            await km.shutdown_kernel(now=True)
            raise
        km.on_shutdown = self.bring_back
        return km, kc

    def _kernel_started(self, kernel_id: str) -> None:
        self.state["kernel_id"] = kernel_id
        self.save()
        self.line(f"remote kernel {kernel_id} started on {self.session.where()}")

    async def _apply_env(self, kc: Any, env: dict) -> None:
        if self.language != "python":
            self.line(f"warning: env not applied: the remote kernel's language is "
                      f"{self.language or 'unknown'} (only python kernels take it)")
            return
        msg_id = kc.execute(env_code(env), silent=True, store_history=False)
        while True:
            reply = await kc.get_shell_msg(timeout=60)
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                break

    async def bring_back(self, kernel_deleted: bool) -> None:
        """The kernel is gone: copy what the notebook wrote back, then tidy the remote."""
        folder, work = self.state["folder"], self.job_dir / WORK_DIR
        t = time.monotonic()
        try:
            got = await asyncio.to_thread(retrying, self.session, download_changes,
                                          self.session, folder, work, self.sent)
            if got:
                self.line(f"brought back {len(got)} file(s) the notebook wrote in "
                          f"{time.monotonic() - t:.2f}s")
        except RemoteError as exc:
            self.line(f"warning: could not bring back the files the notebook wrote: "
                      f"{exc.message}")
        self.state["kernel_deleted"] = kernel_deleted
        await self.tidy()

    async def tidy(self) -> None:
        """Delete the kernel (if one is left) and the folder (unless kept); never raises."""
        if self.state["cleaned"]:
            return
        try:
            kid = self.state.get("kernel_id")
            if kid and not self.state.get("kernel_deleted"):
                await asyncio.to_thread(retrying, self.session, self.session.delete_kernel, kid)
            if self.keep:
                self.line(f"remote folder kept: {self.state['folder']} on "
                          f"{self.session.where()}")
            elif self.state["uploaded"]:
                await asyncio.to_thread(retrying, self.session, self.session.delete,
                                        self.state["folder"])
            self.state["kernel_deleted"] = True
            self.state["cleaned"] = True
            self.save()
        except RemoteError as exc:
            self.line(f"warning: remote cleanup failed (the server retries it): {exc.message}")

    def close(self) -> None:
        self.session.close()
        if self.log is not None:
            self.log.close()


async def run_remote_async(job_dir: Path, conf: dict[str, Any],
                           stop_event: asyncio.Event | None = None) -> RunnerResult:
    from .execute import run_job_async

    job_dir = Path(job_dir).resolve()
    spec = read_json(job_dir / SPEC_FILE) or {}
    if not spec.get("output_dir"):
        return await run_job_async(job_dir, stop_event)  # reports the broken job.json
    attempt = RemoteAttempt(job_dir, conf, spec)
    try:
        await attempt.connect()
        result = await run_job_async(job_dir, stop_event, start_kernel=attempt.start_kernel)
        await attempt.tidy()  # a kernel that never started its shutdown hook, a failed upload
        return result
    finally:
        attempt.close()


def run_remote(job_dir: Path, conf: dict[str, Any]) -> RunnerResult:
    """Run one attempt in this process; SIGTERM or SIGINT stop it cleanly (as run_job)."""
    early: list[int] = []
    main_thread = threading.current_thread() is threading.main_thread()
    signals = (signal.SIGTERM, signal.SIGINT) if main_thread else ()
    old = {s: signal.signal(s, lambda signum, frame: early.append(signum)) for s in signals}

    async def main() -> RunnerResult:
        stop_event = asyncio.Event()
        loop = asyncio.get_running_loop()
        for s in signals:
            loop.add_signal_handler(s, stop_event.set)
        if early:
            stop_event.set()
        return await run_remote_async(job_dir, conf, stop_event)

    try:
        return asyncio.run(main())
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def main(argv: list[str] | None = None) -> int:
    from ..optional_imports import skip_iri_grammar

    args = sys.argv[1:] if argv is None else argv
    raw = os.environ.pop(TARGET_ENV, "")
    if len(args) != 1 or not raw:
        print(f"usage: {TARGET_ENV}=JSON python -m jupyterlab_nbjobs.runner.remote_run JOB_DIR",
              file=sys.stderr)
        return 2
    skip_iri_grammar()
    result = run_remote(Path(args[0]), json.loads(raw))
    error = result.get("error") or {}
    print(f"nbjobs remote runner: {result['status']} {error.get('message', '')}".rstrip(),
          flush=True)
    return 0 if result["status"] == "completed" else 1


if __name__ == "__main__":
    from .__main__ import exit_now

    exit_now(main())
