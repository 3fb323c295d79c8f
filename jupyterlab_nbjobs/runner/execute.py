"""run_job: execute one attempt of a job directory and leave result.json behind.

Every path ends the same way: the kernel is killed, the (possibly partial) executed
notebook, the other formats and the files the notebook wrote are saved, and result.json
is written last. Heavy imports (papermill, nbclient, nbconvert) happen inside, timed, so a
warm process that imported them already pays nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
import time
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import psutil

from .contract import (
    PROGRESS_FILE,
    REASON_CELL_ERROR,
    REASON_KERNEL_DIED,
    REASON_RUNNER_ERROR,
    REASON_STOPPED,
    REASON_TIMEOUT,
    RESULT_FILE,
    RUNNER_FILE,
    SPEC_FILE,
    WORK_DIR,
    RunnerError,
    RunnerInfo,
    RunnerResult,
    RunnerSpec,
    read_json,
    write_json_atomic,
)
from .joblog import JobLog, utcnow_iso

KernelStarter = Callable[[str, Path, dict], Awaitable[tuple[Any, Any]]]


def _cell_number(index: int | None) -> str:
    """Cells as people count them (from 1, as the Lab's job detail does); the stored
    cell_index stays 0-based."""
    return "?" if index is None else str(index + 1)


def _error(reason: str, message: str, **extra: Any) -> RunnerError:
    err: RunnerError = {
        "message": message,
        "reason": reason,
        "cell_index": None,
        "ename": None,
        "evalue": None,
        "traceback": [],
    }
    err.update(extra)  # type: ignore[typeddict-item]
    return err


class _Execution:
    """State of one attempt: the kernel, the notebook, and how far it got."""

    def __init__(self, job_dir: Path, spec: RunnerSpec, joblog: JobLog, timings: dict):
        self.job_dir = job_dir
        self.spec = spec
        self.joblog = joblog
        self.timings = timings
        self.info: RunnerInfo = {}
        self.nbmod: Any = None
        self.nb: Any = None
        self.km: Any = None
        self.kc: Any = None
        self.cells_done = 0
        self.cells_total = 0
        self.current_cell: int | None = None
        self.start_kernel: KernelStarter | None = None

    def write_progress(self) -> None:
        write_json_atomic(
            self.job_dir / PROGRESS_FILE,
            {"cells_done": self.cells_done, "cells_total": self.cells_total},
        )

    def prepare(self) -> None:
        t = time.monotonic()
        from . import notebook as nbmod  # papermill + nbclient: the ~2-3 s import

        self.nbmod = nbmod
        self.timings["import"] = round(time.monotonic() - t, 4)
        t = time.monotonic()
        work = self.job_dir / WORK_DIR
        self.nb = nbmod.prepare_notebook(
            work / self.spec["notebook"],
            self.spec.get("kernel_name"),
            self.spec.get("parameters") or {},
        )
        self.cells_total = len(nbmod.code_cell_indexes(self.nb))
        self.timings["prepare"] = round(time.monotonic() - t, 4)
        self.write_progress()

    async def run(self) -> tuple[str, RunnerError | None]:
        """Start the kernel and execute the code cells in order; stop at the first error."""
        nbmod, nb, log = self.nbmod, self.nb, self.joblog
        kernel_name = nb.metadata["kernelspec"]["name"]
        cwd = (self.job_dir / WORK_DIR / self.spec["notebook"]).parent
        t = time.monotonic()
        try:
            starter = self.start_kernel or nbmod.start_kernel
            self.km, self.kc = await starter(kernel_name, cwd, self.spec.get("env") or {})
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            msg = f"kernel {kernel_name!r} did not start: {type(exc).__name__}: {exc}"
            log.line(msg)
            return "failed", _error(REASON_RUNNER_ERROR, msg)
        self.timings["kernel_start"] = round(time.monotonic() - t, 4)
        pid = nbmod.kernel_pid(self.km)
        self.info["kernel_pid"] = pid
        try:
            self.info["kernel_create_time"] = psutil.Process(pid).create_time() if pid else None
        except psutil.Error:
            self.info["kernel_create_time"] = None
        write_json_atomic(self.job_dir / RUNNER_FILE, self.info)
        log.line(f"kernel {kernel_name} started (pid {pid}) in {self.timings['kernel_start']:.2f}s")

        client = nbmod.JobClient(nb, self.km, log)
        client.kc = self.kc
        t = time.monotonic()
        reply = nbmod.kernel_info_reply(self.kc)  # asked while the kernel started
        if reply is None:
            reply = await client.async_wait_for_reply(client.kc.kernel_info())
        self.timings["kernel_info"] = round(time.monotonic() - t, 4)
        if reply and "language_info" in reply["content"]:
            nb.metadata["language_info"] = reply["content"]["language_info"]

        t = time.monotonic()
        try:
            for n, index in enumerate(nbmod.code_cell_indexes(nb), start=1):
                outcome = await self._run_cell(client, n, index)
                if outcome is not None:
                    return outcome
            return "completed", None
        except nbmod.DeadKernelError as exc:
            msg = f"the kernel died while running cell {_cell_number(self.current_cell)}: {exc}"
            log.line(msg)
            return "failed", _error(REASON_KERNEL_DIED, msg, cell_index=self.current_cell)
        finally:
            self.timings["execute"] = round(time.monotonic() - t, 4)

    async def _run_cell(self, client: Any, n: int, index: int) -> tuple | None:
        cell = self.nb.cells[index]
        self.current_cell = index
        self.joblog.line(f"cell {index + 1} started (code cell {n} of {self.cells_total})")
        client.last_reply = None
        t = time.monotonic()
        await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        self.cells_done += 1
        self.write_progress()
        content = (client.last_reply or {}).get("content", {})
        if content.get("status") != "error":
            self.joblog.line(f"cell {index + 1} done in {time.monotonic() - t:.3f} s")
            return None
        ename, evalue, tb = self.nbmod.error_from_reply(content)
        if self.nbmod.is_clean_exit(content):
            self.joblog.line(f"cell {index + 1} called sys.exit({evalue or ''}): the notebook ends here")
            return "completed", None
        if "raises-exception" in cell.metadata.get("tags", []):
            self.joblog.line(f"cell {index + 1} raised {ename} as its tag 'raises-exception' expects")
            return None
        msg = f"cell {index + 1} raised {ename}: {evalue}"
        self.joblog.line(f"cell {index + 1} failed: {ename}: {evalue}")
        err = _error(REASON_CELL_ERROR, msg, cell_index=index, ename=ename, evalue=evalue)
        err["traceback"] = tb
        return "failed", err

    def mark_interrupted(self, ename: str, message: str) -> None:
        """Leave a visible error on the cell that was running when the job was cut short."""
        if self.nb is None or self.current_cell is None:
            return
        cell = self.nb.cells[self.current_cell]
        if self.cells_done and self.nbmod.code_cell_indexes(self.nb)[self.cells_done - 1] == (
            self.current_cell
        ):
            return  # that cell had finished
        out = self.nbmod.nbformat.v4.new_output(
            "error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"]
        )
        cell.setdefault("outputs", []).append(out)

    async def close_kernel(self) -> None:
        if self.km is not None:
            await self.nbmod.shutdown_kernel(self.km, self.kc)
            self.joblog.line("kernel shut down")


def _finish_outputs(ex: _Execution, status: str, error: RunnerError | None) -> tuple[list, list]:
    """Save the executed notebook, the other formats and the changed files."""
    spec, timings = ex.spec, ex.timings
    out_dir = Path(spec["output_dir"])
    stem = spec["output_stem"]
    outputs: list[str] = []
    warnings: list[str] = []
    if ex.nb is None:
        return outputs, warnings
    from .outputs import export_formats, save_notebook

    pm = ex.nb.metadata.setdefault("papermill", {})
    pm.update({"status": status, "exception": error is not None, "end_time": utcnow_iso()})
    t = time.monotonic()
    save_notebook(ex.nb, out_dir / f"{stem}.ipynb")
    outputs.append(f"{stem}.ipynb")
    timings["save"] = round(time.monotonic() - t, 4)
    t = time.monotonic()
    names, warnings = export_formats(ex.nb, spec.get("output_formats") or [], out_dir, stem)
    outputs += names
    timings["export"] = round(time.monotonic() - t, 4)
    for w in warnings:
        ex.joblog.line(f"warning: {w}")
    return outputs, warnings


def _load_spec(job_dir: Path) -> RunnerSpec:
    spec = read_json(job_dir / SPEC_FILE)
    if not isinstance(spec, dict) or not spec.get("notebook") or not spec.get("output_dir"):
        raise ValueError(f"{job_dir / SPEC_FILE} is missing or lacks notebook/output_dir")
    spec.setdefault("output_stem", Path(spec["notebook"]).stem)
    return spec  # type: ignore[return-value]


async def run_job_async(
    job_dir: Path,
    stop_event: asyncio.Event | None = None,
    *,
    start_kernel: KernelStarter | None = None,
) -> RunnerResult:
    """Run one attempt. Set `stop_event` to stop it (what SIGTERM does in run_job).

    `start_kernel(kernel_name, cwd, env) -> (manager, client)` replaces the fresh kernel
    start, e.g. by a warm pool handing out a pre-started kernel. It must give a
    kernel used by this job alone, already in `cwd` with `env` applied; the runner shuts
    it down at the end like its own.
    """
    job_dir = Path(job_dir).resolve()
    t_start = time.monotonic()
    started_at = utcnow_iso()
    stop_event = stop_event or asyncio.Event()
    timings: dict[str, float] = {}
    result: RunnerResult = {"status": "failed", "started_at": started_at, "outputs": []}
    (job_dir / RESULT_FILE).unlink(missing_ok=True)  # a stale one from an earlier attempt
    me = psutil.Process()
    info: RunnerInfo = {"pid": me.pid, "create_time": me.create_time(), "kernel_pid": None}
    try:
        spec = _load_spec(job_dir)
    except Exception as exc:  # noqa: BLE001
        result.update(error=_error(REASON_RUNNER_ERROR, str(exc)), ended_at=utcnow_iso())
        write_json_atomic(job_dir / RUNNER_FILE, info)
        write_json_atomic(job_dir / RESULT_FILE, result)
        return result
    info["attempt"] = result["attempt"] = int(spec.get("attempt") or 1)
    write_json_atomic(job_dir / RUNNER_FILE, info)
    out_dir = Path(spec["output_dir"])
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        joblog = JobLog(out_dir / f"{spec['output_stem']}.log")
    except OSError as exc:
        msg = f"cannot write to the output folder {out_dir}: {exc}"
        result.update(error=_error(REASON_RUNNER_ERROR, msg), ended_at=utcnow_iso())
        write_json_atomic(job_dir / RESULT_FILE, result)
        return result
    joblog.line(
        f"job {spec.get('job_id', '?')} attempt {result['attempt']}: {spec['notebook']} "
        f"(kernel {spec.get('kernel_name') or 'from notebook'}, runner pid {me.pid})"
    )
    if spec.get("parameters"):
        joblog.line(f"parameters: {json.dumps(spec['parameters'])}")
    ex = _Execution(job_dir, spec, joblog, timings)
    ex.info = info
    ex.start_kernel = start_kernel
    status, error = "failed", None
    snapshot: dict | None = None
    skip = {os.path.normpath(spec["notebook"])}
    try:
        await asyncio.to_thread(ex.prepare)
        from .outputs import snapshot_tree

        snapshot = await asyncio.to_thread(snapshot_tree, job_dir / WORK_DIR, skip)
        timeout = spec.get("timeout_seconds")
        remaining = None if not timeout else max(0.0, float(timeout) - (time.monotonic() - t_start))
        exec_task = asyncio.ensure_future(ex.run())
        stop_task = asyncio.ensure_future(stop_event.wait())
        done, _ = await asyncio.wait(
            {exec_task, stop_task}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
        )
        stop_task.cancel()
        if exec_task in done:
            status, error = exec_task.result()
        else:
            exec_task.cancel()
            await asyncio.gather(exec_task, return_exceptions=True)
            if stop_event.is_set():
                status, error = "stopped", _error(REASON_STOPPED, "the job was stopped")
                ex.mark_interrupted("JobStopped", "the job was stopped while this cell ran")
            else:
                msg = f"the job exceeded its timeout of {timeout:g} s"
                status, error = "failed", _error(REASON_TIMEOUT, msg)
                ex.mark_interrupted("JobTimeout", msg)
            error["cell_index"] = ex.current_cell
            where = f" while cell {ex.current_cell + 1} ran" if ex.current_cell is not None else ""
            joblog.line(error["message"] + where)
    except Exception as exc:  # noqa: BLE001 - whatever broke, the result must say so
        status = "failed"
        error = _error(REASON_RUNNER_ERROR, f"{type(exc).__name__}: {exc}")
        error["traceback"] = traceback.format_exc().splitlines()
        joblog.line(f"runner error: {error['message']}")
        joblog.stream(traceback.format_exc())
    finally:
        t = time.monotonic()
        try:
            await ex.close_kernel()
            timings["kernel_stop"] = round(time.monotonic() - t, 4)
        except Exception as exc:  # noqa: BLE001
            joblog.line(f"kernel shutdown failed: {exc}")
    try:
        outputs, warnings = await asyncio.to_thread(_finish_outputs, ex, status, error)
        if snapshot is not None:
            from .outputs import copy_changed_files

            t = time.monotonic()
            outputs += await asyncio.to_thread(
                copy_changed_files, job_dir / WORK_DIR, snapshot, out_dir, skip
            )
            timings["files"] = round(time.monotonic() - t, 4)
    except Exception as exc:  # noqa: BLE001
        outputs, warnings = [], [f"saving outputs failed: {type(exc).__name__}: {exc}"]
        joblog.line(warnings[0])
    outputs.insert(1 if outputs else 0, f"{spec['output_stem']}.log")
    timings["total"] = round(time.monotonic() - t_start, 4)
    joblog.line(f"job {status} in {timings['total']:.2f}s")
    joblog.close()
    ex.write_progress()
    result.update(
        status=status,
        error=error,
        ended_at=utcnow_iso(),
        cells_done=ex.cells_done,
        cells_total=ex.cells_total,
        outputs=outputs,
        timings=timings,
        warnings=warnings,
    )
    write_json_atomic(job_dir / RESULT_FILE, result)
    return result


def run_job(job_dir: Path) -> RunnerResult:
    """Run one attempt in this process; SIGTERM or SIGINT stop it cleanly (result: stopped)."""
    early: list[int] = []
    main_thread = threading.current_thread() is threading.main_thread()

    def remember(signum, frame):  # a signal before the event loop runs
        early.append(signum)

    signals = (signal.SIGTERM, signal.SIGINT) if main_thread else ()
    old = {s: signal.signal(s, remember) for s in signals}

    async def main() -> RunnerResult:
        stop_event = asyncio.Event()
        loop = asyncio.get_running_loop()
        for s in signals:
            loop.add_signal_handler(s, stop_event.set)
        if early:
            stop_event.set()
        return await run_job_async(job_dir, stop_event)

    try:
        return asyncio.run(main())
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
