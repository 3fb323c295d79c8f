"""Every /nbjobs/ request, when the services live in their own process: authenticated and
authorized here by jupyter_server, then forwarded over the process's Unix socket with the
user and the authorizer's decisions (service_process/protocol.py).

Imports nothing of the services (no pydantic, no SQLAlchemy): the server stays as light as
a bare one while the process is down.
"""

from __future__ import annotations

import json
import socket
from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server.base.handlers import APIHandler
from tornado import web
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.iostream import StreamClosedError
from tornado.netutil import Resolver
from tornado.simple_httpclient import SimpleAsyncHTTPClient

from ..errors import http_error_reason
from ..service_process.parent import ServiceProcess, ServiceUnavailable
from ..service_process.protocol import (
    ACTIONS,
    ALLOWED_HEADER,
    USER_HEADER,
    announces_a_job,
    user_to_json,
)

# What a handler of the process sets that the client must see as it was set there.
RESPONSE_HEADERS = ("Content-Disposition", "X-Content-Type-Options", "Content-Security-Policy",
                    "Location", "Cache-Control", "Retry-After")
REQUEST_HEADERS = ("Content-Type", "Accept")
NO_BODY = (204, 304)
# Requests past MAX_CONCURRENT wait their turn in the client's queue for up to the smaller of
# the two timeouts (tornado's rule): as long as a request may take, as in the server itself.
REQUEST_TIMEOUT = 3600.0  # an archive of large outputs, a slow cloud call: not ours to cut
MAX_CONCURRENT = 256


class _UnixSocket(Resolver):
    """Resolves every host to the service process's socket."""

    def initialize(self, path: str) -> None:  # type: ignore[override]
        self.path = path

    async def resolve(self, host: str, port: int,
                      family: socket.AddressFamily = socket.AF_UNSPEC) -> list:
        return [(socket.AF_UNIX, self.path)]


def service_client(service: ServiceProcess) -> SimpleAsyncHTTPClient:
    return SimpleAsyncHTTPClient(force_instance=True, resolver=_UnixSocket(path=service.socket),
                                 max_clients=MAX_CONCURRENT, max_body_size=1 << 31,
                                 max_buffer_size=1 << 31)


class ServiceProxyHandler(APIHandler):
    auth_resource = "nbjobs"

    def initialize(self, service: ServiceProcess, client: SimpleAsyncHTTPClient,
                   prefix: str) -> None:
        self.service = service
        self.client = client
        self.prefix = prefix  # base_url + "nbjobs/"

    @web.authenticated
    async def _forward(self, *args: Any) -> None:
        user = self.current_user
        allowed = [action for action in ACTIONS if await ensure_async(
            self.authorizer.is_authorized(self, user, action, self.auth_resource))]
        if not allowed:  # no right at all on nbjobs: nothing to start a process for
            raise web.HTTPError(403, f"User is not authorized on resource: {self.auth_resource}.")
        with self.service.request():
            try:
                await self.service.ready(announces_a_job(self.request.method or "",
                                                         self._path()))
            except ServiceUnavailable as exc:
                self.log.error("notebook jobs: the service process could not start: %s", exc)
                raise web.HTTPError(503, "notebook jobs could not start; see the server log",
                                    reason="Service Unavailable") from None
            response = await self._send(user, allowed)
        self.set_status(response.code, response.reason)
        for name in RESPONSE_HEADERS:
            if name in response.headers:
                self.set_header(name, response.headers[name])
        content_type = response.headers.get("Content-Type", "application/json")
        if response.code in NO_BODY or self.request.method == "HEAD":
            self.finish(set_content_type=content_type)
        else:
            self.finish(response.body, set_content_type=content_type)

    get = post = put = patch = delete = head = _forward

    async def _send(self, user: Any, allowed: list[str]) -> Any:
        headers = {name: self.request.headers[name] for name in REQUEST_HEADERS
                   if name in self.request.headers}
        headers[USER_HEADER] = user_to_json(user)
        headers[ALLOWED_HEADER] = ",".join(allowed)
        path = self._path()
        method = self.request.method or "GET"
        request = HTTPRequest(
            f"http://nbjobs-service/nbjobs/{path}", method=method, headers=headers,
            body=self.request.body if method in ("POST", "PUT", "PATCH") else None,
            allow_nonstandard_methods=True, follow_redirects=False,
            connect_timeout=REQUEST_TIMEOUT, request_timeout=REQUEST_TIMEOUT,
            decompress_response=False)
        try:
            return await self.client.fetch(request, raise_error=False)
        except (OSError, StreamClosedError, HTTPClientError) as exc:
            self.log.error("notebook jobs: the service process did not answer %s %s: %s",
                           method, self.request.path, exc)
            if isinstance(exc, (ConnectionRefusedError, FileNotFoundError)):
                self.service.lost()  # no one listens: the next request starts anew
            raise web.HTTPError(503, "notebook jobs did not answer; try again",
                                reason="Service Unavailable") from None

    def _path(self) -> str:
        """What follows nbjobs/ in the request, its query included."""
        uri = self.request.uri or ""
        if uri.startswith(self.prefix):
            return uri[len(self.prefix):]
        return uri.split("/nbjobs/", 1)[-1]  # the base URL spelled otherwise (escaped)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """The one error shape: {"message", "reason"}."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = getattr(exc, "log_message", None) or self._reason
        reason = http_error_reason(status_code)
        if not isinstance(exc, web.HTTPError):
            message, reason = "internal error; see the server log", "internal_error"
        self.finish(json.dumps({"message": message, "reason": reason}))
