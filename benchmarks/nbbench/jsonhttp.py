"""A tiny keep-alive JSON client on http.client: the least client overhead in the timings.

One connection per thread (the harness submits bursts from a thread pool). Only loopback.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from urllib.parse import urlencode


class HttpError(Exception):
    def __init__(self, method: str, path: str, status: int, body: bytes):
        super().__init__(f"{method} {path} -> HTTP {status}: {body[:300]!r}")
        self.status = status
        self.body = body


class JsonHttp:
    def __init__(self, port: int, token: str, timeout: float = 60.0):
        self.port = port
        self.timeout = timeout
        self.headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}
        self._local = threading.local()

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def request(self, method: str, path: str, body: object = None,
                query: dict | None = None) -> tuple[object, float]:
        """Send one request; return (decoded JSON or None, seconds until the body was read)."""
        if query:
            path = f"{path}?{urlencode({k: v for k, v in query.items() if v is not None})}"
        payload = None if body is None else json.dumps(body).encode()
        for attempt in (1, 2):  # a keep-alive connection the server closed: reconnect once
            conn = self._conn()
            start = time.perf_counter()
            try:
                conn.request(method, path, body=payload, headers=self.headers)
                resp = conn.getresponse()
                data = resp.read()
            except (ConnectionError, http.client.HTTPException, OSError):
                self._drop()
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - start
            if resp.status >= 400:
                raise HttpError(method, path, resp.status, data)
            return (json.loads(data) if data else None), elapsed
        raise AssertionError("unreachable")

    def get(self, path: str, **query) -> tuple[object, float]:
        return self.request("GET", path, query=query)

    def post(self, path: str, body: object) -> tuple[object, float]:
        return self.request("POST", path, body=body)

    def close(self) -> None:
        self._drop()
