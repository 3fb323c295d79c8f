"""What the command line prints: job lines and progress on stderr."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

from ..models import FINAL_STATUSES

if TYPE_CHECKING:
    from ..composition import NbJobs


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def job_line(job) -> str:
    cells = f"{job.progress.cells_done}/{job.progress.cells_total}"
    created = job.created_at.strftime("%Y-%m-%d %H:%M:%S")
    return f"{job.id}  {job.status.value:<9}  {cells:>7}  {created}  {job.name}"


class Progress:
    """One line per job, rewritten in place on a terminal, appended otherwise."""

    def __init__(self):
        self.tty = sys.stderr.isatty()
        self.last: dict[str, str] = {}

    def show(self, job) -> None:
        done, total = job.progress.cells_done, job.progress.cells_total
        bar = ""
        if total:
            filled = int(20 * done / total)
            bar = f" [{'#' * filled}{'.' * (20 - filled)}] {done}/{total} cells"
        line = f"{job.name}: {job.status.value}{bar}"
        if self.last.get(job.id) == line:
            return
        self.last[job.id] = line
        sys.stderr.write(("\r\033[K" if self.tty else "") + line + ("" if self.tty else "\n"))
        sys.stderr.flush()

    def end(self) -> None:
        if self.tty:
            sys.stderr.write("\n")


async def follow(ctx: NbJobs, job_ids: list[str]) -> list:
    progress = Progress()
    while True:
        jobs = [await ctx.jobs.get(j) for j in job_ids]
        if len(jobs) == 1:
            progress.show(jobs[0])
        else:
            counts: dict[str, int] = {}
            for job in jobs:
                counts[job.status.value] = counts.get(job.status.value, 0) + 1
            line = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
            if progress.last.get("*") != line:
                progress.last["*"] = line
                sys.stderr.write(("\r\033[K" if progress.tty else "") + f"sweep: {line}"
                                 + ("" if progress.tty else "\n"))
                sys.stderr.flush()
        if all(j.status in FINAL_STATUSES for j in jobs):
            progress.end()
            return jobs
        await asyncio.sleep(0.2)


