"""The service process: the job store, the services and their handlers, serving the
server's /nbjobs/ requests on a Unix socket (see protocol.py for the exchange).

The handlers are the same classes the server runs when the services live in it. They see
the user and the authorizer's decisions the server sent with each request: the server
authenticated the request (host, token or cookie, XSRF, CORS) before forwarding it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from .protocol import Spec, config_from_json

log = logging.getLogger("jupyterlab_nbjobs.service_process")

MAX_BODY_BYTES = 1 << 30  # the server applies its own limit before forwarding


def main() -> int:
    from ..optional_imports import skip_iri_grammar

    skip_iri_grammar()  # ~1 s of imports; nothing here checks IRI formats
    # A Ctrl-C in the server's terminal reaches this process too; the server asks whether
    # to stop and, if it stops, closes the pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The answer goes out on a copy of stdout; stdout itself becomes the log, so that a
    # library's print can neither spoil the answer nor fill a pipe nobody reads.
    answer = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    spec = Spec(**json.loads(sys.stdin.readline()))
    # Started from the package's folder, so that nothing in the server's folder shadows an
    # import (the import path keeps that folder); then in the server's, for relative paths.
    if spec.cwd:
        os.chdir(spec.cwd)
    # The server's own log format, so that one reading the server's log reads this one too.
    logging.basicConfig(level=spec.log_level, stream=sys.stderr, datefmt="%Y-%m-%d %H:%M:%S",
                        format="[%(levelname)1.1s %(asctime)s.%(msecs)03d NbJobsService] "
                        "%(message)s")
    try:
        return asyncio.run(serve(spec, lambda message: _tell(answer, message)))
    except Exception as exc:  # noqa: BLE001 - the server reads why, and answers 503
        log.exception("the notebook jobs service could not start")
        with contextlib.suppress(OSError):  # the server may be gone
            _tell(answer, {"error": f"{type(exc).__name__}: {exc}"})
        return 1


async def serve(spec: Spec, tell: Callable[[dict[str, Any]], None]) -> int:
    from jupyter_client.kernelspec import KernelSpecManager
    from tornado.httpserver import HTTPServer
    from tornado.netutil import bind_unix_socket
    from tornado.web import Application

    from ..paths import spell_out_kernel_dirs
    from ..settings import EXTENSION_NAME, NbJobsSettings

    config = config_from_json(spec.config)
    settings = NbJobsSettings(config=config, log=logging.getLogger("jupyterlab_nbjobs"))
    ready_made = _pool_started_first(settings) if spec.warm_first else ()

    from ..composition import build
    from ..handlers import all_routes
    from ..handlers.base import NotFoundHandler
    from .forwarded import ForwardedDecisions, ForwardedUser

    kernel_specs = KernelSpecManager(config=config)
    spell_out_kernel_dirs(kernel_specs)
    try:
        nbjobs = await asyncio.to_thread(build, settings, root_dir=spec.root_dir,
                                         kernel_specs=kernel_specs.get_all_specs,
                                         ready_made=ready_made)
    except BaseException:
        for backend in ready_made:  # its pool was started
            await backend.close()
        raise
    server = None
    try:
        await nbjobs.start(run_scheduler=settings.enable_scheduler)
        stopping = asyncio.Event()
        _stop_on_eof_or_term(stopping)
        name = EXTENSION_NAME
        web_app = Application(
            [(pattern, handler, {"name": name}) for pattern, handler in all_routes("/nbjobs")],
            default_handler_class=NotFoundHandler, default_handler_args={"name": name},
            base_url="/", identity_provider=ForwardedUser(), authorizer=ForwardedDecisions(),
            disable_check_xsrf=True, allow_remote_access=True, log_function=_log_request,
            headers=spec.headers, csp_report_uri=spec.csp_report_uri,
            nbjobs_default_kernel=spec.default_kernel, **{name: settings},
            **nbjobs.handler_settings())
        server = HTTPServer(web_app, max_body_size=MAX_BODY_BYTES, xheaders=False)
        server.add_socket(bind_unix_socket(spec.socket, mode=0o600))
        tell({"ready": True, "pid": os.getpid()})
        await stopping.wait()
    finally:
        if server is not None:
            server.stop()
            await server.close_all_connections()
        await nbjobs.close()
        log.debug("the notebook jobs service stopped")
    return 0


def _pool_started_first(settings: Any) -> tuple[Any, ...]:
    """The local backend, its warm pool started before the rest is imported: the pool's
    start (its own processes) and the imports here then take the time of the longer one."""
    from ..backends.local import LocalBackend

    if settings.backend_classes and LocalBackend not in settings.backend_classes:
        return ()
    settings.carry_moved_settings()
    local = LocalBackend(None, parent=settings)  # its events: the job service, once built
    if local.pool is not None:
        local.pool.ensure_started()
    return (local,)


def _tell(answer: Any, message: dict[str, Any]) -> None:
    """The one line the server waits for."""
    if answer.closed:  # told already
        return
    answer.write(json.dumps(message) + "\n")
    answer.flush()
    answer.close()


def _stop_on_eof_or_term(stopping: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stopping.set)

    def wait_for_eof() -> None:
        sys.stdin.read()  # the server closed its end: it is stopping, or gone
        loop.call_soon_threadsafe(stopping.set)

    threading.Thread(target=wait_for_eof, name="nbjobs-stdin", daemon=True).start()


def _log_request(handler: Any) -> None:
    status = handler.get_status()
    if status >= 500:
        log.error("%d %s", status, handler._request_summary())
    else:
        log.debug("%d %s", status, handler._request_summary())
