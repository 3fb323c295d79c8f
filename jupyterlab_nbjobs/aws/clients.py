"""One boto3 session and one cached client per service, all pointed at the same endpoint.

`endpoint_url` exists for tests: a single moto server answers for every service.
Clients are thread-safe once built; building them is not, hence the lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from .tags import install_tag_guard


@dataclass(frozen=True)
class AwsSettings:
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    max_attempts: int = 5
    retry_mode: str = "standard"
    connect_timeout: float = 10.0
    read_timeout: float = 60.0


class AwsClients:
    def __init__(self, settings: AwsSettings | None = None):
        self.settings = settings or AwsSettings()
        self._session: boto3.Session | None = None
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def session(self) -> boto3.Session:
        with self._lock:
            if self._session is None:
                self._session = boto3.Session(
                    profile_name=self.settings.profile or None,
                    region_name=self.settings.region or None,
                )
            return self._session

    @property
    def region(self) -> str | None:
        return self.settings.region or self.session.region_name

    def client(self, service: str) -> Any:
        session = self.session
        with self._lock:
            found = self._clients.get(service)
            if found is not None:
                return found
            config = Config(
                retries={"mode": self.settings.retry_mode, "max_attempts": self.settings.max_attempts},
                connect_timeout=self.settings.connect_timeout,
                read_timeout=self.settings.read_timeout,
                # S3 through a custom endpoint (moto) needs path-style bucket addressing.
                s3={"addressing_style": "path"} if self.settings.endpoint_url else None,
            )
            made = session.client(
                service,
                region_name=self.region,
                endpoint_url=self.settings.endpoint_url or None,
                config=config,
            )
            install_tag_guard(made, service)
            self._clients[service] = made
            return made
