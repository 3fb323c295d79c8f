"""The base of every handler: auth resource, JSON in and out, one error shape."""

from __future__ import annotations

import json
import re
import typing
from typing import Any, TypeVar

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from pydantic import BaseModel, ValidationError
from tornado import web

from ..errors import InvalidRequest, NbJobsError, http_error_reason

M = TypeVar("M", bound=BaseModel)
INTEGER = re.compile(r"-?[0-9]+")  # an integer query argument, as JSON Schema reads one

MAX_BODY_BYTES = 2 << 20  # a request body; one JSON field of it is at most MAX_JSON_BYTES


class BodyTooLarge(NbJobsError):
    status_code = 413
    reason = "body_too_large"


def validate(model: type[M], data: dict[str, Any]) -> M:
    """A model from client data, or a 400 worded by InvalidRequest.from_validation."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequest.from_validation(exc) from None


class NbJobsHandler(ExtensionHandlerMixin, APIHandler):
    auth_resource = "nbjobs"

    @property
    def jobs(self):
        return self.settings["nbjobs_jobs"]

    @property
    def username(self) -> str | None:
        user = self.current_user
        return getattr(user, "username", None) if user else None

    def parse_body(self, model: type[M]) -> M:
        body = self.request.body or b"{}"
        if len(body) > MAX_BODY_BYTES:
            raise BodyTooLarge(f"the request body is {len(body)} bytes; the limit is "
                               f"{MAX_BODY_BYTES}")
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidRequest(f"request body is not valid JSON: {exc}",
                                 reason="malformed_json") from None
        except ValueError as exc:  # an integer of more digits than int() converts
            raise InvalidRequest(f"request body: {str(exc).split(';')[0]}",
                                 reason="invalid_json_value") from None
        except RecursionError:
            raise InvalidRequest("request body nests too deeply to parse",
                                 reason="invalid_json_value") from None
        if not isinstance(data, dict):
            raise InvalidRequest("request body must be a JSON object", reason="malformed_json")
        return validate(model, data)

    def parse_query(self, model: type[M]) -> M:
        """The query arguments `model` has fields for (by alias), the others ignored. An empty
        argument is a 400 (leave it out instead); a list field takes every repeat, any other
        the last one. Values are read as sent (not stripped; tornado turns control characters
        into spaces)."""
        data: dict[str, Any] = {}
        for name, info in model.model_fields.items():
            key = info.alias or name
            values = self.get_query_arguments(key, strip=False)
            if "" in values:
                raise self._empty_argument(key)
            if info.annotation is int and not all(INTEGER.fullmatch(v) for v in values):
                raise InvalidRequest(f"{key} must be an integer", reason="invalid_value",
                                     field=key)
            if values:
                data[key] = values if typing.get_origin(info.annotation) is list else values[-1]
        return validate(model, data)

    @staticmethod
    def _empty_argument(name: str) -> InvalidRequest:
        return InvalidRequest(f"{name} is empty: give a value or leave it out",
                              reason="invalid_value", field=name)

    def query_int(self, name: str, default: int | None, low: int, high: int) -> int | None:
        """A query argument of decimal digits (an optional leading '-'), within [low, high]."""
        raw = self.get_query_argument(name, None, strip=False)
        if raw is None:
            return default
        if raw == "":
            raise self._empty_argument(name)
        try:
            if not INTEGER.fullmatch(raw):
                raise ValueError(raw)
            value = int(raw)
        except ValueError:
            raise InvalidRequest(f"{name} must be an integer", reason="invalid_value",
                                 field=name) from None
        if not low <= value <= high:
            raise InvalidRequest(f"{name} must be between {low} and {high}",
                                 reason="invalid_value", field=name)
        return value

    def query_bool(self, name: str, default: bool = False) -> bool:
        """A query argument that is true, false, 1 or 0."""
        raw = self.get_query_argument(name, None, strip=False)
        if raw is None:
            return default
        if raw not in ("true", "false", "1", "0"):
            raise InvalidRequest(f"{name} must be true, false, 1 or 0", reason="invalid_value",
                                 field=name)
        return raw in ("true", "1")

    def write_model(self, model: BaseModel | dict[str, Any], status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        if isinstance(model, BaseModel):
            self.finish(model.model_dump_json())
        else:
            self.finish(json.dumps(model, default=str))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, NbJobsError):
            self.set_status(exc.status_code)
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(exc.to_dict()))
            return
        if isinstance(exc, web.HTTPError):
            self.set_header("Content-Type", "application/json")
            message = exc.log_message or self._reason
            if exc.args and "%" in str(message) and len(exc.args) > 2:
                message = message % exc.args[2:]
            self.finish(json.dumps({"message": message,
                                    "reason": http_error_reason(status_code)}))
            return
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": "internal error; see the server log",
                                "reason": "internal_error"}))

    def _handle_request_exception(self, e: BaseException) -> None:
        # NbJobsError is a client-facing answer, not a crash: no traceback in the log.
        if isinstance(e, NbJobsError):
            if self._finished:
                return
            self.send_error(e.status_code, exc_info=(type(e), e, e.__traceback__))
            return
        super()._handle_request_exception(e)


class NotFoundHandler(NbJobsHandler):
    """A path under /nbjobs/ that names nothing (in the service process): a JSON 404."""

    @web.authenticated
    @authorized
    def _not_found(self, *args: Any) -> None:
        raise web.HTTPError(404, "no such path under /nbjobs/", reason="Not Found")

    get = post = put = patch = delete = head = _not_found
