"""`jupyter nbjobs`: a Jupyter application over the same services as the server extension.

It reads the server's config files (`jupyter_server_config.py`/`.json` on the Jupyter config
path) and `--Class.trait=value` options, so `c.NbJobsApp.*`, `c.LocalBackend.*` and
`c.SageMakerConfig.*` mean what they mean in the server, and SageMaker jobs and schedules
work here as they do there. Each command's own options are parsed with argparse.
"""

from __future__ import annotations

import asyncio
import os
import sys

from jupyter_core.application import JupyterApp
from pydantic import ValidationError
from traitlets import Unicode

from .. import __version__
from ..errors import InvalidRequest, NbJobsError
from .commands import COMMANDS, STANDALONE
from .parse import CliError, build_parser

# --options that are shorthands for settings of the server.
SHORTHANDS = {"db_url": ("NbJobsApp", "db_url"),
              "staging_dir": ("NbJobsApp", "staging_dir"),
              "outputs_folder": ("NbJobsApp", "outputs_folder"),
              "max_sweep_combinations": ("NbJobsApp", "max_sweep_combinations"),
              "max_concurrent_jobs": ("LocalBackend", "max_concurrent_jobs")}


ENVIRONMENT = {"NBJOBS_DB_URL": ("NbJobsApp", "db_url"),
               "NBJOBS_STAGING_DIR": ("NbJobsApp", "staging_dir")}


def own_settings(cls: type) -> list:
    """The class's config traits, less those every Jupyter application or configurable has
    (answer_yes, log_level, ...): those are not ours to document."""
    foreign = set()
    for base in cls.__mro__[1:]:
        if hasattr(base, "class_traits") and not base.__module__.startswith(__package__.split(".")[0]):
            foreign |= set(base.class_traits(config=True))
    traits = cls.class_traits(config=True)
    return [traits[name] for name in sorted(traits) if name not in foreign]


class NbJobsCommand(JupyterApp):
    name = "jupyter-nbjobs"
    description = "Run, list, show, stop and schedule notebook jobs from a shell."
    config_file_name = Unicode("jupyter_server_config", help="Read the server's settings.")

    root_dir = Unicode(
        help="The server root that notebook paths are relative to. Default: "
        "c.ServerApp.root_dir, else the current directory."
    ).tag(config=True)

    exit_code = 0

    def parse_command_line(self, argv=None):
        argv = sys.argv[1:] if argv is None else list(argv)
        parser = build_parser()
        # Before argparse, which would ask for a command first; only ahead of the command,
        # whose own options may have the same names (lcc --version 1.0).
        commands = set(COMMANDS) | set(STANDALONE)
        command_at = next((i for i, a in enumerate(argv) if a in commands), len(argv))
        own = argv[:command_at]
        if "--version" in own:
            print(__version__)
            self.exit(0)
        if "--help-all" in own:
            parser.print_help()
            print("\nSettings (--Class.trait=value or c.Class.trait in jupyter_server_config.py):")
            from ..composition import configurable_classes

            for cls in configurable_classes():
                print(f"\n{cls.__name__}\n{'-' * len(cls.__name__)}")
                for trait in own_settings(cls):
                    print(cls.class_get_trait_help(trait))
            self.exit(0)
        self.args, rest = parser.parse_known_args(argv)
        unknown = self._not_settings(rest)
        if unknown:
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        super().parse_command_line(rest)  # --Class.trait=value, --config=..., --debug
        for option, (section, trait) in SHORTHANDS.items():
            value = getattr(self.args, option, None)
            if value is not None:
                self.config[section][trait] = value
        if self.args.root_dir:
            self.config.NbJobsCommand.root_dir = self.args.root_dir
        self._from_command_line = {(section, trait) for section, trait in ENVIRONMENT.values()
                                   if trait in self.config.get(section, {})}

    def _not_settings(self, rest: list[str]) -> list[str]:
        """What argparse left over that is neither --Class.trait[=value] nor one of the
        application's own options (--config, --debug, ...): a typo must not pass silently."""
        own = set(self.flags) | set(self.aliases)
        unknown, takes_value = [], False
        for item in rest:
            if not item.startswith("-"):
                if not takes_value:
                    unknown.append(item)
                takes_value = False
                continue
            name, has_value = item.lstrip("-").split("=", 1)[0], "=" in item
            if "." in name or name in own:
                takes_value = not has_value and name not in self.flags
            else:
                unknown.append(item)
                takes_value = False
        return unknown

    def initialize(self, argv=None):
        super().initialize(argv)
        # The environment beats the config files, the command line beats both.
        for variable, (section, trait) in ENVIRONMENT.items():
            if os.environ.get(variable) and (section, trait) not in self._from_command_line:
                self.config[section][trait] = os.environ[variable]
        # A warm pool pays off in a long-lived server, not in one command that runs and exits.
        self.config.LocalBackend.warm_pool = False

    def start(self):
        standalone = STANDALONE.get(self.args.command)
        if standalone is not None:  # needs no store or services: build none
            self.exit_code = standalone.run(self, self.args)
            return
        self.exit_code = asyncio.run(self._run())

    async def _run(self) -> int:
        from jupyter_client.kernelspec import KernelSpecManager

        from ..composition import build
        from ..settings import NbJobsSettings

        root = self.root_dir or self.config.get("ServerApp", {}).get("root_dir") or os.getcwd()
        settings = NbJobsSettings(config=self.config, log=self.log)
        nbjobs = build(settings, root_dir=os.path.abspath(os.path.expanduser(root)),
                       kernel_specs=KernelSpecManager(parent=self).get_all_specs)
        try:
            return await COMMANDS[self.args.command](nbjobs, self.args)
        finally:
            # Wait for the runs this command started, so that their ends get recorded.
            started = [j for b in nbjobs.jobs.backends.values() for j in b.active_job_ids()]
            await asyncio.gather(*(nbjobs.jobs.wait_final(j, 24 * 3600) for j in started))
            await nbjobs.close()


def main(argv: list[str] | None = None) -> int:
    """Exit codes: 0 done (job completed), 1 job failed or was stopped, 2 bad input."""
    from ..optional_imports import skip_iri_grammar

    skip_iri_grammar()  # ~1.5 s of a 3 s command; nothing here checks IRI formats
    app = NbJobsCommand()
    try:
        app.initialize(argv)
        app.start()
        return app.exit_code
    except (NbJobsError, CliError) as exc:
        sys.stderr.write(f"error: {getattr(exc, 'message', str(exc))}\n")
        return 2 if getattr(exc, "status_code", 400) < 500 else 1
    except ValidationError as exc:
        sys.stderr.write(f"error: {InvalidRequest.from_validation(exc).message}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; the job keeps running (see `jupyter nbjobs list`)\n")
        return 130
