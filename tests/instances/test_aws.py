"""What reaches AWS: the created instance's server-set settings and tags, our lifecycle config,
EMR attach rules, log pages, the tag guard, and the calls each action costs."""

from __future__ import annotations

import base64
import time

import boto3
import pytest

from jupyterlab_nbjobs.aws import AwsClients, AwsSettings
from jupyterlab_nbjobs.aws.notebooks import NotebookAws
from jupyterlab_nbjobs.aws.tags import MissingTags
from tests.instances.conftest import BUCKET, KMS, SG, SUBNET, settle
from tests.instances.helpers import MEMBER, OWNER, make_instance, make_project
from tests.support.aws import REGION, ROLE

TAGS = [{"Key": "project", "Value": "vision"}, {"Key": "system", "Value": "s"},
        {"Key": "user", "Value": "u"}]


def boto(aws, service):
    return boto3.client(service, endpoint_url=aws, region_name=REGION)


def cluster(aws, name: str, project: str, state: str = "WAITING") -> str:
    emr = boto(aws, "emr")
    tags = [{**t, "Value": project} if t["Key"] == "project" else t for t in TAGS]
    cid = emr.run_job_flow(
        Name=name, ReleaseLabel="emr-6.10.0", JobFlowRole="r", ServiceRole="r", Tags=tags,
        Instances={"MasterInstanceType": "m5.xlarge", "SlaveInstanceType": "m5.xlarge",
                   "InstanceCount": 1, "KeepJobFlowAliveWhenNoSteps": True})["JobFlowId"]
    if state == "TERMINATED":
        emr.terminate_job_flows(JobFlowIds=[cid])
    return cid


def our_config(aws, instance: str) -> tuple[str, str]:
    sm = boto(aws, "sagemaker")
    name = sm.describe_notebook_instance(NotebookInstanceName=instance)[
        "NotebookInstanceLifecycleConfigName"]
    found = sm.describe_notebook_instance_lifecycle_config(
        NotebookInstanceLifecycleConfigName=name)
    decode = lambda hooks: "".join(base64.b64decode(h["Content"]).decode()  # noqa: E731
                                   for h in hooks or [])
    return decode(found.get("OnCreate")), decode(found.get("OnStart"))


async def test_create_sends_the_server_settings_and_tags(as_, fake, aws, service):
    await make_project(as_)
    sm = boto(aws, "sagemaker")
    # through the server's own (fake-wrapped) client: moto cannot list lifecycle configs
    service.aws.sagemaker.create_notebook_instance_lifecycle_config(
        NotebookInstanceLifecycleConfigName="conda-setup", Tags=TAGS,
        OnCreate=[{"Content": base64.b64encode(b"echo create").decode()}],
        OnStart=[{"Content": base64.b64encode(b"echo user-start").decode()}])
    code, inst = await as_(MEMBER).post("instances", {
        "name": "nb", "project": "vision", "instance_type": "ml.t3.large",
        "volume_size_gb": 50, "lifecycle_config": "conda-setup"})
    assert code == 201, inst
    found = sm.describe_notebook_instance(NotebookInstanceName="nb")
    assert (found["SubnetId"], found["SecurityGroups"], found["KmsKeyId"], found["RoleArn"]) \
        == (SUBNET, [SG], KMS, ROLE)
    assert (found["DirectInternetAccess"], found["RootAccess"]) == ("Disabled", "Disabled")
    assert (found["InstanceType"], found["VolumeSizeInGB"]) == ("ml.t3.large", 50)
    tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=inst["arn"])["Tags"]}
    assert tags == {"project": "vision", "system": "jupyterlab_nbjobs", "user": MEMBER}
    on_create, on_start = our_config(aws, "nb")
    assert on_create == "echo create"
    assert f'"bucket": "{BUCKET}"' in on_start and f'"kms_key": "{KMS}"' in on_start
    assert "echo user-start" in on_start and ".sparkmagic" not in on_start
    code, opts = await as_(MEMBER).get("instances/options", project="vision")
    assert opts["lifecycle_configs"] == ["conda-setup"], opts  # ours are not offered


async def test_emr_attach_only_waiting_clusters_of_the_project(as_, fake, aws):
    await make_project(as_)
    await make_project(as_, "other", owners=["oscar"], members=[])
    ours = cluster(aws, "ours", "vision")
    theirs = cluster(aws, "theirs", "other")
    gone = cluster(aws, "gone", "vision", "TERMINATED")
    member = as_(MEMBER)
    code, opts = await member.get("instances/options", project="vision")
    assert [c["id"] for c in opts["emr_clusters"]] == [ours] and opts["emr_note"] is None
    for cid in (theirs, gone, "j-NOSUCHCLUSTER"):
        code, body = await member.post("instances", {"name": "nb", "project": "vision",
                                                     "emr_cluster_id": cid})
        assert code == 400 and body["field"] == "emr_cluster_id", body
        assert body["reason"] == "emr_not_allowed", body
    assert "create_notebook_instance" not in fake.ops()
    code, inst = await member.post("instances", {"name": "nb", "project": "vision",
                                                 "emr_cluster_id": ours})
    assert code == 201 and inst["emr_cluster_id"] == ours, inst
    _, on_start = our_config(aws, "nb")
    master = boto(aws, "emr").describe_cluster(ClusterId=ours)["Cluster"]["MasterPublicDnsName"]
    assert f"http://{master}:8998" in on_start and ".sparkmagic/config.json" in on_start
    # on update too: detach is fine, another project's cluster is not
    await settle(member, "nb", "InService")
    await member.post("instances/nb/stop")
    await settle(member, "nb", "Stopped")
    code, body = await member.patch("instances/nb", {"emr_cluster_id": theirs})
    assert code == 400 and body["field"] == "emr_cluster_id", body
    code, inst = await member.patch("instances/nb", {"emr_cluster_id": None})
    assert code == 200 and inst["emr_cluster_id"] is None, inst
    assert ".sparkmagic" not in our_config(aws, "nb")[1]
    code, opts = await member.get("instances/options", project="other")
    assert code == 403, opts


async def test_logs_pages_newest_first_and_only_this_instance(as_, fake, aws):
    await make_project(as_)
    owner = as_(OWNER)
    await make_instance(owner, fake, "nb", "InService")
    logs = boto(aws, "logs")
    group = "/aws/sagemaker/NotebookInstances"
    logs.create_log_group(logGroupName=group)
    now = int(time.time() * 1000) - 10 * 3600_000  # 10 h ago and older: several windows
    for stream, count in (("nb/jupyter.log", 150), ("nb/LifecycleConfigOnStart", 100),
                          ("nb-2/jupyter.log", 40)):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
            {"timestamp": now - i * 60_000, "message": f"{stream} {i}"}
            for i in range(count - 1, -1, -1)])
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        code, page = await as_(MEMBER).get("instances/nb/logs", **params)
        assert code == 200, page
        pages += 1
        stamps = [e["timestamp"] for e in page["events"]]
        assert stamps == sorted(stamps)  # each page oldest first
        if seen:
            assert stamps[-1] <= seen[0]["timestamp"]  # the next page is older
        seen = page["events"] + seen
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 250
    assert {e["stream"] for e in seen} == {"nb/jupyter.log", "nb/LifecycleConfigOnStart"}
    assert len({(e["stream"], e["message"]) for e in seen}) == 250
    # a time range
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime((now - 30 * 60_000) / 1000))
    code, page = await as_(OWNER).get("instances/nb/logs", start=start)
    assert code == 200 and len(page["events"]) == 62, len(page["events"])  # 31 min x 2
    code, page = await as_("eve").get("instances/nb/logs")
    assert code == 403, page


async def test_tags_are_refused_before_aws(aws, monkeypatch):
    from tests.support.aws import set_fake_credentials

    set_fake_credentials(monkeypatch)
    notebooks = NotebookAws(AwsClients(AwsSettings(region=REGION, endpoint_url=aws,
                                                   max_attempts=1)))
    sent = []
    for client in (notebooks.sagemaker, notebooks.emr):
        client.meta.events.register("before-send", lambda request, **_: sent.append(
            request.headers.get("X-Amz-Target")))
    for tags in ([], [t for t in TAGS if t["Key"] != "user"],
                 [{**t, "Value": " "} if t["Key"] == "system" else t for t in TAGS]):
        with pytest.raises(MissingTags):
            notebooks.create(NotebookInstanceName="untagged", InstanceType="ml.t3.medium",
                             RoleArn=ROLE, Tags=tags)
        with pytest.raises(MissingTags):
            notebooks.put_lifecycle_config("untagged-lcc", "", "echo", tags)
    sm = boto(aws, "sagemaker")
    assert sm.list_notebook_instances()["NotebookInstances"] == []
    with pytest.raises(MissingTags):
        cluster_without = notebooks.emr.run_job_flow  # the guard covers RunJobFlow too
        cluster_without(Name="c", ReleaseLabel="emr-6.10.0", JobFlowRole="r", ServiceRole="r",
                        Instances={"InstanceCount": 1, "MasterInstanceType": "m5.xlarge"})
    assert sent == []  # nothing was sent: refused before signing


@pytest.fixture
def instances_extra(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("instances_extra", [{"tag_system": ""}], indirect=True)
async def test_an_empty_system_tag_refuses_creates(as_, fake, aws):
    await make_project(as_)
    code, body = await as_(MEMBER).post("instances", {"name": "nb", "project": "vision"})
    assert code == 400 and body["reason"] == "missing_tags", body
    assert boto(aws, "sagemaker").list_notebook_instances()["NotebookInstances"] == []
    code, body = await as_(MEMBER).get("instances/nb")
    assert code == 404, body  # the record went with the failed create


async def test_aws_calls_per_action(as_, fake, aws, capsys):
    """The AWS calls each action makes (printed for the report), checked exactly."""
    await make_project(as_)
    owner = as_(OWNER)
    counts = {}

    async def measure(label, method, route, body=None, **params):
        before = len(fake.calls)
        code, answer = await owner.call(method, route, body, **params)
        assert code < 300, answer
        counts[label] = fake.ops()[before:]

    await measure("create", "POST", "instances", {"name": "nb", "project": "vision"})
    await settle(owner, "nb", "InService")
    await measure("get", "GET", "instances/nb")
    await measure("list", "GET", "instances")
    await measure("url", "GET", "instances/nb/url")
    await measure("stop", "POST", "instances/nb/stop")
    await settle(owner, "nb", "Stopped")
    await measure("set_stop_time", "PATCH", "instances/nb", {"stop_time": "07:00"})
    await measure("update", "PATCH", "instances/nb", {"volume_size_gb": 6})
    await settle(owner, "nb", "Stopped")
    await measure("start", "POST", "instances/nb/start")
    await settle(owner, "nb", "InService")
    await measure("logs", "GET", "instances/nb/logs", None)
    await measure("options", "GET", "instances/options", project="vision")
    await owner.post("instances/nb/stop")
    await settle(owner, "nb", "Stopped")
    await measure("delete", "DELETE", "instances/nb")
    with capsys.disabled():
        print("\nAWS calls per action:")
        for label, ops in counts.items():
            print(f"  {label:<14} {len(ops)}: {', '.join(ops)}")
    assert counts["create"] == ["delete_notebook_instance_lifecycle_config",
                                "create_notebook_instance_lifecycle_config",
                                "create_notebook_instance"]
    assert counts["get"] == ["describe_notebook_instance"]
    assert counts["list"] == ["list_notebook_instances"]
    assert counts["url"] == ["describe_notebook_instance",
                             "create_presigned_notebook_instance_url"]
    assert counts["stop"] == ["describe_notebook_instance", "stop_notebook_instance"]
    assert counts["set_stop_time"] == []
    assert counts["update"] == ["describe_notebook_instance", "update_notebook_instance"]
    assert counts["start"] == ["describe_notebook_instance", "start_notebook_instance"]
    assert counts["logs"] == ["filter_log_events"]  # no log group yet: one call
    assert counts["options"] == ["list_notebook_instance_lifecycle_configs", "list_clusters"]
    assert counts["delete"] == ["describe_notebook_instance", "delete_notebook_instance",
                                "delete_notebook_instance_lifecycle_config"]
