"""Turn botocore exceptions into NbJobsError subclasses with a message a person can act on.

Never leak a traceback: every AWS failure ends up as {"message", "reason"} with a 4xx when
the fix is on the caller's side (credentials, permissions, settings) and 502 otherwise.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from ..errors import BackendUnavailable, Forbidden, InvalidRequest, NbJobsError, NotFound

_ACTION_RE = re.compile(r"perform:\s*([A-Za-z0-9-]+:[A-Za-z0-9*]+)")
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException",
           "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException", "SignatureDoesNotMatch"}
_THROTTLED = {"Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
              "TooManyRequestsException", "SlowDown", "ProvisionedThroughputExceededException"}
_NOT_FOUND = {"ResourceNotFound", "ResourceNotFoundException", "NoSuchKey", "NoSuchEntity", "404"}
_REGION_CODES = {"PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException", "301"}


class AwsCredentialsError(Forbidden):
    reason = "aws_no_credentials"


class AwsAccessDenied(Forbidden):
    reason = "aws_access_denied"

    def __init__(self, message: str, action: str | None = None, **kw):
        super().__init__(message, **kw)
        self.action = action


class AwsThrottled(NbJobsError):
    status_code = 429
    reason = "aws_throttled"


class AwsInvalidRequest(InvalidRequest):
    reason = "aws_invalid_request"


class AwsNotFound(NotFound):
    reason = "aws_not_found"


class AwsUnavailable(BackendUnavailable):
    reason = "aws_error"



def translate_aws_error(exc: BaseException, service: str | None = None,
                        bucket: str | None = None, region: str | None = None) -> NbJobsError:
    """Map one exception to an NbJobsError; NbJobsError passes through unchanged."""
    if isinstance(exc, NbJobsError):
        return exc
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return AwsCredentialsError(
            "no AWS credentials found: configure a profile, environment variables or an "
            "instance role for the Jupyter server")
    if isinstance(exc, NoRegionError):
        return AwsInvalidRequest("no AWS region configured: set SageMakerConfig.region or AWS_REGION",
                                 reason="aws_no_region")
    if isinstance(exc, (EndpointConnectionError, BotoConnectionError)):
        return AwsUnavailable(f"cannot reach AWS: {exc}", reason="aws_unreachable")
    if isinstance(exc, ClientError):
        return _from_client_error(exc, service, bucket, region)
    if isinstance(exc, BotoCoreError):
        return AwsUnavailable(f"AWS client error: {exc}")
    return AwsUnavailable(f"unexpected error talking to AWS: {type(exc).__name__}: {exc}")


def _from_client_error(exc: ClientError, service: str | None, bucket: str | None,
                       region: str | None) -> NbJobsError:
    err = exc.response.get("Error", {}) or {}
    code = str(err.get("Code") or "")
    msg = str(err.get("Message") or "")
    op = getattr(exc, "operation_name", "") or "?"
    action = f"{service}:{op}" if service else op
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")

    if code in _DENIED or status == 403 and code in ("", "403"):
        named = _ACTION_RE.search(msg)
        missing = named.group(1) if named else action
        return AwsAccessDenied(
            f"access denied: the Jupyter server's AWS identity may not perform {missing}"
            + (f" ({msg})" if msg else "") + "; ask an admin to allow it in the execution role's policy",
            action=missing)
    if code in _THROTTLED:
        return AwsThrottled(f"AWS is throttling {action}; try again in a little while")
    if code in _REGION_CODES or code == "NoSuchBucket" and status == 301:
        headers = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
        where = err.get("Region") or headers.get("x-amz-bucket-region") or "another region"
        return AwsInvalidRequest(
            f"bucket {bucket or err.get('BucketName') or ''} is in {where}, but the backend uses "
            f"region {region or '?'}; use a bucket in the same region", reason="aws_bucket_region",
            field="s3_input")
    if code == "NoSuchBucket" or (op == "HeadBucket" and code == "404"):
        return AwsInvalidRequest(f"bucket {bucket or err.get('BucketName') or ''} does not exist",
                                 reason="aws_no_such_bucket", field="s3_input")
    if code == "ValidationException" and re.search(r"instance ?type", msg, re.I):
        return AwsInvalidRequest(f"SageMaker refused the instance type: {msg}",
                                 reason="aws_invalid_instance_type", field="instance_type")
    if code in _NOT_FOUND or re.search(r"could not find|does not exist|not found", msg, re.I):
        return AwsNotFound(f"{action}: {msg or code}")
    if code == "ResourceLimitExceeded":
        return AwsInvalidRequest(f"AWS quota reached for {action}: {msg}", reason="aws_quota")
    if code in ("ValidationException", "ValidationError", "InvalidParameterValue",
                "InvalidRequest", "InvalidArgument", "ConflictException", "ResourceInUse"):
        return AwsInvalidRequest(f"AWS rejected {action}: {msg or code}")
    return AwsUnavailable(f"AWS error in {action}: {code} {msg}".strip())


@contextlib.contextmanager
def aws_errors(service: str | None = None, bucket: str | None = None,
               region: str | None = None) -> Iterator[None]:
    """`with aws_errors("sagemaker"): client.x()` re-raises as an NbJobsError."""
    try:
        yield
    except NbJobsError:
        raise
    except (BotoCoreError, ClientError) as exc:
        raise translate_aws_error(exc, service, bucket, region) from exc
