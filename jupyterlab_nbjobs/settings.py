"""c.NbJobsApp.*: the settings of the job store, the backends and the services.

They are read by the server's extension (`app.NbJobsApp`, which adds the server's side), and
outside a server by the service process and the command line (`NbJobsSettings`), without
importing jupyter_server's ExtensionApp and with it the whole server (~0.25 s of a start).
"""

from __future__ import annotations

import os

from jupyter_core.paths import jupyter_data_dir
from traitlets import Bool, CaselessStrEnum, Float, Integer, List, Type, Unicode, default
from traitlets.config import LoggingConfigurable
from traitlets.config.loader import LazyConfigValue

EXTENSION_NAME = "jupyterlab_nbjobs"

# Another package offers a backend with one line in its pyproject.toml:
#   [project.entry-points."jupyterlab_nbjobs.backends"]
#   mine = "my_package.backend:MyBackend"
BACKEND_ENTRY_POINTS = "jupyterlab_nbjobs.backends"

# Settings that moved from NbJobsApp to the local backend; the old names keep working.
MOVED_TO_LOCAL_BACKEND = ("max_concurrent_jobs", "warm_pool", "warm_kernels")

# How long before a schedule's fire the services start (they warm the pool then too).
SCHEDULE_LEAD = 60.0

# The config sections the service process must get to build what the server would build.
SERVICE_SECTIONS = {"NbJobsApp", "LocalBackend", "SageMakerConfig", "RemoteBackend",
                    "NotebookInstances", "KernelSpecManager"}


class NbJobsSettings(LoggingConfigurable):
    """Read from c.NbJobsApp.*, in the server's extension or without it."""

    @classmethod
    def section_names(cls) -> list[str]:
        # traitlets reads a class's settings under the names of its classes; these are
        # c.NbJobsApp.* wherever they are read.
        names = [name for name in super().section_names() if name != "NbJobsSettings"]
        return names if "NbJobsApp" in names else [*names, "NbJobsApp"]

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

    backend_classes = List(
        Type(klass="jupyterlab_nbjobs.backends.base.Backend"),
        help="Backend classes to offer, each configured with c.<ClassName>.* (importable "
        "names or classes). Empty (the default): LocalBackend, plus SageMakerBackend when "
        "enable_sagemaker "
        "(or being in Studio) says so, RemoteBackend when c.RemoteBackend.targets names a "
        "server, and the backends installed packages declare in the entry-point group "
        "'jupyterlab_nbjobs.backends'.",
    ).tag(config=True)

    default_backend = Unicode("local", help="Backend used when a request names none.").tag(
        config=True
    )

    enable_scheduler = Bool(True, help="Run the schedule loop in this server.").tag(config=True)

    max_sweep_combinations = Integer(
        1000, help="Most jobs one parameter sweep may create."
    ).tag(config=True)

    scheduler_poll_interval = Float(
        5.0, help="Longest sleep of the schedule loop: how soon changes made by another "
        "server or the CLI are seen (changes in this server wake it at once)."
    ).tag(config=True)

    misfire_grace_seconds = Float(
        60.0, help="A fire later than this (the server was down) follows the schedule's "
        "catch-up policy instead of running as usual."
    ).tag(config=True)

    cron_seconds_field = Bool(
        False, help="Accept a 6th cron field for seconds. For tests and demos only: the "
        "public cron format has 5 fields."
    ).tag(config=True)

    # Moved to c.LocalBackend.*: still read from here, with a deprecation warning.
    max_concurrent_jobs = Integer(
        None, allow_none=True, help="Deprecated: use c.LocalBackend.max_concurrent_jobs"
    ).tag(config=True)
    warm_pool = Bool(None, allow_none=True, help="Deprecated: use c.LocalBackend.warm_pool").tag(
        config=True)
    warm_kernels = Integer(
        None, allow_none=True, help="Deprecated: use c.LocalBackend.warm_kernels"
    ).tag(config=True)

    enable_sagemaker = Bool(
        None, allow_none=True,
        help="Offer the SageMaker backend. Default: when running in SageMaker Studio (its "
        "resource metadata file exists) or when c.SageMakerConfig is set.",
    ).tag(config=True)

    load_when_needed = Bool(
        True, help="Build the job store and the services with the first request to /nbjobs/, "
        "or as soon as the store has work (a run to resume, an active schedule) or notebook "
        "instances are enabled: until then the server holds none of it (~30 MB) and starts "
        "as fast as without the extension. False: build at start. With a database other than "
        "SQLite the store is always read at start.",
    ).tag(config=True)

    service_process = CaselessStrEnum(
        ["auto", "always", "never"], "auto",
        help="Where the job store and the services run. always: in a process of their own, "
        "which the server starts with the first request to /nbjobs/ (or when the store has "
        "work) and stops after service_idle_timeout seconds with nothing to do, so that the "
        "server goes back to a bare server's memory; each request is forwarded to it. never: "
        "in the server, loaded when first needed and kept. auto (the default): always under "
        "JupyterHub, where an idle server's memory is paid per user all day; never otherwise.",
    ).tag(config=True)

    service_idle_timeout = Float(
        600.0, help="With the services in a process of their own: it stops once no job has "
        "been running or queued, no schedule due within a minute, no notebook instances "
        "enabled and no request made for this many seconds (0: it is kept).",
    ).tag(config=True)

    def instances_enabled(self) -> bool:
        from .services.instances.config import NotebookInstances

        return NotebookInstances(parent=self).enabled

    def carry_moved_settings(self) -> None:
        """`c.NbJobsApp.max_concurrent_jobs` and friends become `c.LocalBackend.*`, with a
        warning (a value set on LocalBackend itself wins)."""
        old = self.config.get("NbJobsApp", {})
        local = self.config.LocalBackend
        carried = self.__dict__.setdefault("_carried_settings", set())  # once per app
        for name in MOVED_TO_LOCAL_BACKEND:
            if name in old and name not in carried:
                self.log.warning("c.NbJobsApp.%s is deprecated: set c.LocalBackend.%s "
                                 "instead", name, name)
                local.setdefault(name, old[name])
                carried.add(name)

    def offered_backend_classes(self) -> list[type]:
        """`backend_classes`, or when it is empty the default set; each class once. Not the
        trait's default: jupyter_server reads every trait at start, and that would import
        each backend. `c.NbJobsApp.backend_classes.append(...)` (or extend, prepend, insert)
        adds to the default set, as it does for a trait whose default is not empty."""
        from traitlets.utils.importstring import import_item

        raw = self.config.get("NbJobsApp", {}).get("backend_classes")
        if isinstance(raw, LazyConfigValue):
            listed = lazy_list(raw, self._default_backend_names())
        else:
            listed = list(self.backend_classes) or self._default_backend_names()
        offered: list[type] = []
        for item in listed:
            cls = import_item(item.replace(":", ".")) if isinstance(item, str) else item
            if cls not in offered:  # a config applied twice lists its additions twice
                offered.append(cls)
        return offered

    def _default_backend_names(self) -> list[str]:
        classes = ["jupyterlab_nbjobs.backends.local.LocalBackend"]
        if self._sagemaker_wanted():
            classes.append("jupyterlab_nbjobs.backends.sagemaker.backend.SageMakerBackend")
        # Remote: offered once c.RemoteBackend.targets names a server.
        if self.config.get("RemoteBackend", {}).get("targets"):
            classes.append("jupyterlab_nbjobs.backends.remote.RemoteBackend")
        # Backends of other packages, as papermill finds engines: installed means offered.
        from importlib.metadata import entry_points

        for entry in sorted(entry_points(group=BACKEND_ENTRY_POINTS), key=lambda e: e.name):
            classes.append(entry.value.replace(":", "."))
        return classes

    def _sagemaker_wanted(self) -> bool:
        if self.enable_sagemaker is not None:
            return self.enable_sagemaker
        from .backends.sagemaker.config import SageMakerConfig

        in_studio = os.path.exists(SageMakerConfig(parent=self).resource_metadata_path)
        return in_studio or "SageMakerConfig" in self.config

    @default("staging_dir")
    def _staging_dir_default(self):
        return os.path.join(jupyter_data_dir(), "nbjobs", "jobs")

    @default("db_url")
    def _db_url_default(self):
        return "sqlite:///" + os.path.join(jupyter_data_dir(), "nbjobs", "nbjobs.sqlite")


def lazy_list(value: LazyConfigValue, initial: list) -> list:
    """What `value` (c.X.y.append(...), .extend, .prepend, .insert) makes of the list
    `initial`, as traitlets applies it, without consuming `value` (it keeps the first
    result it computes)."""
    ops = value.to_dict()
    out = list(initial)
    for index, item in ops.get("inserts", []):
        out.insert(index, item)
    out[:0] = ops.get("prepend", [])
    out.extend(ops.get("extend", []))
    return out

