"""The job statuses and their sets, in a module that imports nothing: the server's start
reads them (is there a run to resume?) before pydantic or SQLAlchemy are loaded."""

from __future__ import annotations

import enum


class JobStatus(str, enum.Enum):
    queued = "queued"
    running = "running"
    completed = "completed"
    failed = "failed"
    stopping = "stopping"
    stopped = "stopped"


# JobStatus is a str enum, so these sets also answer for plain strings ("failed" in ...).
FINAL_STATUSES = frozenset({JobStatus.completed, JobStatus.failed, JobStatus.stopped})
RUNNING_STATUSES = frozenset({JobStatus.running, JobStatus.stopping})  # a backend holds the run
ACTIVE_STATUSES = frozenset({JobStatus.queued, *RUNNING_STATUSES})  # not final yet
