from __future__ import annotations

import pytest

from tests.cli.standins import SharedVenv, make_host


@pytest.fixture(scope="session")
def shared_venv(tmp_path_factory, worker_id) -> SharedVenv:
    base = tmp_path_factory.getbasetemp()
    # xdist workers each get a folder under the session's: build the venv once, there.
    return SharedVenv.get(base if worker_id == "master" else base.parent)


@pytest.fixture
def host(tmp_path, shared_venv):
    with shared_venv.borrowed():
        yield make_host(tmp_path, shared_venv)


@pytest.fixture
def lcc(tmp_path, capsys, monkeypatch):
    """`jupyter nbjobs lcc ...` in-process (the function the console script calls), with this
    machine's Jupyter config kept out; returns (exit code, stdout, stderr)."""
    from jupyterlab_nbjobs.cli import main

    (tmp_path / "cli-config").mkdir(exist_ok=True)
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "cli-config"))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", "")

    def run(*args: str):
        code = main(["lcc", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
