"""The routes under /nbjobs/, loaded with the first request that needs them.

The server registers one `OnDemandRoutes` at start. Until a request arrives, neither the
handlers nor what they import (pydantic, the services, SQLAlchemy) are loaded. The first
request waits, with its body buffered, while `load` brings them in; it is then served by
its own handler, as every later request is without the wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from inspect import isclass
from typing import Any

from jupyter_server.base.handlers import APIHandler
from tornado import httputil, web
from tornado.routing import Router, RuleRouter

log = logging.getLogger(__name__)

Routes = list[tuple[Any, ...]]  # (pattern, handler class, kwargs), as tornado takes them


class OnDemandRoutes(Router):
    """Routes the prefix's requests to handlers that `load` returns when first needed."""

    # jupyter_server checks each registered handler class's methods for authentication; a
    # router has none (tests/handlers/test_auth.py checks every handler it loads).
    SUPPORTED_METHODS: tuple[str, ...] = ()

    def __init__(self, application: web.Application, load: Callable[[], Awaitable[Routes]]):
        self.application = application
        self._load = load
        self._handlers: _HandlerRules | None = None
        self._loading: asyncio.Future | None = None

    @property
    def loaded(self) -> bool:
        return self._handlers is not None

    def find_handler(self, request: httputil.HTTPServerRequest,
                     **kwargs: Any) -> httputil.HTTPMessageDelegate | None:
        if self._handlers is not None:
            return self._handlers.find_handler(request)  # None: the server's own 404
        return _LoadThenServe(self, request)

    async def load(self) -> None:
        """Load once; callers meanwhile share the one load. A failed load is tried again
        by the next request."""
        if self._handlers is not None:
            return
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._load())
        loading = self._loading
        try:
            routes = await asyncio.shield(loading)
        except BaseException:
            if self._loading is loading and loading.done():
                self._loading = None
            raise
        if self._handlers is None:
            self._handlers = _HandlerRules(self.application, routes)


class _HandlerRules(RuleRouter):
    """Tornado rules whose targets are RequestHandler classes of `application`."""

    def __init__(self, application: web.Application, rules: Routes):
        self.application = application
        super().__init__(rules)

    def get_target_delegate(self, target: Any, request: httputil.HTTPServerRequest,
                            **target_params: Any) -> httputil.HTTPMessageDelegate | None:
        if isclass(target) and issubclass(target, web.RequestHandler):
            return self.application.get_handler_delegate(request, target, **target_params)
        return super().get_target_delegate(target, request, **target_params)


class _LoadThenServe(httputil.HTTPMessageDelegate):
    """The first requests: keep the head and body, load the routes, then hand the request to
    the delegate the application finds for it (its handler, or the server's 404)."""

    def __init__(self, routes: OnDemandRoutes, request: httputil.HTTPServerRequest):
        self.routes = routes
        self.request = request
        self.head: tuple[Any, httputil.HTTPHeaders] | None = None
        self.chunks: list[bytes] = []
        self.delegate: httputil.HTTPMessageDelegate | None = None
        self.closed = False
        self.task: asyncio.Task | None = None

    def headers_received(self, start_line, headers) -> None:
        self.head = (start_line, headers)

    def data_received(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    def finish(self) -> None:
        self.task = asyncio.ensure_future(self._serve())
        set_close = getattr(self.request.connection, "set_close_callback", None)
        if set_close is not None:  # HTTP1Connection's: tornado calls us only before finish()
            set_close(self.on_connection_close)

    def on_connection_close(self) -> None:
        self.closed = True
        if self.delegate is not None:
            self.delegate.on_connection_close()

    async def _serve(self) -> None:
        application = self.routes.application
        if not await self._may_load():
            delegate = application.get_handler_delegate(self.request, NotLoadingHandler)
        else:
            try:
                await self.routes.load()
            except Exception:
                log.exception("notebook jobs could not start; the request gets a 503")
                delegate = application.get_handler_delegate(self.request, StartFailedHandler)
            else:
                delegate = application.find_handler(self.request)
        if self.closed:
            return
        self.delegate = delegate
        assert self.head is not None
        try:
            delegate.headers_received(*self.head)
            for chunk in self.chunks:
                delegate.data_received(chunk)
            delegate.finish()
        except Exception:  # noqa: BLE001 - never leave the client waiting on an open socket
            log.exception("could not hand the request to its handler")
            close = getattr(self.request.connection, "close", None)  # HTTP1Connection's
            if close is not None:
                close()


    async def _may_load(self) -> bool:
        """Only a request of a known user loads the services (not a CORS preflight, a wrong
        host or an anonymous client), asked the way jupyter_server's handlers ask."""
        if self.request.method == "OPTIONS":
            return False
        probe = NotLoadingHandler(self.routes.application, self.request)
        if not probe.check_host():
            return False
        try:
            user = probe.identity_provider.get_user(probe)
            if isinstance(user, Awaitable):
                user = await user
        except Exception:  # noqa: BLE001 - the handler it goes to answers as jupyter_server does
            return False
        return user is not None


class NotLoadingHandler(APIHandler):
    """A request that may not load the services: jupyter_server's own answer (403, the login
    redirect, the CORS preflight), else 403."""

    def _refuse(self, *args: Any) -> None:
        raise web.HTTPError(403)

    get = post = put = patch = delete = head = _refuse


class StartFailedHandler(APIHandler):
    """Any method: 503 with the JSON error shape, after jupyter_server's own checks (auth,
    host, CORS, XSRF); the cause is in the server log only."""

    async def prepare(self) -> None:
        await super().prepare()
        raise web.HTTPError(503, "notebook jobs could not start; see the server log",
                            reason="Service Unavailable")

    @web.authenticated
    def _unavailable(self, *args: Any) -> None:
        raise web.HTTPError(503, reason="Service Unavailable")

    get = post = put = patch = delete = head = _unavailable
