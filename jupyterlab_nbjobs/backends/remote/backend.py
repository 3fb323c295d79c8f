"""The remote backend: a job's kernel runs on another Jupyter server (a named target).

Each attempt is a runner process on this machine (runner/remote_run.py), in its own session
like the local backend's, so it survives a restart of this server and is stopped with
SIGTERM (it interrupts the remote kernel, deletes it, brings the files back). It writes the
same progress.json/result.json, watched here by one polling task, plus remote.json: what
exists on the remote, so a runner that was killed or died while this server was down has
its remote kernel deleted (and its folder removed) by the watcher or by reconcile().
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
from traitlets import Dict, Float, Integer, Unicode, default

from ...errors import InvalidRequest
from ...paths import PACKAGE_PARENT
from ...runner.contract import PROGRESS_FILE, RESULT_FILE, RUNNER_FILE, RUNNER_OUT, read_json
from ...runner.procs import process_if_same
from ...runner.remote_http import RemoteError
from ...runner.remote_run import REMOTE_FILE, TARGET_ENV, clean_up_after
from ..base import ActiveRun, Backend, BackendEvents, RunRequest
from ..local.watch import Watched, kill_hard, poll_one, read_result, synthesize, terminate
from .targets import Targets

log = logging.getLogger(__name__)

_BOOT = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "from jupyterlab_nbjobs.runner.__main__ import exit_now; "
    "from jupyterlab_nbjobs.runner.remote_run import main; exit_now(main())"
)
OPTION_KEYS = {"target", "keep_remote_folder"}


def _poll_all(runs: list[Watched], now: float) -> list[tuple]:
    return [(w, *poll_one(w, now)) for w in runs]


class RemoteBackend(Backend):
    name = "remote"
    label = "Another Jupyter server"

    targets = Dict(
        help="Named Jupyter servers jobs may run on: {name: {'url': ..., 'token': ...}} (or "
        "'password', 'presigned_url', 'presigned_url_command'; optional 'label', 'folder', "
        "'verify', 'timeout'). See docs/remote.md. Secrets are never shown by the API.",
    ).tag(config=True)
    default_target = Unicode("", help="Target of a job that names none. Default: the first.").tag(
        config=True
    )
    folder = Unicode(
        "nbjobs-runs", help="Folder (under each remote server's root) that holds job folders; "
        "not hidden, since /api/contents refuses hidden paths by default.",
    ).tag(config=True)
    max_concurrent_jobs = Integer(
        8, help="Remote jobs running at once (each has a runner process here)."
    ).tag(config=True)
    python = Unicode(help="Python that runs the runner. Default: this server's.").tag(config=True)
    poll_interval = Float(0.1, help="Seconds between looks at the running jobs.").tag(config=True)
    stop_grace = Float(
        15.0, help="Seconds a stopped job gets to end (and tidy the remote) before it is killed."
    ).tag(config=True)
    timeout_grace = Float(
        30.0, help="Seconds past its timeout before a job that did not end is killed."
    ).tag(config=True)

    cleanup_retry_interval = Float(
        10.0, help="Seconds between tries to delete what a killed runner left on a remote "
        "that is down.",
    ).tag(config=True)

    def __init__(self, events: BackendEvents, **kwargs: Any):
        super().__init__(events, **kwargs)
        self.known = Targets(self.targets)
        self._watched: dict[str, Watched] = {}
        self._task: asyncio.Task | None = None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._refreshing: asyncio.Future | None = None
        # "job_id:attempt" -> (target, its REMOTE_FILE): remotes to tidy after a killed runner
        self._leftovers: dict[str, tuple[str, Path]] = {}

    @default("python")
    def _python_default(self) -> str:
        return sys.executable

    def capacity(self) -> int | None:
        return max(1, int(self.max_concurrent_jobs))

    # -- options and the environments listing ------------------------------------------

    def _default_target(self) -> str:
        names = self.known.names()
        if self.default_target and self.default_target in names:
            return self.default_target
        return names[0] if names else ""

    def validate_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """Runs in a worker thread (the job service's create): may probe the target."""
        unknown = sorted(set(options) - OPTION_KEYS)
        if unknown:
            raise InvalidRequest(f"unknown remote backend options {unknown}; known: "
                                 f"{sorted(OPTION_KEYS)}", reason="invalid_backend_options",
                                 field=f"backend_options.{unknown[0]}")
        target = options.get("target", self._default_target())
        if not isinstance(target, str) or not target:
            raise InvalidRequest("backend_options.target names a remote target",
                                 reason="invalid_backend_options", field="backend_options.target")
        keep = options.get("keep_remote_folder", False)
        if not isinstance(keep, bool):
            raise InvalidRequest("backend_options.keep_remote_folder is true or false",
                                 reason="invalid_backend_options",
                                 field="backend_options.keep_remote_folder")
        self.known.check(target)  # 400 unknown target, 502 unreachable / refused
        return {"target": target, "keep_remote_folder": keep}

    def kernel_specs(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The target's own kernelspecs: its kernels, not ours, are the ones a job may ask
        for (fresh from validate_options' probe, so no second login)."""
        target = options.get("target") or self._default_target()
        specs = self.known.check(target).get("kernelspecs") or {}
        return f"on remote target {target!r}", specs

    def form_options(self) -> dict[str, Any]:
        """Cached (this runs on the event loop); a stale cache is refreshed in the background."""
        self._refresh_soon()
        return {"target": self._default_target(), "keep_remote_folder": False,
                "targets": [self.known.public(n) for n in self.known.names()]}

    def _refresh_soon(self) -> None:
        stale = self.known.stale()
        if not stale or (self._refreshing is not None and not self._refreshing.done()):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._refreshing = loop.run_in_executor(None, self.known.refresh, stale)

    # -- starting ----------------------------------------------------------------------

    async def start(self, run: RunRequest) -> None:
        self._loop = asyncio.get_running_loop()
        w, left = await asyncio.to_thread(self._launch, run)
        self._leftovers.update(left)
        w.announced = False
        self._watch(w)
        try:
            await self.events.on_started(run.job_id, run.attempt, w.handle | {
                "target": w.extra["target"]})
        except BaseException:
            self._watched.pop(run.job_id, None)
            await asyncio.to_thread(kill_hard, w.job_dir, w.pid, w.create_time, w.pgid)
            self._leftovers[f"{run.job_id}:{run.attempt}"] = (w.extra["target"],
                                                              w.job_dir / REMOTE_FILE)
            raise
        w.announced = True
        self._kick()

    def _launch(self, run: RunRequest) -> tuple[Watched, dict[str, tuple[str, Path]]]:
        job_dir = Path(run.job_dir)
        left = self._keep_untidy_state(job_dir)
        for name in (RESULT_FILE, PROGRESS_FILE, RUNNER_FILE, REMOTE_FILE):
            (job_dir / name).unlink(missing_ok=True)
        options = run.options or {}
        target = options.get("target") or self._default_target()
        conf = {"name": target, "target": self.known.get(target), "folder": self.folder,
                "keep_folder": bool(options.get("keep_remote_folder"))}
        env = {**os.environ, TARGET_ENV: json.dumps(conf)}
        with open(job_dir / RUNNER_OUT, "ab") as out:
            popen = subprocess.Popen(
                [self.python, "-c", _BOOT, PACKAGE_PARENT, str(job_dir)],
                cwd=job_dir, env=env, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True, close_fds=True,
            )
        try:
            create_time = psutil.Process(popen.pid).create_time()
        except psutil.Error:
            create_time = time.time()
        timeout = (run.spec or {}).get("timeout_seconds")
        w = Watched(job_id=run.job_id, attempt=run.attempt, job_dir=job_dir, pid=popen.pid,
                    create_time=create_time, pgid=popen.pid, popen=popen,
                    timeout=float(timeout) if timeout else None, extra={"target": target})
        threading.Thread(target=self._reap, args=(popen,), daemon=True,
                         name=f"nbjobs-remote-reap-{popen.pid}").start()
        return w, left

    @staticmethod
    def _keep_untidy_state(job_dir: Path) -> dict[str, tuple[str, Path]]:
        """An earlier attempt's REMOTE_FILE that is not cleaned yet (its remote was down)
        is kept under its own name for the cleanup, not overwritten by this attempt's."""
        state = read_json(job_dir / REMOTE_FILE)
        if not isinstance(state, dict) or state.get("cleaned") or not state.get("target"):
            return {}
        kept = job_dir / f"remote-{state.get('attempt')}.json"
        os.replace(job_dir / REMOTE_FILE, kept)
        return {f"{job_dir.name}:{state.get('attempt')}": (state["target"], kept)}

    def _reap(self, popen: subprocess.Popen) -> None:
        popen.wait()
        self._kick_threadsafe()

    def _kick_threadsafe(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:
                pass

    # -- stopping ----------------------------------------------------------------------

    async def stop(self, job_id: str) -> None:
        w = self._watched.get(job_id)
        if w is None or w.finished:
            return
        w.stop_requested = True
        deadline = time.time() + self.stop_grace
        w.kill_at = deadline if w.kill_at is None else min(w.kill_at, deadline)
        await asyncio.to_thread(terminate, w)
        self._kick()

    # -- after a restart ---------------------------------------------------------------

    async def reconcile(self, runs: list[ActiveRun]) -> None:
        self._loop = asyncio.get_running_loop()
        self._refresh_soon()
        for run in runs:
            if run.job_id in self._watched:
                continue
            w, result = await asyncio.to_thread(self._reconcile_one, run)
            if w is not None:
                self._watch(w)
            elif result is not None:
                await self._finished(run.job_id, run.attempt, result,
                                     (run.handle or {}).get("target"), Path(run.job_dir))

    def _reconcile_one(self, run: ActiveRun) -> tuple[Watched | None, dict | None]:
        job_dir = Path(run.job_dir)
        handle = dict(run.handle or {})
        info = read_json(job_dir / RUNNER_FILE) or {}
        if not handle.get("pid") and int(info.get("attempt") or 0) == run.attempt:
            handle.update(pid=info.get("pid"), create_time=info.get("create_time"))
        pid, create_time = handle.get("pid"), handle.get("create_time")
        spec = read_json(job_dir / "job.json") or {}
        timeout = spec.get("timeout_seconds")
        target = handle.get("target") or (read_json(job_dir / REMOTE_FILE) or {}).get("target")
        w = Watched(job_id=run.job_id, attempt=run.attempt, job_dir=job_dir,
                    pid=int(pid or 0), create_time=float(create_time or time.time()),
                    pgid=int(handle.get("pgid") or pid or 0),
                    timeout=float(timeout) if timeout else None,
                    started=float(create_time or time.time()), extra={"target": target})
        result = read_result(job_dir, run.attempt)
        if process_if_same(pid, create_time) is not None and result is None:
            return w, None  # still running: watch it again
        return None, result or synthesize(w, "the runner process ended while the server was down")

    # -- watching ----------------------------------------------------------------------

    def _watch(self, w: Watched) -> None:
        w.extra["timeout_grace"] = self.timeout_grace
        self._watched[w.job_id] = w
        self._ensure_loop()

    def _ensure_loop(self) -> None:
        if self._task is None or self._task.done():
            self._loop = asyncio.get_running_loop()
            self._wake = asyncio.Event()
            self._task = asyncio.create_task(self._watch_loop(), name="nbjobs-remote-watch")
        self._kick()

    def _kick(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _watch_loop(self) -> None:
        while self._watched or self._leftovers:
            self._wake.clear()
            runs = [w for w in self._watched.values() if w.announced and not w.finished]
            try:
                looks = await asyncio.to_thread(_poll_all, runs, time.time())
            except Exception:  # noqa: BLE001 - keep watching the others
                log.exception("nbjobs: polling remote runners failed")
                looks = []
            for w, progress, result in looks:
                if progress is not None and result is None:
                    await self._call(self.events.on_progress, w.job_id, *progress)
                if result is not None:
                    w.finished = True
                    self._watched.pop(w.job_id, None)
                    await self._finished(w.job_id, w.attempt, result, w.extra.get("target"),
                                         w.job_dir)
            if self._leftovers:
                await self._clean_leftovers()
            if not self._watched and not self._leftovers:
                break
            wait = self.poll_interval if self._watched else self.cleanup_retry_interval
            try:
                await asyncio.wait_for(self._wake.wait(), wait)
            except asyncio.TimeoutError:
                pass

    async def _finished(self, job_id: str, attempt: int, result: dict, target: str | None,
                        job_dir: Path) -> None:
        state = read_json(job_dir / REMOTE_FILE)
        if isinstance(state, dict) and not state.get("cleaned") and target:
            self._leftovers[f"{job_id}:{attempt}"] = (target, job_dir / REMOTE_FILE)
            await self._clean_leftovers()
            if self._leftovers:
                self._ensure_loop()  # retried by the watcher while the remote is down
        await self._call(self.events.on_finished, job_id, attempt, result)

    async def _clean_leftovers(self) -> None:
        """Delete what runners that did not tidy up left on their remotes (kernel, folder);
        a remote that is down keeps its entry for the next round."""
        for key, (target, state_file) in list(self._leftovers.items()):
            job_id = key.split(":")[0]
            try:
                await asyncio.to_thread(self._clean_one, target, state_file)
                self._leftovers.pop(key, None)
            except RemoteError as exc:
                log.warning("nbjobs: job %s: remote cleanup failed, will retry: %s", job_id,
                            exc.message)
            except InvalidRequest:  # the target is no longer configured
                log.warning("nbjobs: job %s: remote target %r is gone from the config; its "
                            "kernel and folder there are left", job_id, target)
                self._leftovers.pop(key, None)

    def _clean_one(self, target: str, state_file: Path) -> None:
        with self.known.session(target) as session:
            state = read_json(state_file) or {}
            if state.get("cleaned"):
                return
            session.login()
            clean_up_after(session, state_file)
            log.info("nbjobs: cleaned up after a runner on %s: kernel %s, folder %s",
                     session.where(), state.get("kernel_id"), state.get("folder"))

    async def _call(self, fn: Any, *args: Any) -> None:
        try:
            await fn(*args)
        except Exception:  # noqa: BLE001 - one bad event must not stop the watcher
            log.exception("nbjobs: event handler %s failed", getattr(fn, "__name__", fn))

    def reaches(self, job_id: str) -> bool:
        return job_id in self._watched

    def active_job_ids(self) -> list[str]:
        return list(self._watched)

    async def close(self) -> None:
        """Stop watching; the runners keep going and are re-adopted by reconcile()."""
        task, self._task = self._task, None
        self._watched.clear()
        if task is not None:
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
