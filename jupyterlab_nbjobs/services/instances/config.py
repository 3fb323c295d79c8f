"""NotebookInstances: every knob of the notebook-instance feature, `c.NotebookInstances.x`.

Off unless `enabled` is set, so a local JupyterLab is unaffected."""

from __future__ import annotations

from traitlets import Bool, Dict, Float, Integer, List, Unicode, default
from traitlets.config import Configurable

OFFERED_INSTANCE_TYPES = ["ml.t3.medium", "ml.t3.large", "ml.t3.xlarge", "ml.m5.xlarge",
                          "ml.m5.2xlarge", "ml.c5.xlarge", "ml.r5.xlarge", "ml.g4dn.xlarge",
                          "ml.p3.2xlarge"]


class NotebookInstances(Configurable):
    enabled = Bool(False, help="Manage SageMaker notebook instances of projects in this "
                               "server.").tag(config=True)
    admins = List(Unicode(), help="Usernames of admins (create/delete projects, set owners, "
                                  "act on every instance but start/open).").tag(config=True)
    admin_groups = List(Unicode(), help="JupyterHub groups whose members are admins (when the "
                                        "server runs under JupyterHub).").tag(config=True)

    # AWS
    region = Unicode("", help="AWS region. Default: boto3's.").tag(config=True)
    profile = Unicode("", help="AWS profile name.").tag(config=True)
    endpoint_url = Unicode("", help="One endpoint for every AWS service (tests: moto).").tag(
        config=True)
    max_attempts = Integer(5, help="botocore retry attempts per call.").tag(config=True)
    client_factory = Unicode(
        "", help="Importable name of a callable (aws_clients, service) -> boto3 client, used "
        "instead of aws_clients.client(service). Tests point it at their fake.").tag(config=True)

    # What every instance gets, whatever the request says
    role_arn = Unicode("", help="Execution role of the instances.").tag(config=True)
    subnet_id = Unicode("", help="Subnet of the instances.").tag(config=True)
    security_group_ids = List(Unicode(), help="Security groups of the instances.").tag(
        config=True)
    kms_key_id = Unicode("", help="KMS key of the instances' volumes.").tag(config=True)
    s3_bucket = Unicode("", help="Bucket written into notebook-params.json.").tag(config=True)
    notebook_params = Dict(help="More entries for notebook-params.json.").tag(config=True)
    notebook_params_path = Unicode(
        "/home/ec2-user/SageMaker/notebook-params.json",
        help="Where the on-start script writes notebook-params.json on the instance.").tag(
        config=True)
    tag_system = Unicode("jupyterlab_nbjobs", help="Value of the `system` tag.").tag(config=True)
    extra_tags = Dict(Unicode(), help="More tags on every resource created.").tag(config=True)

    # Choices
    instance_types = List(Unicode(), OFFERED_INSTANCE_TYPES,
                          help="Instance types users may choose.").tag(config=True)
    default_instance_type = Unicode(help="Default: the instance models' own.").tag(config=True)
    log_group = Unicode("/aws/sagemaker/NotebookInstances").tag(config=True)
    presigned_url_seconds = Integer(
        43200, help="SessionExpirationDurationInSeconds of the opened session (1800-43200); "
        "the URL itself is valid 5 minutes.").tag(config=True)
    emr_livy_port = Integer(8998, help="Livy port sparkmagic uses on the EMR master.").tag(
        config=True)

    # Loops
    run_loops = Bool(True, help="Run the daily and idle auto-stop loops in this server "
                                "(several may: each stop happens once).").tag(config=True)
    autostop_poll_interval = Float(
        15.0, help="Longest sleep of the daily auto-stop loop: how soon a stop time set by "
        "another server is seen (this server's own changes wake it at once).").tag(config=True)
    idle_stop_minutes = Integer(
        0, help="Stop an InService instance whose Jupyter has been idle this long (0: "
        "never).").tag(config=True)
    idle_check_interval = Float(60.0, help="Seconds between idle checks.").tag(config=True)

    # Read from the models when asked: the server asks `enabled` at start without them.
    @default("default_instance_type")
    def _default_instance_type(self):
        from ...models.instances import DEFAULT_INSTANCE_TYPE

        return DEFAULT_INSTANCE_TYPE
