"""The NbJobsError tree. Each class carries the HTTP status a handler answers with."""

import contextlib
import re

# A 400 lists at most this many problems (a body of a thousand bad tags need not echo them all).
MAX_LISTED_ERRORS = 100
_COUNTED = re.compile(r" \(and \d+ more problems?\)$")

# The `reason` of an error tornado raised (not one of ours) by its HTTP status.
HTTP_REASONS = {403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                503: "service_unavailable"}


def http_error_reason(status_code: int) -> str:
    return HTTP_REASONS.get(status_code, "http_error")


class NbJobsError(Exception):
    """Base error: `message` is for people, `reason` is a short machine-readable word."""

    status_code = 500
    reason = "internal_error"

    def __init__(self, message: str, reason: str | None = None, field: str | None = None,
                 errors: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.message = message
        if reason is not None:
            self.reason = reason
        self.field = field
        # Every problem of the request, each {"message", "field"?}: a form shows them all at
        # once. message/reason/field above describe the first, for clients that read one.
        self.errors = errors

    def to_dict(self) -> dict:
        body = {"message": self.message, "reason": self.reason}
        if self.field:
            body["field"] = self.field
        if self.errors:
            body["errors"] = self.errors
        return body


class InvalidRequest(NbJobsError):
    status_code = 400
    reason = "invalid_request"

    @classmethod
    def from_validation(cls, exc) -> "InvalidRequest":
        """The one wording of a pydantic ValidationError: its first problem and a count as
        the message, and every problem in `errors`, each with its own field."""
        problems = exc.errors()
        described = [_describe(problem) for problem in problems]
        field, message, reason = described[0]
        if field and reason != "unknown_field":
            message = f"{field}: {message}"
        more = len(problems) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        errors = [{"message": m, **({"field": f} if f else {})}
                  for f, m, _ in described[:MAX_LISTED_ERRORS]]
        return cls(message, reason=reason, field=field or None, errors=errors)


class Problems:
    """Checks run one after another, each in `with problems.check():`; every InvalidRequest
    they raise is kept, and `raise_any()` raises them as one 400 that lists them all."""

    def __init__(self) -> None:
        self.found: list[InvalidRequest] = []

    @contextlib.contextmanager
    def check(self):
        try:
            yield
        except InvalidRequest as exc:
            self.found.append(exc)

    def add(self, message: str, reason: str, field: str) -> None:
        self.found.append(InvalidRequest(message, reason=reason, field=field))

    def raise_any(self) -> None:
        if len(self.found) == 1:
            raise self.found[0]
        if not self.found:
            return
        errors = [e for exc in self.found for e in exc.errors or
                  [{"message": exc.message, **({"field": exc.field} if exc.field else {})}]]
        first, more = self.found[0], len(errors) - 1
        message = _COUNTED.sub("", first.message)  # its own count, if it listed several
        raise InvalidRequest(f"{message} (and {more} more problem{'s' if more > 1 else ''})",
                             reason=first.reason, field=first.field,
                             errors=errors[:MAX_LISTED_ERRORS])


def _describe(problem: dict) -> tuple[str, str, str]:
    """(field, message without the field's name, reason) of one pydantic problem."""
    field = ".".join(str(p) for p in problem.get("loc", ()))
    kind = problem.get("type", "")
    if kind == "extra_forbidden":
        return field, f"unknown field {field!r}", "unknown_field"
    message = problem.get("msg", "invalid value").removeprefix("Value error, ")
    # A model's own check names its reason with its error type (invalid_status, ...).
    return field, message, kind if kind.startswith("invalid_") else "invalid_value"


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
