"""Required tags: a create call without project/system/user never reaches AWS."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from jupyterlab_nbjobs.aws import MissingTags, TagPolicy
from tests.support.aws import ROLE


def _training_request(name, tags):
    return dict(
        TrainingJobName=name, RoleArn=ROLE,
        AlgorithmSpecification={"TrainingImage": "img:1", "TrainingInputMode": "File"},
        OutputDataConfig={"S3OutputPath": "s3://bkt-out/x"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30},
        StoppingCondition={"MaxRuntimeInSeconds": 60}, Tags=tags)


def _count_sends(client):
    sent = []
    client.meta.events.register("before-send", lambda request, **kw: sent.append(request.url))
    return sent


def test_policy_forms():
    policy = TagPolicy("p1", "nbjobs", "ana", extra={"cost-center": "42"})
    tags = policy.as_dict(**{"nbjobs:job-id": "j1"})
    assert tags == {"cost-center": "42", "project": "p1", "system": "nbjobs", "user": "ana",
                    "nbjobs:job-id": "j1"}
    assert dict(parse_qsl(policy.as_query(**{"nbjobs:job-id": "j1"}))) == tags


@pytest.mark.parametrize("drop", ["project", "system", "user"])
def test_training_job_without_a_required_tag_is_refused_before_sending(clients, drop):
    sm = clients.client("sagemaker")
    sent = _count_sends(sm)
    tags = [t for t in TagPolicy("p", "s", "u").as_list() if t["Key"] != drop]
    with pytest.raises(MissingTags) as info:
        sm.create_training_job(**_training_request("untagged", tags))
    assert drop in info.value.message and info.value.status_code == 400
    assert sent == []
    assert sm.list_training_jobs()["TrainingJobSummaries"] == []


def test_empty_tag_value_is_refused(clients):
    sm = clients.client("sagemaker")
    with pytest.raises(MissingTags):
        sm.create_training_job(**_training_request("blank", TagPolicy("p", "s", " ").as_list()))


def test_tagged_training_job_goes_through(clients):
    sm = clients.client("sagemaker")
    arn = sm.create_training_job(**_training_request("tagged", TagPolicy("p", "s", "u").as_list()))["TrainingJobArn"]
    assert {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]} == {
        "project": "p", "system": "s", "user": "u"}


def test_s3_put_without_tagging_is_refused(clients):
    s3 = clients.client("s3")
    s3.create_bucket(Bucket="bkt-tags")
    sent = _count_sends(s3)
    with pytest.raises(MissingTags):
        s3.put_object(Bucket="bkt-tags", Key="a.txt", Body=b"x")
    with pytest.raises(MissingTags):
        s3.put_object(Bucket="bkt-tags", Key="a.txt", Body=b"x", Tagging="project=p&system=s")
    assert sent == []
    s3.put_object(Bucket="bkt-tags", Key="a.txt", Body=b"x", Tagging=TagPolicy("p", "s", "u").as_query())
    got = s3.get_object_tagging(Bucket="bkt-tags", Key="a.txt")["TagSet"]
    assert {t["Key"]: t["Value"] for t in got} == {"project": "p", "system": "s", "user": "u"}


def test_pipeline_and_schedule_group_are_guarded(clients):
    with pytest.raises(MissingTags):
        clients.client("sagemaker").create_pipeline(
            PipelineName="p1", PipelineDefinition="{}", RoleArn=ROLE, Tags=[])
    with pytest.raises(MissingTags):
        clients.client("scheduler").create_schedule_group(Name="g1", Tags=[])


def test_big_files_go_multipart_and_stay_tagged(clients, tmp_path):
    from jupyterlab_nbjobs.aws.s3 import upload_file

    s3 = clients.client("s3")
    s3.create_bucket(Bucket="bkt-big")
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * (9 * 1024 * 1024))  # above boto3's 8 MB multipart threshold
    ops = []
    s3.meta.events.register("before-parameter-build.s3", lambda model, **kw: ops.append(model.name))
    upload_file(s3, big, "bkt-big", "big.bin", TagPolicy("p", "s", "u").as_query())
    assert "CreateMultipartUpload" in ops
    got = s3.get_object_tagging(Bucket="bkt-big", Key="big.bin")["TagSet"]
    assert {t["Key"]: t["Value"] for t in got} == {"project": "p", "system": "s", "user": "u"}
    with pytest.raises(MissingTags):
        s3.upload_file(str(big), "bkt-big", "untagged.bin")
