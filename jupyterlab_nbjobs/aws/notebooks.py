"""SageMaker notebook instances, their lifecycle configs, EMR clusters and CloudWatch Logs.

Blocking boto3 calls (the instances service runs them in worker threads), errors translated
to NbJobsError. The clients come from a factory over `AwsClients`, so every create call goes
through the tag guard (aws/tags.py) and tests can hand in their fake."""

from __future__ import annotations

import base64
import functools
import importlib
from collections.abc import Callable
from typing import Any

import botocore.session
from botocore.exceptions import ClientError

from .clients import AwsClients
from .errors import aws_errors
from .tags import check_required_tags

ClientFactory = Callable[[AwsClients, str], Any]


def default_factory(clients: AwsClients, service: str) -> Any:
    return clients.client(service)


def import_factory(name: str) -> ClientFactory:
    """`package.module.callable` (or `package.module:callable`) -> the callable."""
    module, _, attr = name.replace(":", ".").rpartition(".")
    if not module:
        raise ValueError(f"client_factory {name!r} is not an importable name")
    return getattr(importlib.import_module(module), attr)


@functools.cache
def notebook_instance_types() -> frozenset[str]:
    """Every instance type SageMaker's API takes for a notebook instance (botocore's model)."""
    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.operation_model("CreateNotebookInstance").input_shape
    return frozenset(shape.members["InstanceType"].enum)


def _not_found(exc: ClientError) -> bool:
    err = exc.response.get("Error", {})
    return err.get("Code") in ("ValidationException", "ResourceNotFound") and (
        "RecordNotFound" in str(err.get("Message")) or "does not exist" in str(err.get("Message"))
        or "Could not find" in str(err.get("Message")))


def _decode(hooks: list[dict[str, str]] | None) -> str:
    return "".join(base64.b64decode(h["Content"]).decode() for h in hooks or [])


def _encode(script: str) -> list[dict[str, str]]:
    return [{"Content": base64.b64encode(script.encode()).decode()}] if script else []


class NotebookAws:
    def __init__(self, clients: AwsClients, factory: ClientFactory = default_factory):
        self.clients = clients
        self.sagemaker = factory(clients, "sagemaker")
        self.emr = factory(clients, "emr")
        self.logs = factory(clients, "logs")

    # -- notebook instances ----------------------------------------------------------------
    def describe(self, name: str) -> dict[str, Any] | None:
        with aws_errors("sagemaker"):
            try:
                return self.sagemaker.describe_notebook_instance(NotebookInstanceName=name)
            except ClientError as exc:
                if _not_found(exc):
                    return None
                raise

    def list_statuses(self) -> dict[str, dict[str, Any]]:
        """name -> summary of every notebook instance of the account and region."""
        found: dict[str, dict[str, Any]] = {}
        token = None
        with aws_errors("sagemaker"):
            while True:
                page = self.sagemaker.list_notebook_instances(
                    MaxResults=100, **({"NextToken": token} if token else {}))
                for item in page.get("NotebookInstances", []):
                    found[item["NotebookInstanceName"]] = item
                token = page.get("NextToken")
                if not token:
                    return found

    def create(self, **params: Any) -> str:
        with aws_errors("sagemaker"):
            return self.sagemaker.create_notebook_instance(**params)["NotebookInstanceArn"]

    def start(self, name: str) -> None:
        with aws_errors("sagemaker"):
            self.sagemaker.start_notebook_instance(NotebookInstanceName=name)

    def stop(self, name: str) -> None:
        with aws_errors("sagemaker"):
            self.sagemaker.stop_notebook_instance(NotebookInstanceName=name)

    def update(self, name: str, **params: Any) -> None:
        with aws_errors("sagemaker"):
            self.sagemaker.update_notebook_instance(NotebookInstanceName=name, **params)

    def delete(self, name: str) -> None:
        """Idempotent: an instance that is already gone (deleted between a describe and this
        call, or by someone else) is what a delete wants."""
        with aws_errors("sagemaker"):
            try:
                self.sagemaker.delete_notebook_instance(NotebookInstanceName=name)
            except ClientError as exc:
                if not _not_found(exc):
                    raise

    def presigned_url(self, name: str, session_seconds: int) -> str:
        with aws_errors("sagemaker"):
            return self.sagemaker.create_presigned_notebook_instance_url(
                NotebookInstanceName=name,
                SessionExpirationDurationInSeconds=session_seconds)["AuthorizedUrl"]

    # -- lifecycle configs -----------------------------------------------------------------
    def lifecycle_config(self, name: str) -> tuple[str, str] | None:
        """(on-create script, on-start script), or None if there is no such config."""
        with aws_errors("sagemaker"):
            try:
                found = self.sagemaker.describe_notebook_instance_lifecycle_config(
                    NotebookInstanceLifecycleConfigName=name)
            except ClientError as exc:
                if _not_found(exc):
                    return None
                raise
        return _decode(found.get("OnCreate")), _decode(found.get("OnStart"))

    def lifecycle_configs(self) -> list[str]:
        names: list[str] = []
        token = None
        with aws_errors("sagemaker"):
            while True:
                page = self.sagemaker.list_notebook_instance_lifecycle_configs(
                    MaxResults=100, **({"NextToken": token} if token else {}))
                names += [c["NotebookInstanceLifecycleConfigName"]
                          for c in page.get("NotebookInstanceLifecycleConfigs", [])]
                token = page.get("NextToken")
                if not token:
                    return names

    def put_lifecycle_config(self, name: str, on_create: str, on_start: str,
                             tags: list[dict[str, str]]) -> None:
        """Create the config, replacing one of that name (ours: named after its instance).
        Untagged, it is refused before the old one is deleted."""
        check_required_tags({t["Key"]: t["Value"] for t in tags}, "lifecycle config")
        self.delete_lifecycle_config(name)
        with aws_errors("sagemaker"):
            self.sagemaker.create_notebook_instance_lifecycle_config(
                NotebookInstanceLifecycleConfigName=name, OnCreate=_encode(on_create),
                OnStart=_encode(on_start), Tags=tags)

    def delete_lifecycle_config(self, name: str) -> None:
        with aws_errors("sagemaker"):
            try:
                self.sagemaker.delete_notebook_instance_lifecycle_config(
                    NotebookInstanceLifecycleConfigName=name)
            except ClientError as exc:
                if not _not_found(exc):
                    raise

    # -- EMR -------------------------------------------------------------------------------
    def waiting_clusters(self) -> list[dict[str, Any]]:
        """Clusters in state WAITING, each described (tags, master DNS)."""
        ids: list[str] = []
        marker = None
        with aws_errors("emr"):
            while True:
                page = self.emr.list_clusters(ClusterStates=["WAITING"],
                                              **({"Marker": marker} if marker else {}))
                ids += [c["Id"] for c in page.get("Clusters", [])]
                marker = page.get("Marker")
                if not marker:
                    break
        return [c for c in (self.cluster(i) for i in ids) if c is not None]

    def cluster(self, cluster_id: str) -> dict[str, Any] | None:
        with aws_errors("emr"):
            try:
                found = self.emr.describe_cluster(ClusterId=cluster_id)["Cluster"]
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in (
                        "InvalidRequestException", "ResourceNotFoundException"):
                    return None
                raise
        return {"id": found["Id"], "name": found.get("Name", ""),
                "state": found.get("Status", {}).get("State", ""),
                "tags": {t["Key"]: t["Value"] for t in found.get("Tags") or []},
                "master_dns": found.get("MasterPublicDnsName")}

    # -- CloudWatch Logs -------------------------------------------------------------------
    def log_events(self, group: str, stream_prefix: str, start_ms: int, end_ms: int,
                   token: str | None = None,
                   limit: int = 10000) -> tuple[list[dict] | None, str | None]:
        """One page of filter_log_events over the streams named `stream_prefix*`, oldest
        first; (None, None) when the log group does not exist (yet)."""
        params: dict[str, Any] = {"logGroupName": group, "logStreamNamePrefix": stream_prefix,
                                  "startTime": start_ms, "endTime": end_ms, "limit": limit}
        if token:
            params["nextToken"] = token
        with aws_errors("logs"):
            try:
                page = self.logs.filter_log_events(**params)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                    return None, None
                raise
        return page.get("events", []), page.get("nextToken")
