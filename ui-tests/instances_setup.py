"""Notebook instances for the galata server: the moto server (started here, stopped when the
server exits), the thin fake for what moto lacks, the header identity provider (the Lab page is
`alice`; a test sends `X-Nbjobs-Test-User` for another user), and what the instances spec finds
in AWS: two EMR clusters of project `galata` (one WAITING, one not) and the log events of the
instance `e2e-lab`.

moto starts while Jupyter does, and is seeded from a thread once it answers: the server makes
no AWS call before a test asks, so this adds almost nothing to the server's start-up.
"""

import atexit
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

PROJECT = "galata"
LOGGED_INSTANCE = "e2e-lab"
LOG_GROUP = "/aws/sagemaker/NotebookInstances"
LOG_EVENTS = 130
REGION = "us-east-1"

_MOTO = "from moto.server import main; main(['-H', '127.0.0.1', '-p', '{port}'])"


def enable_instances(c) -> str:
    # The test support lives in the repository's tests/ (NBJOBS_REPO_ROOT: another checkout's).
    root = os.environ.get("NBJOBS_REPO_ROOT") or str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", REGION)):
        os.environ[name] = value
    os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    url = _start_moto()
    # What tests/support/instances_fake.instances_server_config sets, with this moto, and
    # galata's server having no token: the header provider must accept such requests too.
    c.ServerApp.identity_provider_class = "instances_setup.NoTokenHeaderIdentityProvider"
    c.HeaderIdentityProvider.default_username = "alice"
    c.NotebookInstances.enabled = True
    c.NotebookInstances.admins = ["admin"]
    c.NotebookInstances.endpoint_url = url
    c.NotebookInstances.region = REGION
    c.NotebookInstances.max_attempts = 1
    c.NotebookInstances.client_factory = "tests.support.instances_fake.fake_client"
    c.NotebookInstances.role_arn = "arn:aws:iam::123456789012:role/nbjobs-exec"
    c.NotebookInstances.subnet_id = "subnet-0123456789abcdef0"
    c.NotebookInstances.security_group_ids = ["sg-0123456789abcdef0"]
    c.NotebookInstances.kms_key_id = "alias/nbjobs-test"
    c.NotebookInstances.s3_bucket = "nbjobs-test-bucket"
    threading.Thread(target=_seed_when_up, args=(url,), daemon=True).start()
    return url


def _start_moto() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", _MOTO.format(port=port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    atexit.register(proc.terminate)
    return f"http://127.0.0.1:{port}"


def _seed_when_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).read(1)
            break
        except OSError:
            if time.monotonic() > deadline:
                print("instances_setup: moto did not answer", file=sys.stderr)
                return
            time.sleep(0.2)
    _seed(url)


def _provider():
    from jupyter_server.auth.identity import PasswordIdentityProvider
    from tests.support.identity import HeaderIdentityProvider

    class NoTokenHeaderIdentityProvider(HeaderIdentityProvider, PasswordIdentityProvider):
        """The header identity over jupyter_server's default provider, which lets a request
        in when the server has neither token nor password (the base IdentityProvider never
        does), as galata runs it."""

    return NoTokenHeaderIdentityProvider


def __getattr__(name):
    # Resolved when the server imports the class: tests/ is on sys.path by then.
    if name == "NoTokenHeaderIdentityProvider":
        return _provider()
    raise AttributeError(name)


def _seed(url: str) -> None:
    import boto3

    kw = {"endpoint_url": url, "region_name": REGION}
    emr = boto3.client("emr", **kw)
    tags = [{"Key": "project", "Value": PROJECT}]
    instances = {"MasterInstanceType": "m5.xlarge", "SlaveInstanceType": "m5.xlarge",
                 "InstanceCount": 1, "KeepJobFlowAliveWhenNoSteps": True}
    roles = {"JobFlowRole": "EMR_EC2_DefaultRole", "ServiceRole": "EMR_DefaultRole"}
    emr.run_job_flow(Name="spark-waiting", ReleaseLabel="emr-7.1.0", Tags=tags,
                     Instances=instances, **roles)
    done = emr.run_job_flow(Name="spark-finished", ReleaseLabel="emr-7.1.0", Tags=tags,
                            Instances=instances, **roles)
    emr.terminate_job_flows(JobFlowIds=[done["JobFlowId"]])

    logs = boto3.client("logs", **kw)
    logs.create_log_group(logGroupName=LOG_GROUP)
    stream = f"{LOGGED_INSTANCE}/jupyter.log"
    logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
    start = int(time.time() * 1000) - LOG_EVENTS * 1000 - 60000
    logs.put_log_events(logGroupName=LOG_GROUP, logStreamName=stream, logEvents=[
        {"timestamp": start + n * 1000, "message": f"jupyter log line {n + 1}"}
        for n in range(LOG_EVENTS)])
