"""Where SageMaker settings come from when a request leaves them out.

Order (first found wins, per setting): explicit config, the Studio resource metadata file,
`notebook-params.json` written by an admin (bucket, subnets, KMS key, security groups), then
the domain and user-profile settings read from SageMaker. Every step may be missing: outside
Studio there is no metadata file, and a user without sagemaker:DescribeUserProfile still
gets the rest (the failure is kept as a warning, not raised).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .errors import translate_aws_error

log = logging.getLogger(__name__)

SETTINGS = ("role_arn", "s3_bucket", "subnets", "security_groups", "kms_key", "image_uri",
            "region", "domain_id", "user_profile", "space_name")

# notebook-params.json spellings we accept -> our setting name
_PARAM_ALIASES = {
    "s3_bucket": "s3_bucket", "bucket": "s3_bucket", "S3Bucket": "s3_bucket", "s3Bucket": "s3_bucket",
    "subnets": "subnets", "SubnetIds": "subnets", "subnetIds": "subnets",
    "security_groups": "security_groups", "SecurityGroupIds": "security_groups",
    "securityGroupIds": "security_groups", "SecurityGroups": "security_groups",
    "kms_key": "kms_key", "kms_key_id": "kms_key", "KmsKeyId": "kms_key", "kmsKeyId": "kms_key",
    "role_arn": "role_arn", "ExecutionRole": "role_arn", "RoleArn": "role_arn",
    "image_uri": "image_uri", "ImageUri": "image_uri",
}


@dataclass
class Defaults:
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def offer(self, source: str, found: dict[str, Any]) -> None:
        """Take the settings from `found` that no earlier source set."""
        for key, value in found.items():
            if key in SETTINGS and value not in (None, "", [], {}) and key not in self.values:
                self.values[key] = value
                self.sources[key] = source

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


def _read_json(path: str | Path | None, what: str, warnings: list[str]) -> dict[str, Any]:
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, json.JSONDecodeError) as exc:
        warnings.append(f"ignored {what} {path}: {exc}")
        return {}
    if not isinstance(data, dict):
        warnings.append(f"ignored {what} {path}: not a JSON object")
        return {}
    return data


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value or []]


def read_resource_metadata(path: str | Path | None, warnings: list[str]) -> dict[str, Any]:
    data = _read_json(path, "Studio resource metadata", warnings)
    found: dict[str, Any] = {
        "domain_id": data.get("DomainId"),
        "user_profile": data.get("UserProfileName"),
        "space_name": data.get("SpaceName"),
        "role_arn": data.get("ExecutionRoleArn"),
    }
    arn = str(data.get("ResourceArn") or "")
    parts = arn.split(":")
    if len(parts) > 4 and parts[0] == "arn":
        found["region"] = parts[3]
    return found


def read_notebook_params(path: str | Path | None, warnings: list[str]) -> dict[str, Any]:
    data = _read_json(path, "notebook-params.json", warnings)
    found: dict[str, Any] = {}
    for key, value in data.items():
        name = _PARAM_ALIASES.get(key)
        if name and name not in found:
            found[name] = _as_list(value) if name in ("subnets", "security_groups") else value
    return found


def read_domain_settings(sagemaker: Any, domain_id: str | None, user_profile: str | None,
                         warnings: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(user-profile settings, domain settings); each empty when unreadable."""
    profile: dict[str, Any] = {}
    domain: dict[str, Any] = {}
    if not domain_id:
        return profile, domain
    if user_profile:
        try:
            got = sagemaker.describe_user_profile(DomainId=domain_id, UserProfileName=user_profile)
            settings = got.get("UserSettings") or {}
            profile = {"role_arn": settings.get("ExecutionRole"),
                       "security_groups": settings.get("SecurityGroups")}
        except (ClientError, BotoCoreError) as exc:
            warnings.append(f"could not read user profile {user_profile}: "
                            f"{translate_aws_error(exc, 'sagemaker').message}")
    try:
        got = sagemaker.describe_domain(DomainId=domain_id)
        settings = got.get("DefaultUserSettings") or {}
        domain = {"role_arn": settings.get("ExecutionRole"),
                  "security_groups": settings.get("SecurityGroups"),
                  "subnets": got.get("SubnetIds"), "kms_key": got.get("KmsKeyId")}
    except (ClientError, BotoCoreError) as exc:
        warnings.append(f"could not read domain {domain_id}: {translate_aws_error(exc, 'sagemaker').message}")
    return profile, domain


def discover_defaults(explicit: dict[str, Any], metadata_path: str | Path | None,
                      params_path: str | Path | None, sagemaker: Any = None) -> Defaults:
    """Blocking (files, and AWS when `sagemaker` is given): call it off the event loop."""
    found = Defaults()
    found.offer("config", explicit)
    found.offer("resource-metadata", read_resource_metadata(metadata_path, found.warnings))
    found.offer("notebook-params", read_notebook_params(params_path, found.warnings))
    if sagemaker is not None:
        profile, domain = read_domain_settings(
            sagemaker, found.get("domain_id"), found.get("user_profile"), found.warnings)
        found.offer("user-profile", profile)
        found.offer("domain", domain)
    for warning in found.warnings:
        log.info("nbjobs sagemaker defaults: %s", warning)
    return found
