"""Presigned-URL targets (SageMaker notebook instances, Studio spaces): a local server plays
the presigned redirect in front of the password server of conftest.py, as SageMaker's does:
it checks the URL's one-time token, sets the session cookie, and redirects to the server."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from jupyterlab_nbjobs.backends.remote import RemoteBackend
from jupyterlab_nbjobs.errors import BackendUnavailable
from jupyterlab_nbjobs.runner.remote_http import AUTH_FAILED, RemoteError, RemoteSession
from tests.support.events import EventRecorder
from tests.support.jobkit import make_job, request


@contextlib.contextmanager
def presigner(server):
    """GET /auth?authToken=good -> the server's login cookie + 302 to it; else 403."""
    used: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            query = parse_qs(urlsplit(self.path).query)
            token = (query.get("authToken") or [""])[0]
            if not token.startswith("good") or token in used:  # one use, like SageMaker's
                self.send_response(403)
                self.end_headers()
                self.wfile.write(b"Invalid or expired authorization token")
                return
            used.append(token)
            with httpx.Client(base_url=server.url) as c:  # log in the way SageMaker's proxy does
                xsrf = c.get("/login").cookies["_xsrf"]
                resp = c.post("/login", data={"password": server.password, "_xsrf": xsrf})
                cookies = resp.headers.get_list("set-cookie")
            self.send_response(302)
            for cookie in cookies:
                self.send_header("Set-Cookie", cookie)
            self.send_header("Location", f"{server.url}/api/status")
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/auth"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_presigned_login_gets_the_cookie_and_xsrf_and_a_used_url_is_refused(password_server):
    with presigner(password_server) as auth:
        target = {"url": password_server.url, "presigned_url": f"{auth}?authToken=good-1"}
        with RemoteSession("nbi", target) as session:
            session.login()
            assert session.xsrf and "python3" in session.kernelspecs()["kernelspecs"]
            headers = session.auth_headers()
            assert "Authorization" not in headers and headers["X-XSRFToken"] == session.xsrf
            session.mkdir("presigned-probe")  # a write: the XSRF echo is accepted
            assert session.delete("presigned-probe")
        with RemoteSession("nbi", target) as again, pytest.raises(RemoteError) as err:
            again.login()  # the same presigned URL a second time
        assert err.value.reason == AUTH_FAILED and "presigned URL was refused" in str(err.value)


def test_a_job_runs_through_a_presigned_url_command(tmp_path, password_server):
    """presigned_url_command prints a fresh URL at each login (e.g. `aws sagemaker
    create-presigned-notebook-instance-url ... --output text`)."""
    with presigner(password_server) as auth:
        counter = tmp_path / "n"
        counter.write_text("0")
        mint = ("import pathlib, sys; p = pathlib.Path(sys.argv[1]); n = int(p.read_text()) + 1;"
                f" p.write_text(str(n)); print('{auth}?authToken=good-cmd-' + str(n))")
        target = {"url": password_server.url,
                  "presigned_url_command": [sys.executable, "-c", mint, str(counter)]}
        stale = {"url": password_server.url, "presigned_url": f"{auth}?authToken=expired"}
        events = EventRecorder()
        b = RemoteBackend(events, targets={"nbi": target, "stale": stale}, poll_interval=0.05)
        with pytest.raises(BackendUnavailable) as err:
            b.validate_options({"target": "stale"})
        assert err.value.reason == AUTH_FAILED and "presigned URL was refused" in err.value.message
        assert b.validate_options({"target": "nbi"}) == {"target": "nbi",
                                                         "keep_remote_folder": False}
        job = make_job(tmp_path, ["print(6 * 7)"])
        run = request(job)
        run.options = {"target": "nbi"}

        async def go():
            await b.start(run)
            result = await events.wait_finished("job1", 60)
            await b.close()
            return result

        result = asyncio.run(go())
        assert result["status"] == "completed", result
        assert int(counter.read_text()) == 2  # one URL for the probe, one for the runner
    assert password_server.kernels() == [] and password_server.runs() == []
