"""NbJobsApp: configuration, wiring, and start/stop of background tasks."""

from __future__ import annotations

import os

from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Integer, Unicode, default


class NbJobsApp(ExtensionApp):
    name = "jupyterlab_nbjobs"
    load_other_extensions = True

    db_url = Unicode(
        help="SQLAlchemy URL of the job store. Default: SQLite in the Jupyter data dir."
    ).tag(config=True)

    staging_dir = Unicode(
        help="Where job snapshots and runner state live (not under the server root)."
    ).tag(config=True)

    outputs_folder = Unicode(
        "nbjobs-outputs",
        help="Folder under the server root where each job's outputs are published.",
    ).tag(config=True)

    max_concurrent_jobs = Integer(
        help="How many local jobs run at once; the rest wait in the queue. Default: CPU count."
    ).tag(config=True)

    default_backend = Unicode("local", help="Backend used when a request names none.").tag(
        config=True
    )

    enable_scheduler = Bool(True, help="Run the schedule loop in this server.").tag(config=True)

    @default("staging_dir")
    def _staging_dir_default(self):
        return os.path.join(jupyter_data_dir(), "nbjobs", "jobs")

    @default("db_url")
    def _db_url_default(self):
        return "sqlite:///" + os.path.join(jupyter_data_dir(), "nbjobs", "nbjobs.sqlite")

    @default("max_concurrent_jobs")
    def _max_concurrent_default(self):
        return os.cpu_count() or 1
