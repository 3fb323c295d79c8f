"""What the server hands its service process: the config as JSON, the user, which requests
start the pool first, and the backend made ahead of the rest."""

from __future__ import annotations

import pytest
from jupyter_server.auth import User
from traitlets.config import Config
from traitlets.config.loader import KVArgParseConfigLoader

from jupyterlab_nbjobs.app import NbJobsApp
from jupyterlab_nbjobs.backends.local import LocalBackend
from jupyterlab_nbjobs.backends.sagemaker.config import SageMakerConfig
from jupyterlab_nbjobs.composition import make_backends
from jupyterlab_nbjobs.service_process.protocol import (
    NotPortable,
    announces_a_job,
    config_from_json,
    config_to_json,
    user_from_json,
    user_to_json,
)
from jupyterlab_nbjobs.settings import NbJobsSettings


def test_the_command_lines_values_are_parsed_by_their_traits_in_the_process():
    config = KVArgParseConfigLoader([
        "--NbJobsApp.scheduler_poll_interval=0.5", "--NbJobsApp.enable_scheduler=False",
        "--LocalBackend.warm_kernels=3"]).load_config()
    config.NbJobsApp.backend_classes = [LocalBackend]  # a class: carried as its name
    carried = config_from_json(config_to_json(config, {"NbJobsApp", "SageMakerConfig"}))
    app = NbJobsApp(config=carried)
    assert app.scheduler_poll_interval == 0.5 and app.enable_scheduler is False
    assert app.backend_classes == [LocalBackend]
    assert LocalBackend(None, parent=app).warm_kernels == 3


def test_appends_in_a_config_file_are_carried_and_applied_as_in_the_server():
    config = Config()
    config.NbJobsApp.backend_classes.append("tests.handlers.test_backend_plugins."
                                            "RecordedBackend")
    config.NbJobsApp.enable_sagemaker = False  # its settings alone would offer it
    config.SageMakerConfig.extra_tags.update({"team": "a"})
    config.SageMakerConfig.instance_types.append("ml.x.test")
    server = NbJobsApp(config=config)
    assert "RecordedBackend" in server._service_sections()
    carried = config_from_json(config_to_json(config, {"NbJobsApp", "SageMakerConfig"}))
    process = NbJobsSettings(config=carried)
    assert process.offered_backend_classes() == server.offered_backend_classes()
    assert [c.__name__ for c in process.offered_backend_classes()] == ["LocalBackend",
                                                                      "RecordedBackend"]
    here, there = SageMakerConfig(parent=server), SageMakerConfig(parent=process)
    assert there.extra_tags == here.extra_tags == {"team": "a"}
    assert there.instance_types == here.instance_types
    assert there.instance_types[-1] == "ml.x.test" and len(there.instance_types) > 1


def test_a_setting_that_is_no_value_keeps_the_services_in_the_server_only_if_needed():
    config = Config()
    config.NbJobsApp.db_url = "sqlite:///x.sqlite"
    config.ServerApp.tornado_settings = {"a": object()}  # the server's own: left out
    assert config_to_json(config, {"NbJobsApp"}) == {"NbJobsApp": {"db_url": "sqlite:///x.sqlite"}}
    config.LocalBackend.env = {"X": object()}
    with pytest.raises(NotPortable, match=r"c\.LocalBackend\.env\.X"):
        config_to_json(config, {"NbJobsApp", "LocalBackend"})


def test_the_user_keeps_its_names_and_jupyterhub_groups():
    user = User(username="ada", name="Ada L", display_name="Ada")
    user.hub_user = {"name": "ada", "groups": ["team-a"], "admin": True, "other": object()}
    back = user_from_json(user_to_json(user))
    assert (back.username, back.name, back.display_name) == ("ada", "Ada L", "Ada")
    assert back.hub_user == {"name": "ada", "groups": ["team-a"]}
    assert not hasattr(user_from_json(user_to_json(User(username="bo"))), "hub_user")


@pytest.mark.parametrize(("method", "path", "expected"), [
    ("POST", "jobs", True), ("POST", "jobs?x=1", True), ("POST", "jobs/abc/rerun", True),
    ("POST", "schedules/s1/run", True), ("POST", "sweeps", True),
    ("GET", "parameters?path=a.ipynb", True),
    ("GET", "jobs", False), ("POST", "jobs/bulk/stop", False), ("POST", "schedules", False),
    ("GET", "environments", False), ("DELETE", "jobs/abc", False),
])
def test_requests_after_which_a_job_is_likely(method, path, expected):
    assert announces_a_job(method, path) is expected


def test_a_backend_made_ahead_is_the_one_used_and_gets_the_events(tmp_path):
    app = NbJobsApp(config=Config({"LocalBackend": {"warm_pool": False}}))
    ahead = LocalBackend(None, parent=app)
    events = object()
    backends = make_backends(app, events, (ahead,))
    assert backends[0] is ahead and ahead.events is events
    assert [type(b) for b in backends] == [LocalBackend]


def test_the_process_reads_c_nbjobsapp_without_the_servers_extension_app():
    config = Config()
    config.NbJobsApp.scheduler_poll_interval = 0.5
    config.NbJobsApp.warm_kernels = 3  # moved to c.LocalBackend, still read from here
    config.NbJobsSettings.enable_scheduler = False  # not a section of its own
    settings = NbJobsSettings(config=config)
    assert settings.scheduler_poll_interval == 0.5 and settings.enable_scheduler is True
    assert LocalBackend(None, parent=settings).warm_kernels != 3  # until carried
    make_backends(settings, None)  # carries the moved settings, as the process's build does
    assert LocalBackend(None, parent=settings).warm_kernels == 3
    assert NbJobsSettings.section_names()[-1] == "NbJobsApp"
    assert "NbJobsSettings" not in NbJobsApp.section_names()
    assert NbJobsApp(config=config).scheduler_poll_interval == 0.5


def test_of_c_nbjobsapp_the_process_gets_only_its_settings():
    config = Config()
    config.NbJobsApp.db_url = "sqlite:///x.sqlite"
    config.NbJobsApp.log_level = "DEBUG"  # the server's ExtensionApp reads it, not the process
    config.NbJobsApp.handlers = [("/x", object())]  # not JSON, and not the process's either
    own = {"NbJobsApp": set(NbJobsSettings.class_trait_names(config=True))}
    carried = config_to_json(config, {"NbJobsApp"}, only=own)
    assert carried == {"NbJobsApp": {"db_url": "sqlite:///x.sqlite"}}
    with pytest.raises(NotPortable, match=r"c\.NbJobsApp\.handlers"):
        config_to_json(config, {"NbJobsApp"})  # without `only`, as before
