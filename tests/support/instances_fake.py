"""The thin fake for what moto 5.2 lacks around notebook instances, wrapping real boto3 clients
that talk to the moto server (everything moto does, moto does):

- SageMaker: `update_notebook_instance`, `create_presigned_notebook_instance_url` and
  `list_notebook_instance_lifecycle_configs` (moto has none of them), and the passing states
  moto skips: after a create or start the instance reads Pending, after a stop Stopping, after
  an update Updating, after a delete Deleting, for `settle_after` describe/list calls before it
  reaches the state moto reports (or, after a delete, moto's RecordNotFound). Start, stop,
  update and delete are refused in the states AWS refuses them (moto checks only delete).
- CloudWatch Logs: `filter_log_events` honours `logStreamNamePrefix` (moto returns every
  stream): the streams are listed by prefix with describe_log_streams, which moto does filter.

Enable in a server: c.NotebookInstances.client_factory = "tests.support.instances_fake.fake_client".
One `InstancesFake` per moto endpoint per process (`fake_for(url)`), shared by every client the
factory hands out, so a test reaches it to set a status, point a presigned URL at a stand-in
Jupyter server, or read the calls made. With NBJOBS_INSTANCES_FAKE_LOG set, every call is also
appended to that file as a JSON line (for tests whose servers are other processes).
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

from botocore.exceptions import ClientError

_FAKES: dict[str, InstancesFake] = {}
_LOCK = threading.Lock()


def _error(code: str, message: str, op: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, op)


class InstancesFake:
    def __init__(self, settle_after: int = 2):
        self.settle_after = settle_after
        self.lock = threading.Lock()
        self.passing: dict[str, list[str]] = {}  # name -> states still to report, in order
        self.forced: dict[str, dict[str, Any]] = {}  # name -> fields that stay until cleared
        self.updated: dict[str, dict[str, Any]] = {}  # what update_notebook_instance changed
        self.deleted: set[str] = set()
        self.stand_ins: dict[str, str] = {}  # name -> URL the presigned URL points at
        self.lifecycle_configs: list[str] = []
        self.calls: list[tuple[float, str, str, dict[str, Any]]] = []

    # -- for tests ------------------------------------------------------------------------
    def set_status(self, name: str, status: str | None, failure_reason: str | None = None):
        """Make `name` read `status` until set_status(name, None)."""
        with self.lock:
            self.passing.pop(name, None)
            if status is None:
                self.forced.pop(name, None)
            else:
                self.forced[name] = {"NotebookInstanceStatus": status,
                                     **({"FailureReason": failure_reason}
                                        if failure_reason else {})}

    def ops(self, service: str | None = None) -> list[str]:
        return [op for _, svc, op, _ in self.calls if service in (None, svc)]

    def calls_of(self, op: str) -> list[dict[str, Any]]:
        return [p for _, _, o, p in self.calls if o == op]

    def record(self, service: str, op: str, params: dict[str, Any]) -> None:
        entry = (time.time(), service, op, dict(params))
        with self.lock:
            self.calls.append(entry)
        path = os.environ.get("NBJOBS_INSTANCES_FAKE_LOG")
        if path:
            with open(path, "a") as fh:
                fh.write(json.dumps({"t": entry[0], "pid": os.getpid(), "service": service,
                                     "op": op, "params": params}, default=str) + "\n")

    # -- what the wrappers use --------------------------------------------------------------
    def pass_through(self, name: str, *states: str) -> None:
        with self.lock:
            self.passing[name] = [s for s in states for _ in range(self.settle_after)]

    def patch(self, item: dict[str, Any], advance: bool) -> dict[str, Any]:
        name = item.get("NotebookInstanceName")
        with self.lock:
            item.update(self.updated.get(name, {}))
            if name in self.forced:
                item.update(self.forced[name])
                return item
            queue = self.passing.get(name)
            if queue:
                item["NotebookInstanceStatus"] = queue[0]
                if advance:
                    queue.pop(0)
        return item

    def status(self, real, name: str, op: str) -> str:
        try:
            found = real.describe_notebook_instance(NotebookInstanceName=name)
        except ClientError:
            raise _error("ValidationException", "RecordNotFound", op) from None
        return self.patch(found, advance=False)["NotebookInstanceStatus"]


class _Wrapper:
    service = ""

    def __init__(self, real: Any, fake: InstancesFake):
        self._real = real
        self._fake = fake

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._real, name)
        if not callable(method) or name.startswith(("get_paginator", "can_paginate")):
            return method

        def call(*args, **kwargs):
            self._fake.record(self.service, name, kwargs)
            return method(*args, **kwargs)

        return call

    @property
    def meta(self):
        return self._real.meta

    @property
    def exceptions(self):
        return self._real.exceptions


class FakeSageMaker(_Wrapper):
    service = "sagemaker"

    def _rec(self, op: str, params: dict[str, Any]) -> None:
        self._fake.record(self.service, op, params)

    def create_notebook_instance(self, **params):
        self._rec("create_notebook_instance", params)
        out = self._real.create_notebook_instance(**params)
        name = params["NotebookInstanceName"]
        with self._fake.lock:
            self._fake.deleted.discard(name)
            self._fake.updated.pop(name, None)
        self._fake.pass_through(name, "Pending")
        return out

    def describe_notebook_instance(self, **params):
        self._rec("describe_notebook_instance", params)
        name = params["NotebookInstanceName"]
        try:
            found = self._real.describe_notebook_instance(**params)
        except ClientError:
            with self._fake.lock:
                queue = self._fake.passing.get(name)
                if name in self._fake.deleted and queue:
                    queue.pop(0)
                    return {"NotebookInstanceName": name, "NotebookInstanceStatus": "Deleting"}
            raise
        return self._fake.patch(found, advance=True)

    def list_notebook_instances(self, **params):
        self._rec("list_notebook_instances", params)
        out = self._real.list_notebook_instances(**params)
        for item in out.get("NotebookInstances", []):
            self._fake.patch(item, advance=True)
        return out

    def _require(self, name: str, op: str, allowed: tuple[str, ...]) -> None:
        current = self._fake.status(self._real, name, op)
        if current not in allowed:
            raise _error("ValidationException",
                         f"Status ({current}) not in ({', '.join(allowed)}). Unable to "
                         f"{op} for Notebook Instance ({name}).", op)

    def start_notebook_instance(self, **params):
        self._rec("start_notebook_instance", params)
        name = params["NotebookInstanceName"]
        self._require(name, "StartNotebookInstance", ("Stopped", "Failed"))
        self._fake.set_status(name, None)
        out = self._real.start_notebook_instance(**params)
        self._fake.pass_through(name, "Pending")
        return out

    def stop_notebook_instance(self, **params):
        self._rec("stop_notebook_instance", params)
        name = params["NotebookInstanceName"]
        self._require(name, "StopNotebookInstance", ("InService",))
        self._fake.set_status(name, None)
        out = self._real.stop_notebook_instance(**params)
        self._fake.pass_through(name, "Stopping")
        return out

    def update_notebook_instance(self, **params):
        self._rec("update_notebook_instance", params)
        name = params["NotebookInstanceName"]
        self._require(name, "UpdateNotebookInstance", ("Stopped", "Failed"))
        changed: dict[str, Any] = {}
        for key in ("InstanceType", "VolumeSizeInGB", "RoleArn", "LifecycleConfigName"):
            if key in params:
                target = "NotebookInstanceLifecycleConfigName" \
                    if key == "LifecycleConfigName" else key
                changed[target] = params[key]
        if params.get("DisassociateLifecycleConfig"):
            changed["NotebookInstanceLifecycleConfigName"] = None
        with self._fake.lock:
            self._fake.updated.setdefault(name, {}).update(changed)
        self._fake.set_status(name, None)
        self._fake.pass_through(name, "Updating")
        return {}

    def delete_notebook_instance(self, **params):
        self._rec("delete_notebook_instance", params)
        name = params["NotebookInstanceName"]
        self._require(name, "DeleteNotebookInstance", ("Stopped", "Failed"))
        self._fake.set_status(name, None)
        moto_status = self._real.describe_notebook_instance(
            NotebookInstanceName=name)["NotebookInstanceStatus"]
        if moto_status != "Stopped":  # moto has no Failed: a forced one is InService there
            self._real.stop_notebook_instance(NotebookInstanceName=name)
        out = self._real.delete_notebook_instance(**params)
        with self._fake.lock:
            self._fake.deleted.add(name)
            self._fake.updated.pop(name, None)
        self._fake.pass_through(name, "Deleting")
        return out

    def create_presigned_notebook_instance_url(self, **params):
        self._rec("create_presigned_notebook_instance_url", params)
        name = params["NotebookInstanceName"]
        self._fake.status(self._real, name, "CreatePresignedNotebookInstanceUrl")
        region = self._real.meta.region_name
        url = self._fake.stand_ins.get(name) or (
            f"https://{name}.notebook.{region}.sagemaker.aws?authToken=fake-{time.time_ns()}")
        return {"AuthorizedUrl": url}

    def create_notebook_instance_lifecycle_config(self, **params):
        self._rec("create_notebook_instance_lifecycle_config", params)
        out = self._real.create_notebook_instance_lifecycle_config(**params)
        with self._fake.lock:
            self._fake.lifecycle_configs.append(params["NotebookInstanceLifecycleConfigName"])
        return out

    def delete_notebook_instance_lifecycle_config(self, **params):
        self._rec("delete_notebook_instance_lifecycle_config", params)
        out = self._real.delete_notebook_instance_lifecycle_config(**params)
        name = params["NotebookInstanceLifecycleConfigName"]
        with self._fake.lock:
            if name in self._fake.lifecycle_configs:
                self._fake.lifecycle_configs.remove(name)
        return out

    def list_notebook_instance_lifecycle_configs(self, **params):
        self._rec("list_notebook_instance_lifecycle_configs", params)
        with self._fake.lock:
            names = sorted(self._fake.lifecycle_configs)
        return {"NotebookInstanceLifecycleConfigs": [
            {"NotebookInstanceLifecycleConfigName": n} for n in names]}


class FakeLogs(_Wrapper):
    service = "logs"

    def filter_log_events(self, **params):
        self._fake.record(self.service, "filter_log_events", dict(params))
        prefix = params.pop("logStreamNamePrefix", None)
        if prefix is not None:
            streams = [s["logStreamName"] for s in self._real.describe_log_streams(
                logGroupName=params["logGroupName"], logStreamNamePrefix=prefix,
                limit=50).get("logStreams", [])]
            if not streams:
                return {"events": [], "searchedLogStreams": []}
            params["logStreamNames"] = streams
        return self._real.filter_log_events(**params)


def fake_for(endpoint_url: str | None) -> InstancesFake:
    with _LOCK:
        key = endpoint_url or ""
        if key not in _FAKES:
            _FAKES[key] = InstancesFake()
        return _FAKES[key]


def reset_fakes() -> None:
    with _LOCK:
        _FAKES.clear()


WRAPPERS = {"sagemaker": FakeSageMaker, "logs": FakeLogs}


def fake_client(clients: Any, service: str) -> Any:
    """The client factory of c.NotebookInstances.client_factory: the real client of
    `clients` (an AwsClients; its tag guard installed), wrapped where moto lacks behaviour."""
    real = clients.client(service)
    wrapper = WRAPPERS.get(service)
    if wrapper is None:
        real_fake = fake_for(clients.settings.endpoint_url)

        class Recording(_Wrapper):
            pass

        Recording.service = service
        return Recording(real, real_fake)
    return wrapper(real, fake_for(clients.settings.endpoint_url))


def instances_server_config(c: Any, admins: tuple[str, ...] = ("admin",),
                            default_user: str = "alice") -> str:
    """Configure a server (a galata jupyter_server_test_config.py, a live test server) for the
    instances feature against a moto server started here (stopped when this process exits),
    this fake and the header identity provider. Returns the moto URL."""
    from tests.support.aws import REGION, ROLE, moto_url

    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", REGION)):
        os.environ[name] = value
    os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    url = moto_url()
    c.ServerApp.identity_provider_class = "tests.support.identity.HeaderIdentityProvider"
    c.HeaderIdentityProvider.default_username = default_user
    c.NotebookInstances.enabled = True
    c.NotebookInstances.admins = list(admins)
    c.NotebookInstances.endpoint_url = url
    c.NotebookInstances.region = REGION
    c.NotebookInstances.max_attempts = 1
    c.NotebookInstances.client_factory = "tests.support.instances_fake.fake_client"
    c.NotebookInstances.role_arn = ROLE
    c.NotebookInstances.subnet_id = "subnet-0123456789abcdef0"
    c.NotebookInstances.security_group_ids = ["sg-0123456789abcdef0"]
    c.NotebookInstances.kms_key_id = "alias/nbjobs-test"
    c.NotebookInstances.s3_bucket = "nbjobs-test-bucket"
    return url
