"""Tags that let SageMaker Studio's own Notebook Jobs page list what we create, as
amazon-sagemaker-jupyter-scheduler 3.2 sets them: its job list is a SageMaker Search for
training jobs tagged `sagemaker:is-scheduling-notebook-job=true` and
`sagemaker:is-studio-archived=false` (in Studio also the domain, which SageMaker tags on
resources made from inside Studio, and the user profile); its job definitions are pipelines
with the same tags, and the runs of one carry `sagemaker:job-definition-id`."""

from __future__ import annotations

NAME_TAG = "sagemaker:name"
NOTEBOOK_TAG = "sagemaker:notebook-name"
IS_NOTEBOOK_JOB_TAG = "sagemaker:is-scheduling-notebook-job"
ARCHIVED_TAG = "sagemaker:is-studio-archived"
DRIVER_VERSION_TAG = "sagemaker:headless-execution-version"
USER_PROFILE_TAG = "sagemaker:user-profile-name"
JOB_DEFINITION_TAG = "sagemaker:job-definition-id"
MAX_TAG_VALUE = 256


def studio_tags(name: str, notebook: str, user_profile: str | None = None,
                job_definition: str | None = None) -> dict[str, str]:
    tags = {NAME_TAG: name[:MAX_TAG_VALUE] or notebook[:MAX_TAG_VALUE],
            NOTEBOOK_TAG: notebook[:MAX_TAG_VALUE], IS_NOTEBOOK_JOB_TAG: "true",
            ARCHIVED_TAG: "false", DRIVER_VERSION_TAG: "false"}  # "false": what Studio sends
    if user_profile:
        tags[USER_PROFILE_TAG] = user_profile[:MAX_TAG_VALUE]
    if job_definition:
        tags[JOB_DEFINITION_TAG] = job_definition
    return tags
