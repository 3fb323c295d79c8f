"""Build the instances feature from `c.NotebookInstances.*`: the services, and the auto-stop
loops when enabled. Called by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...store.engine import Database
from ...store.instances import InstanceStore
from ...store.projects import ProjectStore
from .autostop import AutoStop
from .config import NotebookInstances
from .idle import IdleStop
from .projects import ProjectService
from .service import InstanceService


@dataclass
class Instances:
    config: NotebookInstances
    service: InstanceService
    projects: ProjectService
    autostop: AutoStop
    idle: IdleStop

    async def start(self) -> None:
        if self.service.enabled and self.config.run_loops:
            await self.autostop.start()
            await self.idle.start()

    async def stop(self) -> None:
        await self.idle.stop()
        await self.autostop.stop()


def build_instances(parent: Any, db: Database) -> Instances:
    config = NotebookInstances(parent=parent)
    aws = None
    if config.enabled:  # boto3 is imported only then
        from ...aws.clients import AwsClients, AwsSettings
        from ...aws.notebooks import NotebookAws, default_factory, import_factory

        clients = AwsClients(AwsSettings(region=config.region or None,
                                         profile=config.profile or None,
                                         endpoint_url=config.endpoint_url or None,
                                         max_attempts=config.max_attempts))
        factory = import_factory(config.client_factory) if config.client_factory \
            else default_factory
        aws = NotebookAws(clients, factory)
    service = InstanceService(config, InstanceStore(db), ProjectStore(db), aws)
    autostop = AutoStop(service, poll_interval=config.autostop_poll_interval)
    idle = IdleStop(service, autostop, minutes=config.idle_stop_minutes,
                    interval=config.idle_check_interval)
    return Instances(config=config, service=service, projects=ProjectService(
        ProjectStore(db), service), autostop=autostop, idle=idle)
