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
