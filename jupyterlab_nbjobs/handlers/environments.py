"""Environments (kernels, formats, backends) and a notebook's parameters."""

from __future__ import annotations

import asyncio

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import InvalidRequest
from ..models import Environments, NotebookParameters
from ..services import inputs
from .base import NbJobsHandler


class EnvironmentsHandler(NbJobsHandler):
    @web.authenticated
    @authorized
    async def get(self):
        specs = await asyncio.to_thread(self.jobs.kernel_specs)
        kernels = [
            {"name": name, "display_name": spec["spec"].get("display_name", name),
             "language": spec["spec"].get("language")}
            for name, spec in sorted(specs.items())
        ]
        formats = await asyncio.to_thread(inputs.export_formats)
        backends = [
            {"name": b.name, "label": b.label, "default": b.name == self.jobs.default_backend,
             "options": b.form_options()}
            for b in self.jobs.backends.values()
        ]
        default_kernel = self.serverapp.kernel_manager.default_kernel_name
        self.write_model(Environments(
            kernels=kernels,
            default_kernel=default_kernel if default_kernel in specs else None,
            output_formats=[{"name": n, "label": label} for n, label in formats.items()],
            backends=backends,
        ))


class ParametersHandler(NbJobsHandler):
    @web.authenticated
    @authorized
    async def get(self):
        path = self.get_query_argument("path", "")
        if not path:
            raise InvalidRequest("give the notebook as ?path=", reason="missing_path",
                                 field="path")
        found = await asyncio.to_thread(inputs.inspect_parameters, self.jobs.root_dir, path)
        self.write_model(NotebookParameters(**found))


def environment_routes(prefix: str) -> list[tuple[str, type]]:
    return [
        (rf"{prefix}/environments", EnvironmentsHandler),
        (rf"{prefix}/parameters", ParametersHandler),
    ]
