"""Notebook instances for the galata server: the moto server (started here, stopped when the
server exits), the thin fake for what moto lacks, the header identity provider (the Lab page is
`alice`; a test sends `X-Nbjobs-Test-User` for another user), and what the instances spec finds
in AWS: two EMR clusters of project `galata` (one WAITING, one not) and the log events of the
instance `e2e-lab`.
"""

import os
import sys
import time
from pathlib import Path

PROJECT = "galata"
LOGGED_INSTANCE = "e2e-lab"
LOG_GROUP = "/aws/sagemaker/NotebookInstances"
LOG_EVENTS = 130


def enable_instances(c) -> str:
    # The test support lives in the repository's tests/ (NBJOBS_REPO_ROOT: another checkout's).
    root = os.environ.get("NBJOBS_REPO_ROOT") or str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    from tests.support.instances_fake import instances_server_config

    url = instances_server_config(c, admins=("admin",), default_user="alice")
    # galata's server has no token: the header provider must also accept such requests.
    c.ServerApp.identity_provider_class = "instances_setup.NoTokenHeaderIdentityProvider"
    _seed(url)
    return url


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

    kw = {"endpoint_url": url, "region_name": "us-east-1"}
    emr = boto3.client("emr", **kw)
    tags = [{"Key": "project", "Value": PROJECT}]
    instances = {"MasterInstanceType": "m5.xlarge", "SlaveInstanceType": "m5.xlarge",
                 "InstanceCount": 1}
    emr.run_job_flow(Name="spark-waiting", ReleaseLabel="emr-7.1.0", Tags=tags,
                     Instances={**instances, "KeepJobFlowAliveWhenNoSteps": True},
                     JobFlowRole="EMR_EC2_DefaultRole", ServiceRole="EMR_DefaultRole")
    done = emr.run_job_flow(Name="spark-finished", ReleaseLabel="emr-7.1.0", Tags=tags,
                            Instances={**instances, "KeepJobFlowAliveWhenNoSteps": True},
                            JobFlowRole="EMR_EC2_DefaultRole", ServiceRole="EMR_DefaultRole")
    emr.terminate_job_flows(JobFlowIds=[done["JobFlowId"]])

    logs = boto3.client("logs", **kw)
    logs.create_log_group(logGroupName=LOG_GROUP)
    stream = f"{LOGGED_INSTANCE}/jupyter.log"
    logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
    start = int(time.time() * 1000) - LOG_EVENTS * 1000 - 60000
    logs.put_log_events(logGroupName=LOG_GROUP, logStreamName=stream, logEvents=[
        {"timestamp": start + n * 1000, "message": f"jupyter log line {n + 1}"}
        for n in range(LOG_EVENTS)])
