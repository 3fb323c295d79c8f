"""AWS plumbing shared by the SageMaker backend: clients, tags, defaults, error translation.

The only place (with backends/sagemaker*) that imports boto3.
"""

from .clients import AwsClients, AwsSettings
from .errors import (
    AwsAccessDenied,
    AwsCredentialsError,
    AwsInvalidRequest,
    AwsNotFound,
    AwsThrottled,
    AwsUnavailable,
    translate_aws_error,
)
from .tags import MissingTags, TagPolicy

__all__ = [
    "AwsAccessDenied",
    "AwsClients",
    "AwsCredentialsError",
    "AwsInvalidRequest",
    "AwsNotFound",
    "AwsSettings",
    "AwsThrottled",
    "AwsUnavailable",
    "MissingTags",
    "TagPolicy",
    "translate_aws_error",
]
