"""Which EMR clusters an instance may attach: state WAITING and a `project` tag equal to the
instance's own project. Checked on the server at create and update (and offered by options)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...errors import InvalidRequest

if TYPE_CHECKING:  # boto3 loads only when the feature is on
    from ...aws.notebooks import NotebookAws


class EmrNotAllowed(InvalidRequest):
    reason = "emr_not_allowed"


def attachable(aws: NotebookAws, project: str) -> list[dict[str, Any]]:
    """Blocking: the project's WAITING clusters."""
    return [c for c in aws.waiting_clusters() if c["tags"].get("project") == project]


def check_cluster(aws: NotebookAws, cluster_id: str, project: str) -> dict[str, Any]:
    """Blocking: the cluster, if the instance of `project` may attach it; else a 400."""
    cluster = aws.cluster(cluster_id)
    if cluster is None:
        raise EmrNotAllowed(f"no EMR cluster {cluster_id}", field="emr_cluster_id")
    if cluster["tags"].get("project") != project:
        raise EmrNotAllowed(f"EMR cluster {cluster_id} does not belong to project {project!r} "
                            "(its project tag)", field="emr_cluster_id")
    if cluster["state"] != "WAITING":
        raise EmrNotAllowed(f"EMR cluster {cluster_id} is {cluster['state']}; only a WAITING "
                            "cluster can be attached", field="emr_cluster_id")
    if not cluster.get("master_dns"):
        raise EmrNotAllowed(f"EMR cluster {cluster_id} has no master address yet",
                            field="emr_cluster_id")
    return cluster
