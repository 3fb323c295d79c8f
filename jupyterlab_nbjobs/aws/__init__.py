"""AWS plumbing shared by the SageMaker backend and the notebook instances: clients, tags,
defaults, error translation.

The only place (with backends/sagemaker and the instances service) that imports boto3. Its
names load on first use: importing aws.tags (or this package) must not import boto3, which a
server that never talks to AWS would carry for nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "AwsClients": "clients", "AwsSettings": "clients",
    "AwsAccessDenied": "errors", "AwsCredentialsError": "errors", "AwsInvalidRequest": "errors",
    "AwsNotFound": "errors", "AwsThrottled": "errors", "AwsUnavailable": "errors",
    "translate_aws_error": "errors",
    "MissingTags": "tags", "TagPolicy": "tags",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
