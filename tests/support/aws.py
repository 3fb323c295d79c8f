"""Test support for AWS code: one real moto server per test process, request recording, and
the thin fake for what moto 5.2 lacks (training job status transitions, StopTrainingJob).

The fake works through botocore event hooks on the backend's own clients, so the code under
test sends real requests to moto and only the missing behaviour is supplied here.
"""

from __future__ import annotations

import asyncio
import atexit
import copy
import io
import json
import os
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from botocore.awsrequest import AWSResponse

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/nbjobs-exec"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/sagemaker-distribution:latest"

_server: dict[str, Any] = {}


# moto's own server on port 0: the OS picks a free port at bind time and the child reports
# it, so two processes (xdist workers, or two pytest runs on one machine) can never race for
# a port chosen before the bind, and a health check can never reach another process's moto.
_MOTO_MAIN = """
import os, sys, threading
from moto.server import ThreadedMotoServer
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
sys.stdout.write(f"{server.get_host_and_port()[1]}\\n")
sys.stdout.flush()
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
threading.Event().wait()
"""


def moto_url() -> str:
    """Start a moto server once per process (so once per xdist worker) on a free loopback
    port; stopped at exit."""
    if "url" in _server and _server["proc"].poll() is None:
        return _server["url"]
    proc = subprocess.Popen([sys.executable, "-c", _MOTO_MAIN], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    atexit.register(_stop, proc)
    line = proc.stdout.readline().strip()  # "" if it died before binding
    proc.stdout.close()
    if not line.isdigit():
        _stop(proc)
        raise RuntimeError("moto server did not start")
    url = f"http://127.0.0.1:{line}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).read(1)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                _stop(proc)
                raise RuntimeError("moto server did not answer") from None
            time.sleep(0.1)
    _server.update(url=url, proc=proc)
    return url


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()


def reset_moto(url: str) -> None:
    req = urllib.request.Request(f"{url}/moto-api/reset", method="POST", data=b"")
    urllib.request.urlopen(req, timeout=10).read()


def set_fake_credentials(monkeypatch) -> None:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE",
                 "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


class Recorder:
    """Keeps a deep copy of the parameters of every call a client makes, by operation."""

    def __init__(self):
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def attach(self, client: Any) -> Recorder:
        service = client.meta.service_model.service_name

        def record(params, model, **_kw):
            kept = {k: ("<body>" if k == "Body" else copy.deepcopy(v)) for k, v in params.items()}
            self.calls.append((service, model.name, kept))

        client.meta.events.register(f"before-parameter-build.{service}", record)
        return self

    def ops(self, service: str | None = None) -> list[str]:
        return [op for svc, op, _ in self.calls if service in (None, svc)]

    def params(self, op: str) -> list[dict[str, Any]]:
        return [p for _, o, p in self.calls if o == op]


def _ok() -> AWSResponse:
    return AWSResponse("http://fake", 200, {}, None)


class TrainingJobFake:
    """What moto lacks: a training job that is InProgress until the test says otherwise, and
    StopTrainingJob (moto answers 500). Statuses set here overwrite moto's `Completed` in
    DescribeTrainingJob and Search answers."""

    def __init__(self, sagemaker: Any, default: str = "InProgress"):
        self.default = default
        self.status: dict[str, dict[str, Any]] = {}
        self.stopped: list[str] = []
        events = sagemaker.meta.events
        events.register("after-call.sagemaker.DescribeTrainingJob", self._describe)
        events.register("after-call.sagemaker.Search", self._search)
        events.register("before-call.sagemaker.StopTrainingJob", self._stop)

    def set(self, name: str, status: str, **fields: Any) -> None:
        self.status[name] = {"TrainingJobStatus": status, **fields}

    def _patch(self, job: dict[str, Any]) -> None:
        if not job or "TrainingJobName" not in job:
            return
        job.update(self.status.get(job["TrainingJobName"], {"TrainingJobStatus": self.default}))

    def _describe(self, parsed, **_kw):
        self._patch(parsed)

    def _search(self, parsed, **_kw):
        for item in parsed.get("Results") or []:
            self._patch(item.get("TrainingJob") or {})

    def _stop(self, params, **_kw):
        import json

        name = json.loads(params["body"])["TrainingJobName"]  # the serialized request
        current = self.status.get(name, {"TrainingJobStatus": self.default})["TrainingJobStatus"]
        if current not in ("InProgress", "Stopping"):
            raise _validation(f"The job {name} is not in a status that can be stopped: {current}")
        self.stopped.append(name)
        self.set(name, "Stopping")
        return _ok(), {}


def _validation(message: str):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": "ValidationException", "Message": message}},
                       "StopTrainingJob")


class RecordingEvents:
    """BackendEvents that remember what the backend reported."""

    def __init__(self):
        self.started: list[tuple[str, int, dict]] = []
        self.progress: list[tuple[str, int, int]] = []
        self.finished: dict[str, dict] = {}
        self._changed = asyncio.Event()

    async def on_started(self, job_id, attempt, handle):
        self.started.append((job_id, attempt, handle))

    async def on_progress(self, job_id, cells_done, cells_total):
        self.progress.append((job_id, cells_done, cells_total))

    async def on_finished(self, job_id, attempt, result):
        self.finished[job_id] = {"attempt": attempt, **result}
        self._changed.set()

    async def wait_finished(self, job_id: str, timeout: float = 20) -> dict:
        deadline = asyncio.get_running_loop().time() + timeout
        while job_id not in self.finished:
            self._changed.clear()
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"{job_id} did not finish; finished: {list(self.finished)}")
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except asyncio.TimeoutError:
                pass
        return self.finished[job_id]


# -- SageMaker backend helpers (tests/backends/test_sagemaker*.py, tests/handlers/test_sagemaker*) -

IN_BUCKET, OUT_BUCKET = "nbjobs-in", "nbjobs-out"


def make_backend(tmp_path, url: str, events=None, **config: Any):
    """A SageMakerBackend on moto with buckets made, plus its recorder and training-job fake."""
    from jupyterlab_nbjobs.backends.sagemaker.backend import SageMakerBackend
    from jupyterlab_nbjobs.backends.sagemaker.config import SageMakerConfig

    settings = dict(
        endpoint_url=url, region=REGION, role_arn=ROLE, image_uri=IMAGE, max_attempts=1,
        s3_input=f"s3://{IN_BUCKET}/stage", s3_output=f"s3://{OUT_BUCKET}/results",
        poll_interval=0.05, poll_max_interval=0.2, tag_project="proj-x", tag_user="ana",
        resource_metadata_path=str(tmp_path / "no-metadata.json"),
        notebook_params_path=str(tmp_path / "no-params.json"), read_domain_settings=False)
    settings.update(config)
    backend = SageMakerBackend(events or RecordingEvents(), SageMakerConfig(**settings))
    sm, s3 = backend.clients.client("sagemaker"), backend.clients.client("s3")
    for bucket in (IN_BUCKET, OUT_BUCKET):
        try:
            s3.create_bucket(Bucket=bucket)
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
    recorder = Recorder().attach(sm)
    recorder.attach(s3)
    recorder.attach(backend.clients.client("scheduler"))
    return backend, recorder, TrainingJobFake(sm)


def write_notebook(path, *sources: str, parameters: str | None = None) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if parameters is not None:
        cell = nbformat.v4.new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def make_run(tmp_path, job_id: str = "job-1", attempt: int = 1, *sources: str,
             parameters: dict | None = None, options: dict | None = None,
             param_cell: str | None = "a = 1\nb = 'x'", extra_files: dict | None = None,
             timeout: float | None = None):
    """A RunRequest whose JOB_DIR looks like the job service's (job.json + work/)."""
    from jupyterlab_nbjobs.backends.base import RunRequest
    from jupyterlab_nbjobs.runner.contract import write_json_atomic

    job_dir = tmp_path / "staging" / job_id
    work = job_dir / "work"
    write_notebook(work / "analysis.ipynb", *(sources or ("print(a, b)",)), parameters=param_cell)
    for rel, text in (extra_files or {}).items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text)
    output_dir = tmp_path / "root" / "nbjobs-outputs" / job_id
    output_dir.mkdir(parents=True, exist_ok=True)
    spec = {"job_id": job_id, "attempt": attempt, "notebook": "analysis.ipynb",
            "kernel_name": "python3", "parameters": parameters or {},
            "output_formats": ["ipynb"], "env": {"GREETING": "hi"},
            "timeout_seconds": timeout, "output_dir": str(output_dir), "output_stem": "analysis"}
    write_json_atomic(job_dir / "job.json", spec)
    return RunRequest(job_id=job_id, attempt=attempt, job_dir=job_dir, spec=spec,
                      options=dict(options or {}))


# -- playing SageMaker's part around the container -----------------------------------------

def build_opt_ml(s3, request: dict, root: Path) -> None:
    """Do what SageMaker does before the container starts: channel files and hyperparameters."""
    [channel] = request["InputDataConfig"]
    uri = channel["DataSource"]["S3DataSource"]["S3Uri"]
    bucket, _, prefix = uri[5:].partition("/")
    target = root / "input" / "data" / channel["ChannelName"]
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]
    for item in listed:
        dest = target / item["Key"][len(prefix):]
        dest.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(bucket, item["Key"], str(dest))
    config = root / "input" / "config"
    config.mkdir(parents=True)
    (config / "hyperparameters.json").write_text(json.dumps(request["HyperParameters"]))


async def run_container(request: dict, root: Path) -> int:
    env = {**os.environ, **request["Environment"], "NBJOBS_SM_ROOT": str(root)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "jupyterlab_nbjobs.runner.sagemaker_entry", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), 180)
    print(out.decode(errors="replace"))
    return proc.returncode


def upload_output_tar(backend, request: dict, root: Path) -> str:
    """SageMaker's upload: /opt/ml/output/data as {S3OutputPath}/{job}/output/output.tar.gz."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        data = root / "output" / "data"
        for path in sorted(data.rglob("*")):
            tar.add(path, arcname=path.relative_to(data).as_posix(), recursive=False)
    out = request["OutputDataConfig"]["S3OutputPath"][5:]
    bucket, _, prefix = out.partition("/")
    key = f"{prefix}/{request['TrainingJobName']}/output/output.tar.gz"
    backend.clients.client("s3").put_object(Bucket=bucket, Key=key, Body=buf.getvalue(),
                                            Tagging="project=p&system=s&user=u")
    return key
