"""SageMaker notebook instances of projects: requests, answers, options, logs."""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import Field

from .common import Count, Model, StrictModel
from .projects import ProjectName, StopTime, pattern_text

# SageMaker's own rule for notebook instance and lifecycle config names.
INSTANCE_NAME_PATTERN = "^[a-zA-Z0-9](-*[a-zA-Z0-9])*$"
# Reserved: GET instances/options is the form's choices, not an instance.
RESERVED_INSTANCE_NAMES = frozenset({"options"})
INSTANCE_TYPE_PATTERN = "^ml\\.[a-z0-9]+\\.[a-z0-9]+$"
EMR_CLUSTER_PATTERN = "^j-[A-Za-z0-9]{1,62}$"
MIN_VOLUME_GB, MAX_VOLUME_GB, DEFAULT_VOLUME_GB = 5, 16384, 5
DEFAULT_INSTANCE_TYPE = "ml.t3.medium"

InstanceName = pattern_text(INSTANCE_NAME_PATTERN, min_length=1, max_length=63)
LifecycleConfigName = pattern_text(INSTANCE_NAME_PATTERN, min_length=1, max_length=63)
InstanceType = pattern_text(INSTANCE_TYPE_PATTERN, max_length=64,
                    description="a SageMaker notebook instance type, e.g. ml.t3.medium")
EmrClusterId = pattern_text(EMR_CLUSTER_PATTERN, max_length=64)


class InstanceStatus(str, enum.Enum):
    pending = "Pending"
    in_service = "InService"
    stopping = "Stopping"
    stopped = "Stopped"
    failed = "Failed"
    updating = "Updating"
    deleting = "Deleting"


# Actions in the order the UI shows them.
INSTANCE_ACTIONS = ("start", "stop", "open", "update", "delete", "set_stop_time", "logs")


class InstanceCreate(StrictModel):
    name: InstanceName = Field(description="1-63 letters, digits and hyphens, not 'options'")
    project: ProjectName
    instance_type: InstanceType = DEFAULT_INSTANCE_TYPE
    volume_size_gb: Count = Field(default=DEFAULT_VOLUME_GB, ge=MIN_VOLUME_GB, le=MAX_VOLUME_GB,
                                description="GB, 5-16384")
    lifecycle_config: LifecycleConfigName | None = None
    emr_cluster_id: EmrClusterId | None = None
    stop_time: StopTime | None = Field(
        default=None, description="daily stop time HH:MM; null: the project's")


class InstanceUpdate(StrictModel):
    """Only the fields sent change. lifecycle_config / emr_cluster_id null remove them;
    stop_time null goes back to the project's stop time."""

    instance_type: InstanceType | None = None
    volume_size_gb: Count | None = Field(default=None, ge=MIN_VOLUME_GB, le=MAX_VOLUME_GB)
    lifecycle_config: LifecycleConfigName | None = None
    emr_cluster_id: EmrClusterId | None = None
    stop_time: StopTime | None = None


class Instance(Model):
    name: str
    project: str
    owner: str
    status: InstanceStatus
    failure_reason: str | None
    instance_type: str
    volume_size_gb: int
    lifecycle_config: str | None
    emr_cluster_id: str | None
    stop_time: str | None = Field(description="the effective daily stop time, HH:MM")
    stop_time_overridden: bool
    timezone: str
    next_stop_at: datetime | None
    idle_stop_minutes: int | None
    arn: str | None
    created_at: datetime
    updated_at: datetime
    actions: list[str] = Field(description="what the caller may do now: " +
                                           ", ".join(INSTANCE_ACTIONS))


class InstanceList(Model):
    instances: list[Instance]


class InstanceListQuery(StrictModel):
    project: ProjectName | None = None
    mine: bool = False


class InstanceUrl(Model):
    url: str
    expires_at: datetime


class LogEvent(Model):
    timestamp: datetime
    message: str
    stream: str


class LogPage(Model):
    events: list[LogEvent] = Field(description="oldest first")
    next_cursor: str | None = Field(description="the page of older events, or null")


class VolumeLimits(Model):
    min: int = MIN_VOLUME_GB
    max: int = MAX_VOLUME_GB
    default: int = DEFAULT_VOLUME_GB


class EmrCluster(Model):
    id: str
    name: str
    state: str


class InstanceOptions(Model):
    instance_types: list[str]
    default_instance_type: str
    volume_size_gb: VolumeLimits
    lifecycle_configs: list[str]
    stop_time: str | None
    timezone: str
    allow_override: bool
    emr_clusters: list[EmrCluster]
    emr_note: str | None
