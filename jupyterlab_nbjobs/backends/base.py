"""The backend interface. A backend runs jobs and reports events; it never writes the store.

Backends are configurable classes named in `c.NbJobsApp.backend_classes`; each is built as
`cls(events, parent=app)`, so its own traits are set with `c.<ClassName>.<trait>`.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from traitlets.config import LoggingConfigurable
from traitlets.traitlets import MetaHasTraits

from ..runner.contract import RunnerResult, RunnerSpec


@dataclass
class RunRequest:
    """One attempt of one job, ready to run: JOB_DIR holds job.json and work/."""

    job_id: str
    attempt: int
    job_dir: Path
    spec: RunnerSpec
    options: dict[str, Any] = field(default_factory=dict)  # backend_options of the job


@dataclass
class ActiveRun:
    """A job the store believes is running: what reconcile() gets after a restart."""

    job_id: str
    attempt: int
    job_dir: Path
    handle: dict[str, Any]  # what on_started reported (pid, training job name, ...)


@dataclass
class ScheduleRequest:
    """One schedule for a trigger to fire in the cloud, staged: `job_dir` is a JOB_DIR-like
    folder (job.json with the RunnerSpec + work/, the schedule's snapshot) that the trigger
    uploads during create/update and that the caller removes afterwards."""

    schedule_id: str
    cron: str  # the normalized 5-field cron, on the wall clock of `timezone`
    timezone: str  # IANA zone
    job_dir: Path
    spec: RunnerSpec
    options: dict[str, Any] = field(default_factory=dict)  # backend_options (validated)
    name: str = ""
    enabled: bool = True
    start_at: datetime | None = None  # timezone-aware; no runs before / after
    end_at: datetime | None = None

    @property
    def description(self) -> str:
        return f"nbjobs schedule {self.name or self.schedule_id}"


class ScheduleTrigger(abc.ABC):
    """Fires a backend's schedules in the cloud, so they run while no Jupyter server does.

    A schedule it fires keeps the trigger's `handle` (a JSON dict) in the store; the local
    scheduler loop never fires such a schedule. Every method raises NbJobsError on refusal
    (a cron the service cannot express is InvalidRequest with field "cron")."""

    @abc.abstractmethod
    async def create(self, req: ScheduleRequest) -> dict[str, Any]:
        """Make the cloud side; returns its handle. A failure leaves nothing behind."""

    @abc.abstractmethod
    async def update(self, handle: dict[str, Any], req: ScheduleRequest) -> dict[str, Any]:
        """New snapshot, settings, cron, zone or window; returns the new handle."""

    @abc.abstractmethod
    async def pause(self, handle: dict[str, Any]) -> None: ...

    @abc.abstractmethod
    async def resume(self, handle: dict[str, Any]) -> None: ...

    @abc.abstractmethod
    async def delete(self, handle: dict[str, Any]) -> None:
        """Remove the cloud side; deleting what is already gone is fine."""

    @abc.abstractmethod
    async def list_runs(self, handle: dict[str, Any], limit: int = 50) -> list[dict[str, Any]]:
        """The runs it started, newest first, with the fields of models.TriggerRun."""

    async def run_handle(self, handle: dict[str, Any], run: dict[str, Any]) -> dict[str, Any] | None:
        """For one of list_runs(): the run handle its backend's reconcile() adopts (so the run
        becomes a job like any other), or None while the run has no job to adopt yet."""
        return None


class BackendEvents(Protocol):
    """Implemented by the job service: the one writer of job state."""

    async def on_started(self, job_id: str, attempt: int, handle: dict[str, Any]) -> None: ...

    async def on_progress(self, job_id: str, cells_done: int, cells_total: int) -> None: ...

    async def on_finished(self, job_id: str, attempt: int, result: RunnerResult) -> None: ...


class _BackendMeta(MetaHasTraits, abc.ABCMeta):
    """Traits and abstract methods on one class."""


class Backend(LoggingConfigurable, metaclass=_BackendMeta):
    name: str = ""  # what jobs name in `backend`; unique among the configured backends
    label: str = ""

    def __init__(self, events: BackendEvents, **kwargs: Any):
        super().__init__(**kwargs)
        self.events = events

    def active_job_ids(self) -> list[str]:
        """Runs this process watches now (a one-shot CLI waits for them before it exits)."""
        return []

    def capacity(self) -> int | None:
        """How many runs may be active at once; None for no limit (cloud services)."""
        return None

    @abc.abstractmethod
    async def start(self, run: RunRequest) -> None:
        """Start the run and return once it is launched; report events as it goes."""

    @abc.abstractmethod
    async def stop(self, job_id: str) -> None:
        """Ask the run to end; on_finished(status="stopped") follows when it has."""

    @abc.abstractmethod
    async def reconcile(self, runs: list[ActiveRun]) -> None:
        """After a restart: re-adopt runs still alive, report on_finished for the others."""

    def reaches(self, job_id: str) -> bool:
        """Whether stop() can reach this run now; if not, the service adopts it first."""
        return True

    def validate_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """Check backend_options of a create request; raise InvalidRequest if wrong."""
        if options:
            from ..errors import InvalidRequest

            raise InvalidRequest(
                f"backend {self.name!r} takes no options, got {sorted(options)}",
                reason="invalid_backend_options",
                field="backend_options",
            )
        return options

    def check_job(self, settings: Any, options: dict[str, Any]) -> None:
        """This backend's limits on the whole job (parameters, env, ...), checked when a job
        or schedule is created, after validate_options(); raise InvalidRequest naming the
        field. `settings` is the request (models.JobSettings)."""

    def kernel_specs(self, options: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """The kernelspecs a job with these (validated) options may ask for, by name, and
        where they live (for the error that names them). None: this server's own, which is
        where the job's kernel starts. Called off the event loop."""
        return None

    def form_options(self) -> dict[str, Any]:
        """Form fields with their defaults, for the environments endpoint."""
        return {}

    def schedule_trigger(self) -> ScheduleTrigger | None:
        """What fires this backend's schedules in the cloud; None: the scheduler loop of the
        Jupyter server fires them."""
        return None

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to do by default
        """Stop watching runs; the runs themselves keep going (they survive restarts)."""
