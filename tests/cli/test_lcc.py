"""The lifecycle scripts of `jupyter nbjobs lcc`, run for real with bash: each installs the
extension's wheel into a clean virtual environment that plays the server's environment on
the SageMaker host (stand-ins for micromamba, conda, sudo, activate, aws, systemctl and
restart-jupyter-server on PATH), and ends with the extension enabled there."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess

import pytest

from jupyterlab_nbjobs import __version__
from jupyterlab_nbjobs.lcc import MAX_CONTENT_BYTES, TARGETS, ScriptTooLarge, encode, render


def assert_enabled(host) -> None:
    listing = re.sub(r"\x1b\[[0-9;]*m", "", host.extension_list())  # no colours
    assert "jupyterlab_nbjobs enabled" in listing, listing
    assert f"jupyterlab_nbjobs {__version__} OK" in listing, listing


def test_studio_jupyterlab_installs_into_micromamba_base_in_the_background(lcc, host, tmp_path):
    script = tmp_path / "lcc.sh"
    code, out, err = lcc("studio", "--out", str(script))
    assert code == 0 and out == "", err
    host.env["STANDIN_GATE"] = str(tmp_path / "gate")  # micromamba waits for this file

    res = host.run_script(script)
    # The script ended while its install still waits: the 5-minute limit is not at stake.
    assert res.returncode == 0, res.stderr
    assert "installing in the background" in res.stdout
    assert (host.state / "status").read_text().strip() == "running"
    (tmp_path / "gate").touch()
    assert host.wait_status() == f"ok {__version__} installed", host.log()
    assert_enabled(host)
    calls = host.calls()
    assert calls[0] == "micromamba run -n base python -c import sys; print(sys.executable)"
    assert calls[-1] == "restart-jupyter-server"  # once, after the install
    assert calls.count("restart-jupyter-server") == 1
    log = host.log()
    assert f"pip install jupyterlab_nbjobs=={__version__}" in log
    assert f"environment: {host.venv.venv}" in log

    # Again (the next start of the space): nothing to install, no restart.
    del host.env["STANDIN_GATE"]
    res = host.run_script(script)
    assert res.returncode == 0, res.stderr
    assert host.wait_status() == f"ok {__version__} unchanged", host.log()
    assert "nothing to do" in host.log() and "pip install" not in host.log()
    assert host.calls().count("restart-jupyter-server") == 1
    assert (host.state / "install.log.1").exists()  # the first run's log is kept


def test_studio_classic_installs_a_wheel_from_s3_with_no_package_index(lcc, host, tmp_path):
    uri = f"s3://lcc-bucket/builds/{host.venv.wheel.name}"
    host.put_s3(uri, host.venv.wheel)
    host.env["PIP_FIND_LINKS"] = str(tmp_path / "nothing-here")  # only the copied wheel
    script = tmp_path / "lcc.sh"
    assert lcc("studio", "--app-type", "JupyterServer", "--wheel", uri, "--out", str(script))[0] == 0

    res = host.run_script(script)
    assert res.returncode == 0, res.stderr
    assert host.wait_status() == f"ok {__version__} installed", host.log()
    assert_enabled(host)
    calls = host.calls()
    assert calls[0].startswith("conda run -n studio python")
    assert f"aws s3 cp --only-show-errors {uri} {host.state}/wheels/" in calls
    assert calls[-1] == "restart-jupyter-server"


def test_notebook_instance_installs_as_ec2_user_into_jupyter_system_env(lcc, host, tmp_path):
    uri = "s3://lcc-bucket/wheelhouse/"
    host.put_s3(uri + host.venv.wheel.name, host.venv.wheel)
    host.env["PIP_FIND_LINKS"] = str(tmp_path / "nothing-here")
    script = tmp_path / "on-start.sh"
    assert lcc("notebook-instance", "--wheel", uri, "--out", str(script))[0] == 0

    res = host.run_script(script)
    assert res.returncode == 0, res.stderr
    assert host.wait_status() == f"ok {__version__} installed", host.log()
    assert_enabled(host)
    calls = host.calls()
    assert calls[0].startswith("sudo -u ec2-user -i bash -c source ")
    assert calls[1] == "activate JupyterSystemEnv"
    python = host.venv.venv / "bin" / "python"
    # pip and jupyter ran as ec2-user, in the environment the activation found.
    assert any(c.startswith(f"sudo -u ec2-user -i {python} -m pip install") for c in calls), calls
    assert f"sudo -u ec2-user -i {host.venv.venv}/bin/jupyter server extension list" in calls
    assert calls[-1] == "systemctl --no-block restart jupyter-server.service"
    assert "--no-index --find-links" in host.log()


def test_a_failed_install_says_so_and_does_not_restart(lcc, host, tmp_path):
    script = tmp_path / "lcc.sh"
    missing = "s3://lcc-bucket/builds/jupyterlab_nbjobs-9.9.9-py3-none-any.whl"
    assert lcc("studio", "--wheel", missing, "--out", str(script))[0] == 0
    res = host.run_script(script)
    assert res.returncode == 0, res.stderr
    status = host.wait_status()
    assert status.startswith("failed: exit 1, see "), status
    assert "Key not found" in host.log() and "FAILED (exit 1)" in host.log()
    assert "restart-jupyter-server" not in host.calls()


SOURCES = {"version": {"version": "1.2.3"},
           "wheel": {"wheel_uri": "s3://my-bucket/a/jupyterlab_nbjobs-1.2.3-py3-none-any.whl"},
           "folder": {"wheel_uri": "s3://my-bucket/wheels/"}}


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("target", TARGETS)
def test_shellcheck_passes_and_the_script_fits(target, source, tmp_path):
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck missing: bash scripts/install.sh --test installs it"
    script = render(target, **SOURCES[source])
    path = tmp_path / "lcc.sh"
    path.write_text(script)
    res = subprocess.run([shellcheck, "--shell=bash", "--severity=style", str(path)],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert len(encode(script)) <= MAX_CONTENT_BYTES
    assert "@" + "COMMON@" not in script and "@REQUIREMENT@" not in script


def test_the_script_names_what_it_installs():
    assert "NBJOBS_REQUIREMENT=jupyterlab_nbjobs==1.2.3\n" in render("JupyterLab", version="1.2.3")
    assert f"NBJOBS_REQUIREMENT=jupyterlab_nbjobs=={__version__}\n" in render("JupyterLab")
    wheel = render("notebook-instance", wheel_uri="s3://b-1/x/jupyterlab_nbjobs-2.0-py3-none-any.whl")
    assert "NBJOBS_WHEEL_URI=s3://b-1/x/jupyterlab_nbjobs-2.0-py3-none-any.whl\n" in wheel
    assert "NBJOBS_REQUIREMENT=''\n" in wheel


def test_too_large_a_script_is_refused():
    with pytest.raises(ScriptTooLarge, match="over SageMaker's limit of 16384"):
        encode("x" * 12289)  # 16,388 bytes in base64
    assert base64.b64decode(encode("x" * 12288)) == b"x" * 12288  # exactly 16,384


@pytest.mark.parametrize("args,message", [
    (["studio", "--version", "not a version"], "is not a version"),
    (["studio", "--version", "1.0", "--wheel", "s3://b-1/x.whl"], "not allowed with argument"),
    (["studio", "--wheel", "https://example.com/x.whl"], "--wheel wants s3://"),
    (["studio", "--wheel", "s3://b-1/other-1.0-py3-none-any.whl"], "is not a jupyterlab_nbjobs wheel"),
    (["studio", "--app-type", "KernelGateway"], "invalid choice"),
    (["studio", "--register", "nbjobs"], "--register needs --domain-id"),
    (["studio", "--domain-id", "d-1"], "give --register NAME too"),
    (["studio", "--register", "bad_name!", "--domain-id", "d-1"], "1-63 letters, digits"),
    (["notebook-instance", "--register", "nbjobs-"], "1-63 letters, digits"),
])
def test_bad_options_exit_2_with_a_message(lcc, args, message, capsys):
    try:
        code, out, err = lcc(*args)
    except SystemExit as exc:  # argparse's own errors
        code, err = exc.code, capsys.readouterr().err
        out = ""
    assert code == 2, err
    assert message in err, err
    assert "#!/bin/bash" not in out  # no script written for a refused command


def test_out_writes_an_executable_script(lcc, tmp_path):
    path = tmp_path / "on-start.sh"
    code, out, _ = lcc("notebook-instance", "--version", "0.9", "--out", str(path))
    assert code == 0 and out == ""
    assert path.read_text() == render("notebook-instance", version="0.9")
    assert path.stat().st_mode & 0o111
    code, out, _ = lcc("notebook-instance", "--version", "0.9")
    assert code == 0 and out == path.read_text()


def test_lcc_needs_no_job_store(lcc, tmp_path, monkeypatch):
    db = tmp_path / "nbjobs.sqlite"
    monkeypatch.setenv("NBJOBS_DB_URL", f"sqlite:///{db}")
    monkeypatch.setenv("NBJOBS_STAGING_DIR", str(tmp_path / "staging"))
    code, out, _ = lcc("studio")
    assert code == 0 and out.startswith("#!/bin/bash")
    assert not db.exists() and not (tmp_path / "staging").exists()
