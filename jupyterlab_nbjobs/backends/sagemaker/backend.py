"""SageMakerBackend: each attempt of a job is one SageMaker training job.

start() stages JOB_DIR to S3 and creates the training job; its TrainingJobWatcher (watch.py)
polls every tracked training job and, when one ends, brings its outputs home and reports
on_finished.
Built by the composition root as `SageMakerBackend(events, parent=app)`, which reads
`c.SageMakerConfig.*`.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
from pathlib import Path
from typing import Any

from ...aws.clients import AwsClients, AwsSettings
from ...aws.defaults import Defaults, discover_defaults
from ...aws.errors import aws_errors
from ...aws.s3 import S3Uri, check_bucket_region, delete_keys
from ...aws.tags import ATTEMPT_TAG, JOB_ID_TAG, TagPolicy
from ...errors import InvalidRequest, NbJobsError
from ...runner.contract import SPEC_FILE, read_json
from ..base import ActiveRun, Backend, BackendEvents, RunRequest, ScheduleTrigger
from .config import SageMakerConfig
from .options import form_fields, validate_options
from .request import (
    DEFAULT_RETRY_ATTEMPTS,
    RunSettings,
    check_environment,
    check_user_env,
    container_env,
    hyperparameters,
    max_runtime,
    stage_inputs,
    training_job_name,
    training_job_request,
)
from .status import describe_one, stop_training_job
from .studio import studio_tags
from .watch import TrainingJobWatcher

# S3 allows 10 tags on an object; staged inputs carry project, system, user, job id, attempt.
MAX_EXTRA_TAGS = 5

log = logging.getLogger(__name__)


class SageMakerBackend(Backend):
    name = "sagemaker"
    label = "Amazon SageMaker"

    def __init__(self, events: BackendEvents, settings: SageMakerConfig | None = None,
                 clients: AwsClients | None = None, **kwargs: Any):
        super().__init__(events, **kwargs)
        # Its knobs stay on their own class (c.SageMakerConfig.*) so that older configs work.
        self.settings = settings or SageMakerConfig(parent=self)
        c = self.settings
        self.clients = clients or AwsClients(AwsSettings(
            region=c.region or None, profile=c.profile or None,
            endpoint_url=c.endpoint_url or None, max_attempts=c.max_attempts))
        self._defaults: Defaults | None = None
        self._refreshed = False
        self._checked_buckets: set[str] = set()
        self.watcher = TrainingJobWatcher(self.clients, self.settings, events)
        self._trigger: ScheduleTrigger | None = None

    # -- settings ---------------------------------------------------------------------------
    def _explicit(self) -> dict[str, Any]:
        c = self.settings
        bucket = S3Uri.parse(c.s3_input).bucket if c.s3_input else None
        return {"role_arn": c.role_arn, "s3_bucket": bucket, "subnets": list(c.subnets),
                "security_groups": list(c.security_groups), "kms_key": c.volume_kms_key,
                "image_uri": c.image_uri, "region": c.region}

    def _discover(self, with_aws: bool) -> Defaults:
        sagemaker = self.clients.client("sagemaker") if with_aws else None
        return discover_defaults(self._explicit(), self.settings.resource_metadata_path,
                                 self.settings.notebook_params_path, sagemaker)

    def defaults(self) -> Defaults:
        """Known defaults; files only until refresh_defaults() has read the domain too."""
        if self._defaults is None:
            self._defaults = self._discover(with_aws=False)
        return self._defaults

    async def refresh_defaults(self) -> Defaults:
        """Read files and (when enabled) the Studio domain/user profile, off the event loop."""
        self._defaults = await asyncio.to_thread(self._discover, self.settings.read_domain_settings)
        self._refreshed = True
        return self._defaults

    def tag_policy(self) -> TagPolicy:
        c = self.settings
        user = c.tag_user or self.defaults().get("user_profile") or _os_user()
        return TagPolicy(project=c.tag_project, system=c.tag_system, user=user,
                         extra=dict(c.extra_tags))

    def _check_extra_tags(self) -> None:
        extra = dict(self.settings.extra_tags)
        problem = None
        if len(extra) > MAX_EXTRA_TAGS:
            problem = (f"{len(extra)} extra_tags: S3 takes 10 tags per object and nbjobs puts "
                       f"5 on each staged file, so at most {MAX_EXTRA_TAGS}")
        for key, value in extra.items():
            if not 1 <= len(key) <= 128 or len(str(value)) > 256 or key.startswith("aws:"):
                problem = f"extra tag {key[:40]!r}: keys 1-128 characters, not aws:*, values at most 256"
        if problem:
            raise InvalidRequest(f"SageMakerConfig.extra_tags: {problem}",
                                 reason="sagemaker_not_configured", field="SageMakerConfig.extra_tags")

    def check_job(self, settings: Any, options: dict[str, Any]) -> None:
        """CreateTrainingJob's limits on the whole job, checked when it is created (a job
        that cannot start is a 400 naming the field, not a failure later)."""
        run = self.resolve(options)
        params = dict(getattr(settings, "parameters", None) or {})
        env = {k: str(v) for k, v in (getattr(settings, "env", None) or {}).items()}
        hyperparameters(params)
        check_user_env(env, "env")
        notebook = Path(str(getattr(settings, "input_path", "") or "x.ipynb")).name
        widest = {"job_id": "f" * 32, "attempt": 99, "notebook": notebook, "env": env,
                  "kernel_name": getattr(settings, "kernel_name", None) or "python3",
                  "output_formats": list(getattr(settings, "output_formats", None) or ["ipynb"])}
        check_environment(container_env(widest, run, 2, self.clients.region))

    def _tags(self, run: RunRequest, policy: TagPolicy, **ours: str) -> list[dict[str, str]]:
        notebook = str(run.spec.get("notebook") or "")
        studio = studio_tags(Path(notebook).stem, notebook, self.defaults().get("user_profile"))
        return policy.as_list(**studio, **ours)

    def form_defaults(self) -> dict[str, Any]:
        d, c = self.defaults(), self.settings
        s3_in, s3_out = self._s3_defaults(d)
        return {"image": d.get("image_uri"), "instance_type": c.instance_type,
                "role": d.get("role_arn"), "s3_input": s3_in and str(s3_in),
                "s3_output": s3_out and str(s3_out), "volume_kms_key": d.get("kms_key"),
                "output_kms_key": c.output_kms_key or d.get("kms_key"),
                "subnets": d.get("subnets") or [], "security_groups": d.get("security_groups") or [],
                "network_isolation": c.network_isolation, "max_runtime_seconds": c.max_runtime_seconds,
                "max_retries": DEFAULT_RETRY_ATTEMPTS, "env": {}, "init_script": ""}

    def _s3_defaults(self, d: Defaults) -> tuple[S3Uri | None, S3Uri | None]:
        c = self.settings
        s3_in = S3Uri.parse(c.s3_input) if c.s3_input else (
            S3Uri(d.get("s3_bucket"), "nbjobs") if d.get("s3_bucket") else None)
        s3_out = S3Uri.parse(c.s3_output) if c.s3_output else (
            S3Uri(s3_in.bucket, "nbjobs-output") if s3_in else None)
        return s3_in, s3_out

    def resolve(self, options: dict[str, Any]) -> RunSettings:
        """Merge config, discovered defaults and the job's options; name what is missing."""
        f = {**self.form_defaults(), **{k: v for k, v in options.items() if v not in (None, "")}}
        missing = [k for k in ("image", "role", "s3_input") if not f.get(k)]
        if missing:
            raise InvalidRequest(
                f"SageMaker job lacks {', '.join(missing)}: give them in backend_options or set "
                "SageMakerConfig.image_uri / role_arn / s3_input", reason="sagemaker_not_configured",
                field=f"backend_options.{missing[0]}")
        return RunSettings(
            image=f["image"], instance_type=f["instance_type"], role_arn=f["role"],
            s3_input=S3Uri.parse(f["s3_input"]), s3_output=S3Uri.parse(f["s3_output"]),
            channel=self.settings.input_channel, entrypoint=list(self.settings.container_entrypoint),
            volume_size_gb=self.settings.volume_size_gb, volume_kms_key=f.get("volume_kms_key") or "",
            output_kms_key=f.get("output_kms_key") or "", subnets=list(f.get("subnets") or []),
            security_groups=list(f.get("security_groups") or []),
            network_isolation=bool(f.get("network_isolation")),
            max_runtime_seconds=options.get("max_runtime_seconds"),
            max_retries=int(f.get("max_retries") or 0), env=dict(f.get("env") or {}),
            init_script=f.get("init_script") or "")

    def validate_options(self, options: dict[str, Any]) -> dict[str, Any]:
        clean = validate_options(options)
        self.resolve(clean)  # a job that cannot start is a 400 now, not a failure later
        self._check_extra_tags()
        return clean

    def form_options(self) -> dict[str, Any]:
        try:
            defaults = self.form_defaults()
        except InvalidRequest as exc:  # a bad s3_* setting must not break the environments list
            log.warning("nbjobs: SageMaker config: %s", exc.message)
            defaults = {"instance_type": self.settings.instance_type}
        return form_fields(defaults, list(self.settings.instance_types))

    def schedule_trigger(self) -> ScheduleTrigger:
        """Schedules of this backend are SageMaker pipelines fired by EventBridge Scheduler."""
        if self._trigger is None:
            from .schedules import SageMakerScheduleTrigger

            self._trigger = SageMakerScheduleTrigger(
                self.clients, self.settings, self.resolve, self.tag_policy,
                user_profile=lambda: self.defaults().get("user_profile"))
        return self._trigger

    # -- runs -------------------------------------------------------------------------------
    async def start(self, run: RunRequest) -> None:
        if not self._refreshed:  # once: the domain/user-profile defaults need AWS calls
            await self.refresh_defaults()
        settings = self.resolve(run.options)
        name = training_job_name(run.job_id, run.attempt)
        handle = await asyncio.to_thread(self._launch, run, settings, name)
        self.watcher.track(run.job_id, run.attempt, Path(run.job_dir), name, settings.s3_output,
                           dict(run.spec))
        await self.events.on_started(run.job_id, run.attempt, handle)
        self.watcher.kick()

    def _launch(self, run: RunRequest, settings: RunSettings, name: str) -> dict[str, Any]:
        s3, sagemaker = self.clients.client("s3"), self.clients.client("sagemaker")
        ours = {JOB_ID_TAG: run.job_id, ATTEMPT_TAG: str(run.attempt)}
        policy = self.tag_policy()
        input_uri = settings.s3_input.child(run.job_id, "input")
        region = self.clients.region
        uploaded: list[str] = []
        self._check_buckets(s3, settings, region)
        try:
            with aws_errors("s3", bucket=input_uri.bucket, region=region):
                staged = stage_inputs(s3, Path(run.job_dir), run.spec, settings, input_uri,
                                      policy.as_query(**ours), uploaded)
            request = training_job_request(
                name, run.spec, settings, input_uri, settings.s3_output, self._tags(run, policy, **ours),
                max_runtime(run.spec, settings, self.settings.max_runtime_seconds), staged, region)
            with aws_errors("sagemaker", region=region):
                created = sagemaker.create_training_job(**request)
        except BaseException:
            self._remove_staged(s3, input_uri.bucket, uploaded)
            raise
        return {"training_job_name": name, "training_job_arn": created.get("TrainingJobArn"),
                "region": region, "s3_input": str(input_uri), "s3_output": str(settings.s3_output)}

    def _check_buckets(self, s3: Any, settings: RunSettings, region: str | None) -> None:
        """HeadBucket once per bucket and process: it exists, we may list it, same region."""
        for uri, field_name in ((settings.s3_input, "s3_input"), (settings.s3_output, "s3_output")):
            if uri.bucket in self._checked_buckets:
                continue
            with aws_errors("s3", bucket=uri.bucket, region=region):
                check_bucket_region(s3, uri.bucket, region, field=f"backend_options.{field_name}")
            self._checked_buckets.add(uri.bucket)

    @staticmethod
    def _remove_staged(s3: Any, bucket: str, keys: list[str]) -> None:
        try:
            delete_keys(s3, bucket, keys)
        except Exception:  # noqa: BLE001 - the create error is the one to report
            log.exception("nbjobs: could not remove staged inputs %s", keys[:3])

    def reaches(self, job_id: str) -> bool:
        """Only a training job this process polls can be stopped here; the job service
        adopts any other first (a CLI stopping a job a server started, say)."""
        return self.watcher.watches(job_id)

    def active_job_ids(self) -> list[str]:
        return self.watcher.job_ids()

    async def stop(self, job_id: str) -> None:
        name = self.watcher.training_job(job_id)
        if name is None:
            return  # not ours, or already finished: nothing left to stop
        await asyncio.to_thread(stop_training_job, self.clients.client("sagemaker"), name)
        self.watcher.kick()

    async def reconcile(self, runs: list[ActiveRun]) -> None:
        for run in runs:
            handle = run.handle or {}
            name = handle.get("training_job_name") or training_job_name(run.job_id, run.attempt)
            spec = read_json(Path(run.job_dir) / SPEC_FILE) or {}
            try:
                desc = await asyncio.to_thread(describe_one, self.clients.client("sagemaker"), name)
            except NbJobsError as exc:  # AWS unreachable now: keep watching, the poll retries
                log.warning("nbjobs: cannot check %s yet: %s", name, exc.message)
                desc = {"TrainingJobStatus": "Unknown"}
            if desc.get("TrainingJobStatus") is None:
                await self.events.on_finished(run.job_id, run.attempt, {
                    "status": "failed", "attempt": run.attempt, "outputs": [],
                    "error": {"message": f"SageMaker has no training job {name}: the server "
                              "stopped before it was created", "reason": "runner_died"}})
                continue
            out_uri = handle.get("s3_output") or (desc.get("OutputDataConfig") or {}).get("S3OutputPath") \
                or self.form_defaults()["s3_output"]
            if not out_uri:
                log.warning("nbjobs: no output location known for %s; its outputs stay in S3", name)
                out_uri = "s3://unknown-bucket"
            self.watcher.track(run.job_id, run.attempt, Path(run.job_dir), name,
                               S3Uri.parse(out_uri), spec)
        self.watcher.kick()

    async def poll_once(self) -> bool:
        return await self.watcher.poll_once()

    async def close(self) -> None:
        await self.watcher.close()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        return ""

