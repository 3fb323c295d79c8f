"""What creating or changing an instance sends to AWS: its lifecycle config (ours, carrying
notebook-params.json, sparkmagic for EMR and the chosen config's scripts), then the instance
with the server-set network, key, role, no direct internet, no root access and the tags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import InvalidRequest
from ...models.instances import InstanceUpdate
from . import emr, lifecycle

if TYPE_CHECKING:
    from .service import InstanceService


def _params(service: InstanceService, project: dict, row: dict, cluster: dict | None) -> dict:
    cfg = service.config
    return {**cfg.notebook_params, "bucket": cfg.s3_bucket or None,
            "subnets": [cfg.subnet_id] if cfg.subnet_id else [],
            "security_groups": list(cfg.security_group_ids), "kms_key": cfg.kms_key_id or None,
            "project": project["name"], "instance": row["name"], "owner": row["owner"],
            "emr_cluster_id": cluster["id"] if cluster else None}


def _write_config(service: InstanceService, project: dict, row: dict) -> str:
    """Blocking: check the chosen config and cluster, then (re)write our config; its name."""
    aws = service.aws
    on_create, user_start = "", ""
    if row["lifecycle_config"]:
        if row["lifecycle_config"].startswith(lifecycle.OWN_PREFIX):
            raise InvalidRequest("that lifecycle config is another instance's own",
                                 field="lifecycle_config")
        found = aws.lifecycle_config(row["lifecycle_config"])
        if found is None:
            raise InvalidRequest(f"no lifecycle config {row['lifecycle_config']!r}",
                                 reason="not_found", field="lifecycle_config")
        on_create, user_start = found
    cluster = emr.check_cluster(aws, row["emr_cluster_id"], project["name"]) \
        if row["emr_cluster_id"] else None
    spark = lifecycle.sparkmagic_config(cluster["master_dns"], service.config.emr_livy_port) \
        if cluster else None
    on_start = lifecycle.on_start_script(_params(service, project, row, cluster),
                                         service.config.notebook_params_path, spark, user_start)
    lifecycle.check_size(on_start, "on-start")
    lifecycle.check_size(on_create, "on-create")
    name = lifecycle.own_config_name(row["name"])
    aws.put_lifecycle_config(name, on_create, on_start, service.tags(project["name"],
                                                                     row["owner"]))
    return name


def _create(service: InstanceService, project: dict, row: dict) -> tuple[str, str]:
    cfg = service.config
    config_name = _write_config(service, project, row)
    params: dict[str, Any] = {
        "NotebookInstanceName": row["name"], "InstanceType": row["instance_type"],
        "VolumeSizeInGB": row["volume_size_gb"], "RoleArn": cfg.role_arn,
        "LifecycleConfigName": config_name, "DirectInternetAccess": "Disabled",
        "RootAccess": "Disabled", "Tags": service.tags(project["name"], row["owner"])}
    if cfg.subnet_id:
        params["SubnetId"] = cfg.subnet_id
    if cfg.security_group_ids:
        params["SecurityGroupIds"] = list(cfg.security_group_ids)
    if cfg.kms_key_id:
        params["KmsKeyId"] = cfg.kms_key_id
    try:
        arn = service.aws.create(**params)
    except BaseException:
        service.aws.delete_lifecycle_config(config_name)
        raise
    return arn, config_name


async def provision(service: InstanceService, project: dict, row: dict) -> dict:
    arn, config_name = await service._aws(_create, service, project, row)
    await service.store.update(row["name"], arn=arn, own_lifecycle_config=config_name,
                               next_stop_at=service.next_stop(project, row))
    return await service._record(row["name"])


async def reprovision(service: InstanceService, project: dict, row: dict,
                      patch: InstanceUpdate, fields: set[str]) -> dict:
    """Apply a PATCH's settings (the instance is Stopped or Failed: checked by the caller)."""
    changes = {f: getattr(patch, f) for f in fields}
    if changes.get("instance_type") is None:
        changes.pop("instance_type", None)
    if changes.get("volume_size_gb") is None:
        changes.pop("volume_size_gb", None)
    if "instance_type" in changes:
        service.check_instance_type(changes["instance_type"])
    if changes.get("volume_size_gb", row["volume_size_gb"]) < row["volume_size_gb"]:
        raise InvalidRequest(f"SageMaker cannot shrink a volume: it is "
                             f"{row['volume_size_gb']} GB", field="volume_size_gb")
    new = {**row, **changes}
    params: dict[str, Any] = {}
    if new["instance_type"] != row["instance_type"]:
        params["InstanceType"] = new["instance_type"]
    if new["volume_size_gb"] != row["volume_size_gb"]:
        params["VolumeSizeInGB"] = new["volume_size_gb"]
    rewrite = ("lifecycle_config" in changes or "emr_cluster_id" in changes)

    def apply() -> str | None:
        config_name = _write_config(service, project, new) if rewrite else None
        if config_name:
            params["LifecycleConfigName"] = config_name
        if params:
            service.aws.update(row["name"], **params)
        return config_name

    config_name = await service._aws(apply)
    values = {k: new[k] for k in ("instance_type", "volume_size_gb", "lifecycle_config",
                                  "emr_cluster_id")}
    if config_name:
        values["own_lifecycle_config"] = config_name
    if params:
        values["status"] = "Updating"
    await service.store.update(row["name"], **values)
    return await service._record(row["name"])
