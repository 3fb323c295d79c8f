"""SageMakerConfig: every knob of the SageMaker backend, set with `c.SageMakerConfig.x = ...`."""

from __future__ import annotations

from traitlets import Bool, Dict, Float, Integer, List, Unicode
from traitlets.config import Configurable

DEFAULT_INSTANCE_TYPE = "ml.m5.large"
# The headless execution driver's input channel name: keep it so its images find the files.
DEFAULT_CHANNEL = "sagemaker_headless_execution"


class SageMakerConfig(Configurable):
    # Where and as whom
    region = Unicode("", help="AWS region. Default: the Studio region, then boto3's.").tag(config=True)
    profile = Unicode("", help="AWS profile name (outside Studio).").tag(config=True)
    endpoint_url = Unicode("", help="One endpoint for every AWS service (tests: a moto server).").tag(config=True)
    max_attempts = Integer(5, help="botocore retry attempts (standard mode) per call.").tag(config=True)
    role_arn = Unicode("", help="Execution role of the training jobs.").tag(config=True)
    scheduler_role_arn = Unicode(
        "", help="Role EventBridge Scheduler assumes to start pipelines. Default: role_arn."
    ).tag(config=True)

    # Storage
    s3_input = Unicode("", help="s3://bucket/prefix for staged inputs. Default: the discovered bucket + /nbjobs.").tag(config=True)
    s3_output = Unicode("", help="s3://bucket/prefix for outputs. Default: s3_input's bucket + /nbjobs-output.").tag(config=True)
    volume_kms_key = Unicode("", help="KMS key for the training volume and staged inputs.").tag(config=True)
    output_kms_key = Unicode("", help="KMS key for the output tarball.").tag(config=True)

    # Compute
    image_uri = Unicode("", help="Container image (e.g. a SageMaker Distribution image URI).").tag(config=True)
    instance_type = Unicode(DEFAULT_INSTANCE_TYPE, help="Default instance type.").tag(config=True)
    instance_types = List(
        Unicode(),
        ["ml.t3.medium", "ml.m5.large", "ml.m5.xlarge", "ml.m5.2xlarge", "ml.c5.xlarge",
         "ml.r5.large", "ml.g4dn.xlarge", "ml.g5.xlarge", "ml.p3.2xlarge"],
        help="Instance types offered in the form (any valid type is accepted).",
    ).tag(config=True)
    volume_size_gb = Integer(30, help="Training volume size in GB.").tag(config=True)
    subnets = List(Unicode(), help="VPC subnets of the training jobs.").tag(config=True)
    security_groups = List(Unicode(), help="VPC security groups of the training jobs.").tag(config=True)
    network_isolation = Bool(False, help="Run without network access by default.").tag(config=True)
    max_runtime_seconds = Integer(172800, help="Default MaxRuntimeInSeconds (2 days).").tag(config=True)
    container_entrypoint = List(
        Unicode(),
        help="ContainerEntrypoint. Default: our runner when the image has it, else the headless "
        "execution driver (amazon_sagemaker_scheduler).",
    ).tag(config=True)
    input_channel = Unicode(DEFAULT_CHANNEL, help="Input channel name.").tag(config=True)

    # Tags put on every resource
    tag_project = Unicode("default", help="Value of the `project` tag.").tag(config=True)
    tag_system = Unicode("jupyterlab_nbjobs", help="Value of the `system` tag.").tag(config=True)
    tag_user = Unicode("", help="Value of the `user` tag. Default: the Studio user profile, else the OS user.").tag(config=True)
    extra_tags = Dict(Unicode(), help="More tags for every resource.").tag(config=True)

    # Status polling
    poll_interval = Float(10.0, help="Seconds between status polls (first interval).").tag(config=True)
    poll_max_interval = Float(60.0, help="Polls back off up to this many seconds.").tag(config=True)

    # Defaults discovery
    resource_metadata_path = Unicode("/opt/ml/metadata/resource-metadata.json",
                                     help="Studio resource metadata file.").tag(config=True)
    notebook_params_path = Unicode("/etc/jupyter/notebook-params.json",
                                   help="Admin-provided defaults (bucket, subnets, KMS key, security groups).").tag(config=True)
    read_domain_settings = Bool(True, help="Read role/VPC defaults from the Studio domain and user profile.").tag(config=True)

    schedule_group = Unicode("nbjobs", help="EventBridge Scheduler group of our schedules.").tag(config=True)
