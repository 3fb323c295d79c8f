"""backend_options of a SageMaker job: the form fields, their defaults, and their checks."""

from __future__ import annotations

import re
from typing import Any

from ...aws.s3 import S3Uri
from ...errors import InvalidRequest

MAX_ENV = 28  # user variables: the rest of SageMaker's 48 are ours (SM_*, NBJOBS_*)
MAX_RUNTIME = 28 * 24 * 3600
MAX_INIT_SCRIPT = 64 * 1024

_ROLE_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_INSTANCE_RE = re.compile(r"^ml\.[a-z0-9]+\.[a-z0-9]+$")
_SUBNET_RE = re.compile(r"^subnet-[0-9a-z]{1,32}$")
_SG_RE = re.compile(r"^sg-[0-9a-z]{1,32}$")
_KMS_RE = re.compile(r"^[\w:/+=,.@-]{1,2048}$")
_IMAGE_RE = re.compile(r"^[\w./:@-]{1,255}$")
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,511}$")

OPTION_NAMES = ("image", "instance_type", "role", "s3_input", "s3_output", "volume_kms_key",
                "output_kms_key", "subnets", "security_groups", "network_isolation",
                "max_runtime_seconds", "max_retries", "env", "init_script")


def _bad(name: str, message: str) -> InvalidRequest:
    return InvalidRequest(f"backend_options.{name}: {message}", reason="invalid_backend_options",
                          field=f"backend_options.{name}")


def _str(name: str, value: Any, pattern: re.Pattern, what: str) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise _bad(name, f"{value!r} is not {what}")
    return value


def _str_list(name: str, value: Any, pattern: re.Pattern, what: str, most: int) -> list[str]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or len(value) > most:
        raise _bad(name, f"expected a list of at most {most} {what}s")
    return [_str(name, v, pattern, f"a {what}") for v in value]


def _int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _bad(name, f"expected a whole number from {low} to {high}")
    try:
        number = int(value)
    except ValueError:
        raise _bad(name, f"expected a whole number from {low} to {high}, got {value!r}") from None
    if number != float(value) or not low <= number <= high:
        raise _bad(name, f"expected a whole number from {low} to {high}, got {value!r}")
    return number


def validate_options(options: dict[str, Any]) -> dict[str, Any]:
    """Return a clean copy of `options`, or raise InvalidRequest naming the field."""
    if not isinstance(options, dict):
        raise InvalidRequest("backend_options must be an object", field="backend_options")
    unknown = sorted(set(options) - set(OPTION_NAMES))
    if unknown:
        raise InvalidRequest(
            f"unknown SageMaker option(s) {unknown}; known: {', '.join(OPTION_NAMES)}",
            reason="invalid_backend_options", field=f"backend_options.{unknown[0]}")
    out: dict[str, Any] = {}
    for name, value in options.items():
        if value is None or value == "":
            continue  # unset: the configured default applies
        if name == "image":
            out[name] = _str(name, value, _IMAGE_RE, "a container image URI")
        elif name == "instance_type":
            out[name] = _str(name, value, _INSTANCE_RE, "an instance type like ml.m5.large")
        elif name == "role":
            out[name] = _str(name, value, _ROLE_RE, "an IAM role ARN")
        elif name in ("s3_input", "s3_output"):
            out[name] = str(S3Uri.parse(value, field=f"backend_options.{name}"))
        elif name in ("volume_kms_key", "output_kms_key"):
            out[name] = _str(name, value, _KMS_RE, "a KMS key id, alias or ARN")
        elif name == "subnets":
            out[name] = _str_list(name, value, _SUBNET_RE, "subnet id", 16)
        elif name == "security_groups":
            out[name] = _str_list(name, value, _SG_RE, "security group id", 5)
        elif name == "network_isolation":
            if not isinstance(value, bool):
                raise _bad(name, "expected true or false")
            out[name] = value
        elif name == "max_runtime_seconds":
            out[name] = _int(name, value, 1, MAX_RUNTIME)
        elif name == "max_retries":
            out[name] = _int(name, value, 0, 30)
        elif name == "env":
            out[name] = _env(value)
        elif name == "init_script":
            if not isinstance(value, str) or len(value.encode()) > MAX_INIT_SCRIPT or "\0" in value:
                raise _bad(name, f"expected the text of a shell script (at most {MAX_INIT_SCRIPT} bytes)")
            out[name] = value
    if ("subnets" in out) != ("security_groups" in out) and (out.get("subnets") or out.get("security_groups")):
        missing = "security_groups" if "subnets" in out else "subnets"
        raise _bad(missing, "subnets and security_groups go together (a VPC needs both)")
    return out


def _env(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _bad("env", "expected an object of NAME: value")
    if len(value) > MAX_ENV:
        raise _bad("env", f"at most {MAX_ENV} variables")
    out = {}
    for key, item in value.items():
        if not isinstance(key, str) or not _ENV_NAME_RE.match(key):
            raise _bad("env", f"{key!r} is not a valid variable name")
        if key.startswith(("SM_", "NBJOBS_", "AWS_")):
            raise _bad("env", f"{key!r}: SM_*, NBJOBS_* and AWS_* are reserved")
        if not isinstance(item, (str, int, float, bool)) or len(str(item)) > 512:
            raise _bad("env", f"{key}: values are strings of at most 512 characters")
        out[key] = str(item)
    return out


def form_fields(defaults: dict[str, Any], instance_types: list[str]) -> dict[str, Any]:
    """What the environments endpoint shows for this backend: fields with their defaults."""
    def field(name, label, kind, help="", **extra):
        return {"name": name, "label": label, "type": kind, "default": defaults.get(name),
                "help": help, **extra}

    return {
        "fields": [
            field("image", "Image", "string", "Container image URI", required=not defaults.get("image")),
            field("instance_type", "Instance type", "choice", "Any SageMaker training instance type",
                  choices=instance_types),
            field("role", "Execution role", "string", "IAM role ARN", required=not defaults.get("role")),
            field("s3_input", "S3 input", "string", "s3://bucket/prefix"),
            field("s3_output", "S3 output", "string", "s3://bucket/prefix"),
            field("volume_kms_key", "Input/volume KMS key", "string"),
            field("output_kms_key", "Output KMS key", "string"),
            field("subnets", "Subnets", "list"),
            field("security_groups", "Security groups", "list"),
            field("network_isolation", "Network isolation", "boolean"),
            field("max_runtime_seconds", "Max runtime (seconds)", "integer", min=1, max=MAX_RUNTIME),
            field("max_retries", "Max retries", "integer", "Retries of SageMaker internal errors", min=0, max=30),
            field("env", "Environment variables", "mapping", max=MAX_ENV),
            field("init_script", "Init script", "text", "Sourced before the kernel starts"),
        ],
        "kernel_note": "the kernel must exist in the image; the job's kernel_name picks it",
    }
