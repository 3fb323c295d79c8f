"""Required tags on every AWS resource we create, enforced on the client itself.

The guard is a botocore `before-parameter-build` hook on each create operation, so no
code path (ours or a later one) can create an untagged resource: the call fails before
a request is signed or sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ..errors import InvalidRequest

REQUIRED_TAG_KEYS = ("project", "system", "user")
# Our own tags, for finding what we created (Search on tags) and for clean-up.
JOB_ID_TAG = "nbjobs:job-id"
ATTEMPT_TAG = "nbjobs:attempt"
SCHEDULE_ID_TAG = "nbjobs:schedule-id"

# (service, operation) -> how to read the tags out of the request parameters.
_GUARDED: dict[tuple[str, str], str] = {
    ("sagemaker", "CreateTrainingJob"): "list",
    ("sagemaker", "CreatePipeline"): "list",
    ("scheduler", "CreateScheduleGroup"): "list",
    ("s3", "PutObject"): "query",
    ("s3", "CreateMultipartUpload"): "query",
    # notebook instances of projects
    ("sagemaker", "CreateNotebookInstance"): "list",
    ("sagemaker", "CreateNotebookInstanceLifecycleConfig"): "list",
    ("emr", "RunJobFlow"): "list",
}


class MissingTags(InvalidRequest):
    reason = "missing_tags"


@dataclass
class TagPolicy:
    """The values of the required tags, plus extra tags an admin wants everywhere."""

    project: str
    system: str
    user: str
    extra: dict[str, str] = field(default_factory=dict)

    def as_dict(self, **ours: str) -> dict[str, str]:
        tags = dict(self.extra)
        tags.update({"project": self.project, "system": self.system, "user": self.user})
        tags.update({k: str(v) for k, v in ours.items() if v is not None})
        return tags

    def as_list(self, **ours: str) -> list[dict[str, str]]:
        return to_tag_list(self.as_dict(**ours))

    def as_query(self, **ours: str) -> str:
        """The form S3 wants in PutObject's `Tagging` (URL-encoded key=value pairs)."""
        return urlencode(self.as_dict(**ours))


def to_tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def check_required_tags(tags: dict[str, str], what: str = "resource") -> None:
    missing = [k for k in REQUIRED_TAG_KEYS if not str(tags.get(k) or "").strip()]
    if missing:
        raise MissingTags(
            f"refusing to create the {what} without the required tag(s) "
            f"{', '.join(missing)}; set them in the server's config (jobs: SageMakerConfig."
            "tag_project/tag_system/tag_user; notebook instances: NotebookInstances.tag_system)",
            field="tags",
        )


def _tags_in(params: dict[str, Any], style: str) -> dict[str, str]:
    if style == "list":
        return {t.get("Key", ""): t.get("Value", "") for t in params.get("Tags") or []}
    return dict(parse_qsl(params.get("Tagging") or "", keep_blank_values=True))


def install_tag_guard(client: Any, service: str) -> None:
    """Make `client` refuse guarded create calls that lack the required tags."""
    for (svc, op), style in _GUARDED.items():
        if svc != service:
            continue

        def guard(params, _op=op, _style=style, **_kwargs):
            check_required_tags(_tags_in(params, _style), what=f"{service} {_op} target")

        client.meta.events.register(f"before-parameter-build.{service}.{op}", guard)
