"""HTTP to another Jupyter server: logging in, kernelspecs, kernels, and /api/contents.

Used by the remote runner (runner/remote_run.py) and by the remote backend (probes, the
environments listing, cleanup after a crash). Blocking (httpx): callers on an event loop use
asyncio.to_thread.

A target is a dict (see docs/remote.md):
    {"url": "http://host:8888/base/", "token": "..."}                 token login
    {"url": ..., "password": "..."}                                   the server's login form
    {"url": ..., "presigned_url": "https://...?authToken=..."}        a SageMaker presigned URL
    {"url": ..., "presigned_url_command": ["aws", "sagemaker", ...]}  prints a fresh one
Cookie logins echo the `_xsrf` cookie as `X-XSRFToken`, as Jupyter's own frontend does.
"""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

# RemoteError.reason values (the backend turns them into 4xx/502 answers).
UNREACHABLE = "remote_unreachable"
AUTH_FAILED = "remote_auth_failed"
NOT_FOUND = "remote_not_found"
REMOTE_ERROR = "remote_error"
PRESIGNED_FAILED = "remote_presigned_failed"


class RemoteError(Exception):
    def __init__(self, message: str, reason: str = REMOTE_ERROR, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.status = status


def login_kind(target: dict[str, Any]) -> str:
    if target.get("presigned_url") or target.get("presigned_url_command"):
        return "presigned"
    if target.get("password") is not None:
        return "password"
    return "token"


def shown_url(url: str) -> str:
    """The URL without credentials or query (a token may hide in either)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def contents_path(*parts: str) -> str:
    """A slash-joined API path with each segment quoted."""
    segs = [s for p in parts for s in str(p).split("/") if s]
    return "/".join(quote(s, safe="") for s in segs)


@dataclass
class RemoteSession:
    """One logged-in connection to a target. `name` is only for messages."""

    name: str
    target: dict[str, Any]
    timeout: float = 30.0
    client: httpx.Client = field(init=False)
    xsrf: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.base = str(self.target["url"]).rstrip("/")
        headers = {}
        if login_kind(self.target) == "token" and self.target.get("token"):
            headers["Authorization"] = f"token {self.target['token']}"
        self.client = httpx.Client(
            headers=headers, timeout=self.timeout, follow_redirects=False,
            verify=self.target.get("verify", True),
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> RemoteSession:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- logging in ----------------------------------------------------------------------

    def where(self) -> str:
        return f"remote target {self.name!r} ({shown_url(self.base)})"

    def login(self) -> None:
        """Get the cookies a cookie login needs; a token login only checks the token."""
        kind = login_kind(self.target)
        if kind == "password":
            self._password_login()
        elif kind == "presigned":
            self._presigned_login()
        self.request("GET", "api/status")  # proves the credentials work
        self._remember_xsrf()

    def _password_login(self) -> None:
        page = self._send("GET", f"{self.base}/login")
        self._remember_xsrf()
        if page.status_code >= 400 or not self.xsrf:
            raise RemoteError(f"{self.where()} shows no login page (HTTP {page.status_code})",
                              AUTH_FAILED, page.status_code)
        resp = self._send("POST", f"{self.base}/login",
                          data={"password": self.target["password"], "_xsrf": self.xsrf})
        # A good password redirects with the login cookie; a bad one shows the form again.
        if resp.status_code not in (301, 302, 303) or not self._has_login_cookie():
            raise RemoteError(f"{self.where()} refused the password (HTTP {resp.status_code})",
                              AUTH_FAILED, 403)

    def presigned_url(self) -> str:
        cmd = self.target.get("presigned_url_command")
        if not cmd:
            return str(self.target["presigned_url"])
        try:
            out = subprocess.run(list(cmd), capture_output=True, text=True, timeout=60,
                                 check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError) as exc:
            raise RemoteError(f"{self.where()}: presigned_url_command failed: {exc}",
                              PRESIGNED_FAILED) from exc
        if not out.startswith(("http://", "https://")):
            raise RemoteError(f"{self.where()}: presigned_url_command printed no URL",
                              PRESIGNED_FAILED)
        return out.splitlines()[-1]

    def _presigned_login(self) -> None:
        """Follow the presigned URL's redirects, keeping its cookies; `_xsrf` comes with the
        page it ends on (SageMaker's: the Lab), or else from the login page."""
        resp = self._send("GET", self.presigned_url(), follow=True)
        if resp.status_code >= 400:
            raise RemoteError(f"{self.where()}: the presigned URL was refused (HTTP "
                              f"{resp.status_code}; expired or used already?)",
                              AUTH_FAILED, resp.status_code)
        self._remember_xsrf()
        for page in ("login", "lab"):  # pages that set it on any Jupyter Server / with Lab
            if self.xsrf:
                break
            self._send("GET", f"{self.base}/{page}")
            self._remember_xsrf()

    def relogin(self) -> None:
        """A cookie session that expired (a long run): log in again."""
        if login_kind(self.target) != "token":
            self.client.cookies.clear()
            self.xsrf = None
            self.login()

    def _has_login_cookie(self) -> bool:
        return any(name != "_xsrf" for name in self.client.cookies.keys())

    def _remember_xsrf(self) -> None:
        value = self.client.cookies.get("_xsrf")
        if value:
            self.xsrf = value

    # -- what the gateway kernel manager needs ----------------------------------------

    def auth_headers(self) -> dict[str, str]:
        """Headers for requests made outside this client (the kernel's websocket and the
        gateway client's HTTP calls): the token, or the cookies and the XSRF echo."""
        if login_kind(self.target) == "token":
            token = self.target.get("token")
            return {"Authorization": f"token {token}"} if token else {}
        headers = {}
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.client.cookies.jar)
        if cookies:
            headers["Cookie"] = cookies
        if self.xsrf:
            headers["X-XSRFToken"] = self.xsrf
        return headers

    # -- requests ----------------------------------------------------------------------

    def _send(self, method: str, url: str, follow: bool = False, **kw: Any) -> httpx.Response:
        headers = dict(kw.pop("headers", None) or {})
        if self.xsrf and method not in ("GET", "HEAD"):
            headers["X-XSRFToken"] = self.xsrf
        try:
            return self.client.request(method, url, headers=headers, follow_redirects=follow,
                                       **kw)
        except httpx.TransportError as exc:
            raise RemoteError(f"{self.where()} is unreachable: {type(exc).__name__}: {exc}",
                              UNREACHABLE) from exc

    def request(self, method: str, path: str, ok: tuple[int, ...] = (), **kw: Any) -> Any:
        """One API call; JSON answer (or None). Raises RemoteError with a clear reason."""
        resp = self._send(method, f"{self.base}/{path.lstrip('/')}", **kw)
        if resp.status_code in ok:
            return None
        if resp.status_code in (401, 403) or (
            resp.status_code in (301, 302) and "/login" in resp.headers.get("location", "")
        ):
            raise RemoteError(f"{self.where()} refused our credentials (HTTP "
                              f"{resp.status_code} on {method} /{path.split('?')[0]})",
                              AUTH_FAILED, resp.status_code)
        if resp.status_code == 404:
            raise RemoteError(f"{self.where()}: /{path.split('?')[0]} not found",
                              NOT_FOUND, 404)
        if resp.status_code >= 300:
            detail = _message(resp)
            raise RemoteError(f"{self.where()} answered HTTP {resp.status_code} on {method} "
                              f"/{path.split('?')[0]}: {detail}", REMOTE_ERROR, resp.status_code)
        return resp.json() if resp.content else None

    # -- kernelspecs and kernels -------------------------------------------------------

    def kernelspecs(self) -> dict[str, Any]:
        """{"default": name, "kernelspecs": {name: {"name", "spec": {...}}}}"""
        return self.request("GET", "api/kernelspecs") or {}

    def kernels(self) -> list[dict[str, Any]]:
        return self.request("GET", "api/kernels") or []

    def delete_kernel(self, kernel_id: str) -> bool:
        """Delete a kernel; False when it was gone already."""
        try:
            self.request("DELETE", f"api/kernels/{quote(kernel_id, safe='')}")
        except RemoteError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    # -- contents ----------------------------------------------------------------------

    def mkdir(self, path: str) -> None:
        self.request("PUT", f"api/contents/{contents_path(path)}", json={"type": "directory"})

    def put_file(self, path: str, data: bytes) -> dict[str, Any]:
        body = {"type": "file", "format": "base64",
                "content": base64.b64encode(data).decode("ascii")}
        return self.request("PUT", f"api/contents/{contents_path(path)}", json=body) or {}

    def get_file(self, path: str) -> bytes:
        model = self.request(
            "GET", f"api/contents/{contents_path(path)}?type=file&format=base64&content=1")
        content = model.get("content") or ""
        if model.get("format") == "base64":
            return base64.b64decode(content)
        return content.encode("utf-8")

    def walk(self, path: str) -> Iterator[dict[str, Any]]:
        """Every file model under a remote folder (hidden files are not listed by Jupyter)."""
        model = self.request("GET", f"api/contents/{contents_path(path)}?content=1")
        for child in model.get("content") or []:
            if child.get("type") == "directory":
                yield from self.walk(child["path"])
            else:
                yield child

    def delete(self, path: str) -> bool:
        """Delete a file or a folder with what is in it; False when it was gone."""
        try:
            self.request("DELETE", f"api/contents/{contents_path(path)}")
        except RemoteError as exc:
            if exc.status == 404:
                return False
            if exc.status == 400:  # a folder that is not empty: empty it first
                for child in (self.request(
                        "GET", f"api/contents/{contents_path(path)}?content=1") or {}
                        ).get("content") or []:
                    self.delete(child["path"])
                self.request("DELETE", f"api/contents/{contents_path(path)}")
                return True
            raise
        return True


def _message(resp: httpx.Response) -> str:
    try:
        body = resp.json()
        return str(body.get("message") or body.get("reason") or body)[:500]
    except ValueError:
        return resp.text[:300]
