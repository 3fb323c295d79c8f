"""The configured remote targets: checking the config, probing a target, what the API shows.

`c.RemoteBackend.targets = {"name": {"url": ..., "token": ...}, ...}`; a target may log in
with "password" or a SageMaker presigned URL instead (docs/remote.md). Secrets stay here:
`public()` never carries a token, password or presigned URL.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from ...errors import BackendUnavailable, InvalidRequest
from ...runner.remote_http import (
    AUTH_FAILED,
    UNREACHABLE,
    RemoteError,
    RemoteSession,
    login_kind,
    shown_url,
)

log = logging.getLogger(__name__)

TARGET_KEYS = {"url", "token", "password", "presigned_url", "presigned_url_command", "label",
               "folder", "verify", "timeout"}


def check_target(name: str, target: Any) -> dict[str, Any]:
    """A target's settings, checked; ValueError says what is wrong."""
    if not isinstance(target, dict):
        raise ValueError(f"remote target {name!r} must be a dict with a 'url'")
    unknown = sorted(set(target) - TARGET_KEYS)
    if unknown:
        raise ValueError(f"remote target {name!r}: unknown keys {unknown} "
                         f"(known: {sorted(TARGET_KEYS)})")
    url = str(target.get("url") or "")
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ValueError(f"remote target {name!r}: 'url' must be an http(s) URL, got {url!r}")
    logins = [k for k in ("token", "password", "presigned_url", "presigned_url_command")
              if target.get(k) is not None]
    if len(logins) > 1:
        raise ValueError(f"remote target {name!r}: give one of token, password, presigned_url, "
                         f"presigned_url_command (got {logins})")
    cmd = target.get("presigned_url_command")
    if cmd is not None and (not isinstance(cmd, list) or not all(isinstance(a, str) for a in cmd)):
        raise ValueError(f"remote target {name!r}: presigned_url_command is a list of strings")
    return dict(target)


def as_api_error(name: str, exc: RemoteError) -> BackendUnavailable:
    """A remote's failure as this API's 502: not the client's fault, but said clearly."""
    if exc.reason == AUTH_FAILED:
        hint = " (check its token/password in c.RemoteBackend.targets)"
    elif exc.reason == UNREACHABLE:
        hint = " (is the server running, and its URL right?)"
    else:
        hint = ""
    return BackendUnavailable(f"{exc.message}{hint}", reason=exc.reason,
                              field="backend_options.target")


class Targets:
    """The targets with a cache of what each one offers (kernelspecs) and whether it works."""

    def __init__(self, config: dict[str, Any], ok_ttl: float = 10.0, listing_ttl: float = 30.0):
        self.targets: dict[str, dict[str, Any]] = {}
        self.broken: dict[str, str] = {}
        for name, target in (config or {}).items():
            try:
                self.targets[str(name)] = check_target(str(name), target)
            except ValueError as exc:
                log.error("nbjobs: %s; the target is left out", exc)
                self.broken[str(name)] = str(exc)
        self.ok_ttl = ok_ttl
        self.listing_ttl = listing_ttl
        self._seen: dict[str, tuple[float, dict[str, Any] | None, str | None]] = {}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        return list(self.targets)

    def get(self, name: str) -> dict[str, Any]:
        target = self.targets.get(name)
        if target is None:
            known = ", ".join(self.targets) or "none"
            why = f" ({self.broken[name]})" if name in self.broken else ""
            raise InvalidRequest(f"unknown remote target {name!r}{why}; configured: {known}",
                                 reason="unknown_target", field="backend_options.target")
        return target

    def session(self, name: str) -> RemoteSession:
        target = self.get(name)
        return RemoteSession(name, target, timeout=float(target.get("timeout") or 30.0))

    def probe(self, name: str) -> dict[str, Any]:
        """Log in and read the kernelspecs (blocking). Raises RemoteError; caches both."""
        try:
            with self.session(name) as session:
                session.login()
                specs = session.kernelspecs()
        except RemoteError as exc:
            self._remember(name, None, exc.message)
            raise
        self._remember(name, specs, None)
        return specs

    def check(self, name: str) -> dict[str, Any]:
        """The target's kernelspecs, probed unless a success is fresh; a failure is a 502."""
        self.get(name)
        seen = self._seen.get(name)
        if seen and seen[1] is not None and time.monotonic() - seen[0] < self.ok_ttl:
            return seen[1]
        try:
            return self.probe(name)
        except RemoteError as exc:
            raise as_api_error(name, exc) from exc

    def _remember(self, name: str, specs: dict[str, Any] | None, error: str | None) -> None:
        with self._lock:
            self._seen[name] = (time.monotonic(), specs, error)

    def stale(self) -> list[str]:
        now = time.monotonic()
        return [n for n in self.targets
                if n not in self._seen or now - self._seen[n][0] > self.listing_ttl]

    def refresh(self, names: list[str] | None = None) -> None:
        """Probe targets (blocking); failures are remembered for the listing, not raised."""
        for name in names if names is not None else self.names():
            try:
                self.probe(name)
            except RemoteError as exc:
                log.warning("nbjobs: %s", exc.message)

    def public(self, name: str) -> dict[str, Any]:
        """What the environments endpoint shows of a target: never a secret."""
        target = self.targets[name]
        seen = self._seen.get(name)
        specs = (seen[1] or {}) if seen else {}
        kernels = [{"name": k, "display_name": (v.get("spec") or {}).get("display_name", k),
                    "language": (v.get("spec") or {}).get("language")}
                   for k, v in sorted((specs.get("kernelspecs") or {}).items())]
        return {
            "name": name, "label": str(target.get("label") or name),
            "url": shown_url(str(target["url"])), "login": login_kind(target),
            "status": "unknown" if seen is None else ("error" if seen[2] else "ok"),
            "error": seen[2] if seen else None,
            "kernels": kernels, "default_kernel": specs.get("default"),
        }
