"""AWS error translation: each failure is an NbJobsError with a 4xx/502 and a clear message."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from jupyterlab_nbjobs.aws import AwsClients, AwsSettings
from jupyterlab_nbjobs.aws.errors import aws_errors, translate_aws_error
from jupyterlab_nbjobs.errors import NbJobsError


def client_error(code, message, op="CreateTrainingJob", status=400, **extra):
    response = {"Error": {"Code": code, "Message": message, **extra},
                "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": {}}}
    return ClientError(response, op)


def test_no_credentials_is_403_with_advice():
    err = translate_aws_error(NoCredentialsError())
    assert err.status_code == 403 and err.reason == "aws_no_credentials"
    assert "credentials" in err.message
    assert set(err.to_dict()) == {"message", "reason"}


def test_access_denied_names_the_missing_action():
    msg = ("User: arn:aws:sts::123456789012:assumed-role/x/y is not authorized to perform: "
           "sagemaker:CreateTrainingJob on resource: arn:aws:sagemaker:us-east-1:1:training-job/a")
    err = translate_aws_error(client_error("AccessDeniedException", msg), "sagemaker")
    assert err.status_code == 403 and err.reason == "aws_access_denied"
    assert err.action == "sagemaker:CreateTrainingJob"
    assert "may not perform sagemaker:CreateTrainingJob" in err.message


def test_access_denied_without_action_in_message_uses_the_operation():
    err = translate_aws_error(client_error("AccessDenied", "Access Denied", op="PutObject", status=403), "s3")
    assert err.action == "s3:PutObject" and err.status_code == 403


def test_bucket_in_another_region():
    exc = client_error("PermanentRedirect", "The bucket you are attempting to access must be "
                       "addressed using the specified endpoint.", op="PutObject", status=301)
    exc.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] = "eu-west-1"
    err = translate_aws_error(exc, "s3", bucket="data-bkt", region="us-east-1")
    assert err.status_code == 400 and err.reason == "aws_bucket_region"
    assert "data-bkt is in eu-west-1" in err.message and "us-east-1" in err.message


def test_unknown_instance_type():
    msg = ("1 validation error detected: Value 'ml.m5.hugest' at 'resourceConfig.instanceType' "
           "failed to satisfy constraint: Member must satisfy enum value set")
    err = translate_aws_error(client_error("ValidationException", msg), "sagemaker")
    assert err.status_code == 400 and err.reason == "aws_invalid_instance_type"
    assert err.field == "instance_type" and "ml.m5.hugest" in err.message


@pytest.mark.parametrize("code", ["ThrottlingException", "Throttling", "SlowDown", "TooManyRequestsException"])
def test_throttling_is_429(code):
    err = translate_aws_error(client_error(code, "Rate exceeded", op="DescribeTrainingJob"), "sagemaker")
    assert err.status_code == 429 and err.reason == "aws_throttled"
    assert "sagemaker:DescribeTrainingJob" in err.message


def test_other_errors_are_502_without_traceback():
    err = translate_aws_error(client_error("InternalFailure", "boom", status=500), "sagemaker")
    assert err.status_code == 502 and "Traceback" not in err.message
    assert translate_aws_error(EndpointConnectionError(endpoint_url="http://x")).status_code == 502


def test_nbjobs_errors_pass_through():
    mine = NbJobsError("mine")
    assert translate_aws_error(mine) is mine


def test_real_moto_errors_translate(clients):
    """The same translation on real answers from the moto server."""
    with pytest.raises(NbJobsError) as info, aws_errors("s3", bucket="no-such-bucket-here"):
        clients.client("s3").head_bucket(Bucket="no-such-bucket-here")
    assert info.value.status_code == 400 and info.value.reason == "aws_no_such_bucket"
    with pytest.raises(NbJobsError) as info, aws_errors("sagemaker"):
        clients.client("sagemaker").describe_training_job(TrainingJobName="nope")
    assert info.value.status_code == 404


def test_unreachable_endpoint_is_502(aws):
    dead = AwsClients(AwsSettings(region="us-east-1", endpoint_url="http://127.0.0.1:9", max_attempts=1,
                                  connect_timeout=1))
    with pytest.raises(NbJobsError) as info, aws_errors("sagemaker"):
        dead.client("sagemaker").list_training_jobs()
    assert info.value.status_code == 502 and info.value.reason == "aws_unreachable"


def test_no_credentials_from_a_real_client(aws, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    bare = AwsClients(AwsSettings(region="us-east-1", endpoint_url=aws, max_attempts=1))
    with pytest.raises(NbJobsError) as info, aws_errors("sagemaker"):
        bare.client("sagemaker").list_training_jobs()
    assert info.value.status_code == 403 and info.value.reason == "aws_no_credentials"
