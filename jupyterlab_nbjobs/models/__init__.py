"""Pydantic v2 request/response models, one module per resource: the one source of the REST schema."""

from .common import (  # noqa: F401
    ACTIVE_STATUSES,
    FINAL_STATUSES,
    RUNNING_STATUSES,
    JobSettings,
    JobStatus,
    StrictModel,
    check_env,
    check_parameters,
)
from .environments import (  # noqa: F401
    BackendInfo,
    Environments,
    KernelInfo,
    NotebookParameter,
    NotebookParameters,
    OutputFormatInfo,
)
from .jobs import (  # noqa: F401
    BulkRequest,
    BulkResult,
    Job,
    JobCreate,
    JobError,
    JobListQuery,
    JobPage,
    JobRerun,
    LogChunk,
    OutputFile,
    OutputList,
    Progress,
)
from .schedules import (  # noqa: F401
    CatchupPolicy,
    CronCheck,
    CronInfo,
    FireRecord,
    OverlapPolicy,
    RunResult,
    Schedule,
    ScheduleCreate,
    ScheduleList,
    ScheduleRunRequest,
    ScheduleUpdate,
    TriggerRun,
)
from .sweeps import (  # noqa: F401
    Sweep,
    SweepCreate,
    SweepItem,
    SweepList,
)
