"""Reading training job status in batches: Search for up to 20 names per call, then
DescribeTrainingJob for the names Search did not return yet (it is eventually consistent)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from ...aws.errors import aws_errors

SEARCH_BATCH = 20  # SageMaker's limit on SubExpressions
FINAL_STATES = ("Completed", "Failed", "Stopped")
STATUS_MAP = {"InProgress": "running", "Stopping": "stopping", "Completed": "completed",
              "Failed": "failed", "Stopped": "stopped"}


def describe_many(sagemaker: Any, names: list[str]) -> dict[str, dict[str, Any]]:
    """name -> description; a name SageMaker does not know maps to {"TrainingJobStatus": None}."""
    found: dict[str, dict[str, Any]] = {}
    if len(names) > 1:
        for start in range(0, len(names), SEARCH_BATCH):
            chunk = names[start:start + SEARCH_BATCH]
            expression = {
                "SubExpressions": [
                    {"Filters": [{"Name": "TrainingJobName", "Operator": "Equals", "Value": n}]}
                    for n in chunk
                ],
                "Operator": "Or",
            }
            with aws_errors("sagemaker"):
                # At most 20 names per call, so one page (MaxResults 100) holds every match.
                page = sagemaker.search(Resource="TrainingJob", SearchExpression=expression,
                                        MaxResults=100)
            for item in page.get("Results") or []:
                job = item.get("TrainingJob") or {}
                if job.get("TrainingJobName") in chunk:
                    found[job["TrainingJobName"]] = job
    for name in names:
        if name not in found:
            found[name] = describe_one(sagemaker, name)
    return found


def describe_one(sagemaker: Any, name: str) -> dict[str, Any]:
    try:
        with aws_errors("sagemaker"):
            return sagemaker.describe_training_job(TrainingJobName=name)
    except Exception as exc:  # noqa: BLE001 - only "not found" is an answer; the rest propagates
        cause = exc.__cause__
        if isinstance(cause, ClientError) and _is_not_found(cause):
            return {"TrainingJobName": name, "TrainingJobStatus": None}
        raise


def _is_not_found(exc: ClientError) -> bool:
    err = exc.response.get("Error", {})
    return err.get("Code") in ("ResourceNotFound", "ValidationException") and (
        "not found" in str(err.get("Message", "")).lower()
        or "could not find" in str(err.get("Message", "")).lower()
        or err.get("Code") == "ResourceNotFound")


def stop_training_job(sagemaker: Any, name: str) -> bool:
    """Ask SageMaker to stop; False when the job is already final (nothing to stop)."""
    try:
        with aws_errors("sagemaker"):
            sagemaker.stop_training_job(TrainingJobName=name)
        return True
    except Exception as exc:  # noqa: BLE001
        cause = exc.__cause__
        if isinstance(cause, ClientError):
            err = cause.response.get("Error", {})
            if err.get("Code") == "ValidationException" and "status" in str(err.get("Message", "")).lower():
                return False
        raise
