"""The create form's choices for a project (GET instances/options)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import NbJobsError
from ...models.instances import EmrCluster, InstanceOptions, VolumeLimits
from . import emr, lifecycle

if TYPE_CHECKING:
    from .service import InstanceService


async def build_options(service: InstanceService, project: dict) -> InstanceOptions:
    aws = service.aws
    configs = [n for n in await service._aws(aws.lifecycle_configs)
               if not n.startswith(lifecycle.OWN_PREFIX)]
    note = None
    try:
        clusters = await service._aws(emr.attachable, aws, project["name"])
    except NbJobsError as exc:  # EMR may be denied to this server while instances work
        clusters, note = [], f"EMR clusters could not be listed: {exc.message}"
    if not clusters and note is None:
        note = (f"no EMR cluster tagged project={project['name']} is WAITING")
    return InstanceOptions(
        instance_types=list(service.config.instance_types),
        default_instance_type=service.config.default_instance_type,
        volume_size_gb=VolumeLimits(), lifecycle_configs=sorted(configs),
        stop_time=project["stop_time"], timezone=project["timezone"],
        allow_override=project["allow_owner_override"],
        emr_clusters=[EmrCluster(id=c["id"], name=c["name"], state=c["state"])
                      for c in clusters], emr_note=note)
