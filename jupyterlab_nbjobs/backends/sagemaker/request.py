"""What one SageMaker run is made of: its name, staged inputs, and the CreateTrainingJob request.

Staged layout, `{s3_input}/{job_id}/input/` (the training job's input channel):
    <the files of JOB_DIR/work/>    at the channel root, so the headless execution driver
                                    finds SM_INPUT_NOTEBOOK_NAME where it looks
    .nbjobs/job.json                the RunnerSpec, parameters with their JSON types
    .nbjobs/bootstrap.sh, .py       SM_INIT_SCRIPT for the driver (typed parameters, written
                                    files): see bootstrap.py
    .nbjobs/init.sh                 the user's init script, when one was given
Outputs come back as `{s3_output}/{training_job_name}/output/output.tar.gz` (SageMaker tars
/opt/ml/output/data); our runner adds `.nbjobs/result.json` to it, the driver writes
`nbjobs-output.ipynb` and `sagemaker_job_execution.log` (driver_outputs.py reads those).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...aws.s3 import S3Uri, iter_files, upload_file
from ...errors import InvalidRequest
from ...runner.contract import SPEC_FILE, WORK_DIR, RunnerSpec, read_json

META_DIR = ".nbjobs"
INIT_SCRIPT = f"{META_DIR}/init.sh"
BOOTSTRAP = f"{META_DIR}/bootstrap.sh"
BOOTSTRAP_FILES = ("bootstrap.sh", "bootstrap.py")  # next to this module, staged as is
# The driver names its output after SM_OUTPUT_NOTEBOOK_NAME with every "." and ":" made "-",
# and its nbconvert step breaks on spaces: a fixed, plain name that no input can clash with.
DRIVER_OUTPUT = "nbjobs-output.ipynb"
RESULT_IN_TAR = f"{META_DIR}/result.json"
CONTAINER_ROOT = "/opt/ml"
ENTRY_SCRIPT = "nbjobs-sagemaker-run"
HEADLESS_DRIVER = "amazon_sagemaker_scheduler"
# Our runner when the image has it, else the headless driver that SageMaker Distribution ships.
DEFAULT_ENTRYPOINT = [
    "/bin/sh", "-c",
    f"if command -v {ENTRY_SCRIPT} >/dev/null 2>&1; then exec {ENTRY_SCRIPT}; "
    f"else exec {HEADLESS_DRIVER}; fi",
]
MAX_HYPERPARAMETERS = 100
MAX_HYPERPARAMETER_VALUE = 2500
MAX_HYPERPARAMETER_KEY = 256
MAX_ENV_ENTRIES = 100  # CreateTrainingJob's Environment: entries, key and value lengths
MAX_ENV_TEXT = 512
RESERVED_ENV_PREFIXES = ("SM_", "NBJOBS_", "AWS_")  # the driver's, ours, the SDK's
DEFAULT_RETRY_ATTEMPTS = 1  # SageMaker retries its own internal errors once, as Studio does
RUNTIME_SLACK = 600  # seconds past the runner's own timeout, to save outputs


@dataclass
class RunSettings:
    """Config, discovered defaults and the job's backend_options, merged for one run."""

    image: str
    instance_type: str
    role_arn: str
    s3_input: S3Uri
    s3_output: S3Uri
    channel: str
    entrypoint: list[str]
    volume_size_gb: int = 30
    volume_kms_key: str = ""
    output_kms_key: str = ""
    subnets: list[str] = field(default_factory=list)
    security_groups: list[str] = field(default_factory=list)
    network_isolation: bool = False
    max_runtime_seconds: int | None = None
    max_retries: int = DEFAULT_RETRY_ATTEMPTS
    env: dict[str, str] = field(default_factory=dict)
    init_script: str = ""


_NAME_BAD = re.compile(r"[^A-Za-z0-9]+")


def training_job_name(job_id: str, attempt: int, prefix: str = "nbjobs") -> str:
    """A SageMaker name (<= 63 of [A-Za-z0-9-], starts alphanumeric), unique per attempt."""
    clean = _NAME_BAD.sub("-", str(job_id)).strip("-") or "job"
    tail = f"-a{int(attempt)}"
    name = f"{prefix}-{clean}{tail}"
    if len(name) > 63:
        digest = hashlib.sha1(str(job_id).encode()).hexdigest()[:8]
        room = 63 - len(prefix) - len(tail) - len(digest) - 2
        name = f"{prefix}-{clean[:room].rstrip('-')}-{digest}{tail}"
    return name


def hyperparameter_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _limit(message: str, field: str) -> InvalidRequest:
    return InvalidRequest(message, reason="sagemaker_limit", field=field)


def hyperparameters(parameters: dict[str, Any]) -> dict[str, str]:
    """Every parameter as the string SageMaker insists on (the typed copy is in job.json)."""
    if len(parameters) > MAX_HYPERPARAMETERS:
        raise _limit(f"SageMaker takes at most {MAX_HYPERPARAMETERS} parameters, got "
                     f"{len(parameters)}", "parameters")
    out = {}
    for name, value in parameters.items():
        if len(name) > MAX_HYPERPARAMETER_KEY:
            raise _limit(f"parameter name {name[:40]!r}... is longer than SageMaker's "
                         f"{MAX_HYPERPARAMETER_KEY} characters", "parameters")
        text = hyperparameter_value(value)
        if len(text) > MAX_HYPERPARAMETER_VALUE:
            raise _limit(f"parameter {name!r} is {len(text)} characters as text; SageMaker "
                         f"takes at most {MAX_HYPERPARAMETER_VALUE}", f"parameters.{name}")
        out[name] = text
    return out


def check_user_env(env: dict[str, str], field: str) -> None:
    """Variables a user sets (the job's env, backend_options.env) may not replace ours."""
    for key, value in env.items():
        if key.startswith(RESERVED_ENV_PREFIXES):
            raise _limit(f"{key!r}: names starting with {', '.join(RESERVED_ENV_PREFIXES)} are "
                         "set by SageMaker, the notebook-job driver or nbjobs", f"{field}.{key}")
        if len(key) > MAX_ENV_TEXT or len(str(value)) > MAX_ENV_TEXT:
            raise _limit(f"{key[:40]!r}: SageMaker takes names and values of at most "
                         f"{MAX_ENV_TEXT} characters", f"{field}.{key[:64]}")


def check_environment(env: dict[str, str]) -> None:
    """The whole Environment of CreateTrainingJob, ours included."""
    if len(env) > MAX_ENV_ENTRIES:
        raise _limit(f"the training job would have {len(env)} environment variables "
                     f"({len(env) - MAX_ENV_ENTRIES} too many: SageMaker takes "
                     f"{MAX_ENV_ENTRIES}, nbjobs and the driver use some)", "env")
    for key, value in env.items():
        if len(key) > MAX_ENV_TEXT or len(value) > MAX_ENV_TEXT:
            raise _limit(f"environment variable {key[:40]!r} is longer than SageMaker's "
                         f"{MAX_ENV_TEXT} characters", f"env.{key[:64]}")


def input_path(channel: str) -> str:
    return f"{CONTAINER_ROOT}/input/data/{channel}"


def container_env(spec: RunnerSpec, settings: RunSettings, staged: int,
                  region: str | None = None) -> dict[str, str]:
    """The headless execution driver's SM_* contract, ours (NBJOBS_*), then the user's
    (which may not replace either: check_user_env)."""
    formats = [f for f in spec.get("output_formats") or ["ipynb"] if f != "ipynb"]
    env = {
        "SM_JOB_DEF_VERSION": "1.0",
        "SM_KERNEL_NAME": spec.get("kernel_name") or "python3",
        "SM_INPUT_NOTEBOOK_NAME": spec["notebook"],
        "SM_OUTPUT_NOTEBOOK_NAME": DRIVER_OUTPUT,
        "SM_OUTPUT_FORMATS": ",".join(formats),
        "SM_EXECUTION_INPUT_PATH": input_path(settings.channel),
        "SM_PACKAGE_INPUT_FOLDER": "true" if staged > 1 else "false",
        "SM_SKIP_EFS_SIMULATION": "true",
        "SM_INIT_SCRIPT": BOOTSTRAP,
        "NBJOBS_JOB_ID": str(spec.get("job_id", "")),
        "NBJOBS_ATTEMPT": str(spec.get("attempt", 1)),
    }
    if region:  # boto3 in the notebook finds its region as in Studio
        env["AWS_DEFAULT_REGION"] = region
    if settings.init_script:
        env["NBJOBS_INIT_SCRIPT"] = INIT_SCRIPT
    user = {**(spec.get("env") or {}), **settings.env}
    env.update({k: str(v) for k, v in user.items() if k not in env})
    return env


def max_runtime(spec: RunnerSpec, settings: RunSettings, configured: int) -> int:
    if settings.max_runtime_seconds:
        return int(settings.max_runtime_seconds)
    timeout = spec.get("timeout_seconds")
    if timeout:
        return min(int(math.ceil(float(timeout))) + RUNTIME_SLACK, 28 * 24 * 3600)
    return configured


def training_job_request(name: str | None, spec: RunnerSpec, settings: RunSettings,
                         input_uri: S3Uri, output_uri: S3Uri, tags: list[dict[str, str]],
                         runtime: int, staged: int, region: str | None = None) -> dict[str, Any]:
    """CreateTrainingJob parameters (without TrainingJobName when `name` is None: pipelines)."""
    request: dict[str, Any] = {
        "RoleArn": settings.role_arn,
        "AlgorithmSpecification": {
            "TrainingImage": settings.image,
            "TrainingInputMode": "File",
            "ContainerEntrypoint": list(settings.entrypoint or DEFAULT_ENTRYPOINT),
        },
        "InputDataConfig": [{
            "ChannelName": settings.channel,
            "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": f"{input_uri}/",
                "S3DataDistributionType": "FullyReplicated"}},
        }],
        "OutputDataConfig": {"S3OutputPath": str(output_uri)},
        "ResourceConfig": {"InstanceType": settings.instance_type, "InstanceCount": 1,
                           "VolumeSizeInGB": int(settings.volume_size_gb)},
        "StoppingCondition": {"MaxRuntimeInSeconds": int(runtime)},
        "HyperParameters": hyperparameters(spec.get("parameters") or {}),
        "Environment": container_env(spec, settings, staged, region),
        "EnableNetworkIsolation": bool(settings.network_isolation),
        "Tags": tags,
    }
    if name is not None:
        request = {"TrainingJobName": name, **request}
    if settings.output_kms_key:
        request["OutputDataConfig"]["KmsKeyId"] = settings.output_kms_key
    if settings.volume_kms_key:
        request["ResourceConfig"]["VolumeKmsKeyId"] = settings.volume_kms_key
    if settings.subnets and settings.security_groups:
        request["VpcConfig"] = {"Subnets": list(settings.subnets),
                                "SecurityGroupIds": list(settings.security_groups)}
    # SageMaker's own retries of internal errors (not of a failing notebook: that is the
    # job's max_retries, done by the job service).
    if settings.max_retries:
        request["RetryStrategy"] = {"MaximumRetryAttempts": int(settings.max_retries)}
    return request


def stage_inputs(s3: Any, job_dir: Path, spec: RunnerSpec, settings: RunSettings,
                 input_uri: S3Uri, tagging: str, uploaded: list[str]) -> int:
    """Upload work/, job.json and the init script; append each key to `uploaded` as it goes
    (so a failure half-way can be cleaned up). Returns how many work files were staged."""
    count = 0
    work = Path(job_dir) / WORK_DIR
    for path, rel in iter_files(work):
        if rel == META_DIR or rel.startswith(META_DIR + "/"):
            continue  # our own folder in the channel: a user file there would shadow it
        key = input_uri.key(rel)
        upload_file(s3, path, input_uri.bucket, key, tagging, settings.volume_kms_key or None)
        uploaded.append(key)
        count += 1
    if not count:
        raise InvalidRequest(f"nothing to stage: {work} is empty", reason="empty_snapshot")
    staged_spec = dict(read_json(Path(job_dir) / SPEC_FILE) or spec)
    extras = {SPEC_FILE: json.dumps(staged_spec).encode()}
    for name in BOOTSTRAP_FILES:
        extras[name] = (Path(__file__).parent / name).read_bytes()
    if settings.init_script:
        extras["init.sh"] = settings.init_script.encode()
    for name, body in extras.items():
        key = input_uri.key(META_DIR, name)
        put = {"Tagging": tagging}
        if settings.volume_kms_key:
            put.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=settings.volume_kms_key)
        s3.put_object(Bucket=input_uri.bucket, Key=key, Body=body, **put)
        uploaded.append(key)
    return count
