"""The NbJobsError tree. Each class carries the HTTP status a handler answers with."""


class NbJobsError(Exception):
    """Base error: `message` is for people, `reason` is a short machine-readable word."""

    status_code = 500
    reason = "internal_error"

    def __init__(self, message: str, reason: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if reason is not None:
            self.reason = reason
        self.field = field

    def to_dict(self) -> dict:
        body = {"message": self.message, "reason": self.reason}
        if self.field:
            body["field"] = self.field
        return body


class InvalidRequest(NbJobsError):
    status_code = 400
    reason = "invalid_request"

    @classmethod
    def from_validation(cls, exc) -> "InvalidRequest":
        """The one wording of a pydantic ValidationError: its first problem, and a count."""
        problems = exc.errors()
        first = problems[0]
        field = ".".join(str(p) for p in first.get("loc", ()))
        kind = first.get("type", "")
        if kind == "extra_forbidden":
            message, reason = f"unknown field {field!r}", "unknown_field"
        else:
            message = first.get("msg", "invalid value").removeprefix("Value error, ")
            message = f"{field}: {message}" if field else message
            # A model's own check names its reason with its error type (invalid_status, ...).
            reason = kind if kind.startswith("invalid_") else "invalid_value"
        more = len(problems) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        return cls(message, reason=reason, field=field or None)


class NotFound(NbJobsError):
    status_code = 404
    reason = "not_found"


class Conflict(NbJobsError):
    status_code = 409
    reason = "conflict"


class Forbidden(NbJobsError):
    status_code = 403
    reason = "forbidden"


class BackendUnavailable(NbJobsError):
    """The backend (for example AWS) answered with an error that is not the client's fault."""

    status_code = 502
    reason = "backend_error"
