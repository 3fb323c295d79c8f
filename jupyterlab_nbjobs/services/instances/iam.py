"""The IAM policy that keeps a project's resources tagged: attached to the instances' role, it
denies creating SageMaker and EMR resources without the `project`, `system` and `user` tags,
with another project's `project` tag or another `system`, and removing those tags.

Conditions inside one statement must all hold, so each missing tag is a statement of its own
(a Null condition), and an explicit Deny wins over any Allow the role has."""

from __future__ import annotations

import re
from typing import Any

from ...aws.tags import REQUIRED_TAG_KEYS
from ...models.projects import PROJECT_NAME_PATTERN

# Create operations that take tags (CreatePresignedNotebookInstanceUrl, for one, takes none
# and must stay allowed).
TAGGED_CREATES = [
    "sagemaker:CreateNotebookInstance", "sagemaker:CreateNotebookInstanceLifecycleConfig",
    "sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob",
    "sagemaker:CreateTransformJob", "sagemaker:CreateHyperParameterTuningJob",
    "sagemaker:CreateModel", "sagemaker:CreateEndpointConfig", "sagemaker:CreateEndpoint",
    "sagemaker:CreatePipeline", "sagemaker:CreateExperiment", "sagemaker:CreateLabelingJob",
    "elasticmapreduce:RunJobFlow",
]
UNTAG = ["sagemaker:DeleteTags", "elasticmapreduce:RemoveTags"]


def _sid(*words: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", " ".join(words))
                   if w)


def iam_policy(project: str, system: str) -> dict[str, Any]:
    if not re.fullmatch(PROJECT_NAME_PATTERN, project):
        raise ValueError(f"project {project!r} is not a project name (1-24 letters and digits)")
    if not system:
        raise ValueError("the system tag is empty (c.NotebookInstances.tag_system)")
    statements: list[dict[str, Any]] = [{
        "Sid": _sid("DenyCreateWithout", key, "Tag"), "Effect": "Deny",
        "Action": TAGGED_CREATES, "Resource": "*",
        "Condition": {"Null": {f"aws:RequestTag/{key}": "true"}},
    } for key in REQUIRED_TAG_KEYS]
    for key, value in (("project", project), ("system", system)):
        statements.append({
            "Sid": _sid("DenyCreateWithOther", key), "Effect": "Deny",
            "Action": TAGGED_CREATES, "Resource": "*",
            "Condition": {"StringNotEquals": {f"aws:RequestTag/{key}": value}}})
    statements.append({
        "Sid": "DenyRemovingRequiredTags", "Effect": "Deny", "Action": UNTAG, "Resource": "*",
        "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": list(REQUIRED_TAG_KEYS)}}})
    return {"Version": "2012-10-17", "Statement": statements}
