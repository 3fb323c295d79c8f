"""`jupyter nbjobs lcc ... --register`: notebook-instance lifecycle configs against the moto
server; the Studio calls moto lacks (lifecycle configs, domains, user profiles) through the
thin fake in studio_fake.py, on the same client."""

from __future__ import annotations

import base64
import getpass

import pytest

from jupyterlab_nbjobs.lcc import register
from jupyterlab_nbjobs.lcc.register import register_studio
from jupyterlab_nbjobs.lcc.scripts import ScriptTooLarge
from tests.cli.studio_fake import StudioFake
from tests.support.aws import ACCOUNT, REGION, Recorder

DOMAIN = "d-abc123"
IMAGE = f"arn:aws:sagemaker:{REGION}:081325390199:image/sagemaker-distribution-cpu"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/studio"


@pytest.fixture
def sagemaker(aws, monkeypatch):
    """The clients the command builds (pointed at moto by --SageMakerConfig.endpoint_url), with
    the fake and a recorder attached; yields (fake, recorder, run)."""
    fake, recorder, made = StudioFake(), Recorder(), []
    real_connect = register.connect

    def connect(**kw):
        clients = real_connect(**kw)
        sm = clients.client("sagemaker")
        fake.attach(sm)
        recorder.attach(sm)
        made.append(clients)
        return clients

    monkeypatch.setattr(register, "connect", connect)
    fake.endpoint, fake.made = aws, made
    return fake, recorder


def run(lcc, fake, *args):
    return lcc(*args, f"--SageMakerConfig.endpoint_url={fake.endpoint}", "--region", REGION)


def decoded(content: str) -> str:
    return base64.b64decode(content).decode()


def test_studio_config_becomes_the_domain_default_keeping_the_others(sagemaker, lcc, tmp_path):
    fake, recorder = sagemaker
    theirs = fake.add_config("team-git-setup", "JupyterLab")
    classic = fake.add_config("classic-thing", "JupyterServer")
    fake.add_domain(DOMAIN, {
        "ExecutionRole": ROLE,
        "JupyterLabAppSettings": {
            "DefaultResourceSpec": {"SageMakerImageArn": IMAGE, "InstanceType": "ml.t3.medium",
                                    "LifecycleConfigArn": theirs},
            "LifecycleConfigArns": [theirs],
            "CodeRepositories": [{"RepositoryUrl": "https://example.com/r.git"}]},
        "JupyterServerAppSettings": {"LifecycleConfigArns": [classic]}})
    script = tmp_path / "lcc.sh"
    code, out, err = run(lcc, fake, "studio", "--register", "nbjobs-0-1-0", "--domain-id", DOMAIN,
                         "--out", str(script), "--tag-project", "proj-x")
    assert code == 0, err
    ours = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:studio-lifecycle-config/nbjobs-0-1-0"
    assert f"created {ours}" in out
    assert f"default lifecycle config of JupyterLab apps in domain {DOMAIN}" in out
    made = fake.configs["nbjobs-0-1-0"]
    assert decoded(made["StudioLifecycleConfigContent"]) == script.read_text()
    assert made["StudioLifecycleConfigAppType"] == "JupyterLab"
    assert {t["Key"]: t["Value"] for t in made["Tags"]} == {
        "project": "proj-x", "system": "jupyterlab_nbjobs", "user": getpass.getuser()}
    domain = fake.domains[DOMAIN]
    lab = domain["JupyterLabAppSettings"]
    assert lab["LifecycleConfigArns"] == [theirs, ours]
    assert lab["DefaultResourceSpec"] == {"SageMakerImageArn": IMAGE,
                                          "InstanceType": "ml.t3.medium",
                                          "LifecycleConfigArn": ours}
    assert lab["CodeRepositories"] == [{"RepositoryUrl": "https://example.com/r.git"}]
    # What else the domain holds is left alone.
    assert domain["ExecutionRole"] == ROLE
    assert domain["JupyterServerAppSettings"] == {"LifecycleConfigArns": [classic]}

    # Again (same script): the config is kept, attached once.
    code, out, err = run(lcc, fake, "studio", "--register", "nbjobs-0-1-0", "--domain-id", DOMAIN,
                         "--out", str(script), "--tag-project", "proj-x")
    assert code == 0, err
    assert f"kept (same script) {ours}" in out
    assert fake.domains[DOMAIN]["JupyterLabAppSettings"]["LifecycleConfigArns"] == [theirs, ours]
    assert recorder.ops().count("CreateStudioLifecycleConfig") == 1


def test_studio_classic_config_for_one_user_profile(sagemaker, lcc):
    fake, _ = sagemaker
    theirs = fake.add_config("domain-wide", "JupyterServer")
    domain = {"ExecutionRole": ROLE, "JupyterServerAppSettings": {"LifecycleConfigArns": [theirs]}}
    fake.add_domain(DOMAIN, domain)
    fake.add_profile(DOMAIN, "ana", {"ExecutionRole": ROLE})
    code, out, err = run(lcc, fake, "studio", "--app-type", "JupyterServer", "--wheel",
                         "s3://wheels-bucket/jupyterlab_nbjobs-0.1.0-py3-none-any.whl",
                         "--register", "nbjobs-classic", "--domain-id", DOMAIN,
                         "--user-profile", "ana")
    assert code == 0, err
    assert out.startswith("#!/bin/bash") and "conda run -n studio" in out  # the script
    ours = fake.configs["nbjobs-classic"]["StudioLifecycleConfigArn"]
    assert f"created {ours}" in err and f"user profile ana of domain {DOMAIN}" in err
    assert decoded(fake.configs["nbjobs-classic"]["StudioLifecycleConfigContent"]) == out
    # The profile's own list replaces the domain's: it keeps the domain's configs.
    assert fake.profiles[(DOMAIN, "ana")]["JupyterServerAppSettings"] == {
        "LifecycleConfigArns": [theirs, ours],
        "DefaultResourceSpec": {"LifecycleConfigArn": ours, "InstanceType": "system"}}
    assert fake.domains[DOMAIN] == domain  # the domain is not touched


def test_a_name_taken_by_another_script_is_a_conflict(sagemaker, lcc):
    fake, recorder = sagemaker
    fake.add_config("nbjobs", "JupyterLab", script="#!/bin/bash\necho older\n")
    fake.add_domain(DOMAIN, {})
    code, _, err = run(lcc, fake, "studio", "--register", "nbjobs", "--domain-id", DOMAIN)
    assert code == 2
    assert "exists with another script" in err and "cannot be changed" in err
    assert "UpdateDomain" not in recorder.ops() and fake.domains[DOMAIN] == {}


def test_a_missing_domain_is_reported_before_anything_is_created(sagemaker, lcc):
    fake, recorder = sagemaker
    code, _, err = run(lcc, fake, "studio", "--register", "nbjobs", "--domain-id", "d-nope")
    assert code == 2 and "d-nope" in err and "Traceback" not in err
    assert "CreateStudioLifecycleConfig" not in recorder.ops() and not fake.configs


def test_required_tags_are_checked_before_any_call(sagemaker, lcc):
    fake, recorder = sagemaker
    fake.add_domain(DOMAIN, {})
    code, _, err = run(lcc, fake, "studio", "--register", "nbjobs", "--domain-id", DOMAIN,
                       "--tag-project", " ")
    assert code == 2 and "required tag(s) project" in err, err
    assert recorder.ops() == [] and not fake.configs


def test_the_client_itself_refuses_an_untagged_create(sagemaker, clients):
    """The guard sits on the client: no code path creates a config without the tags."""
    fake, _ = sagemaker
    from jupyterlab_nbjobs.aws import MissingTags

    sm = register._sagemaker(clients)
    fake.attach(sm)
    for call in (lambda: sm.create_studio_lifecycle_config(
                     StudioLifecycleConfigName="x", StudioLifecycleConfigContent="eA==",
                     StudioLifecycleConfigAppType="JupyterLab",
                     Tags=[{"Key": "project", "Value": "p"}]),
                 lambda: sm.create_notebook_instance_lifecycle_config(
                     NotebookInstanceLifecycleConfigName="x", OnStart=[{"Content": "eA=="}])):
        with pytest.raises(MissingTags):
            call()
    assert fake.calls == [] and not fake.configs


def test_too_large_a_script_is_refused_before_aws(sagemaker, clients):
    fake, _ = sagemaker
    recorder = Recorder().attach(clients.client("sagemaker"))
    fake.add_domain(DOMAIN, {})
    with pytest.raises(ScriptTooLarge, match="over SageMaker's limit of 16384"):
        register_studio(clients, "big", "#!/bin/bash\n" + "# padding\n" * 1300,
                        app_type="JupyterLab", domain_id=DOMAIN,
                        tags={"project": "p", "system": "s", "user": "u"})
    assert recorder.ops() == []


def test_notebook_instance_config_on_moto_created_then_updated(sagemaker, lcc, clients):
    fake, recorder = sagemaker
    code, out, err = run(lcc, fake, "notebook-instance", "--register", "nbjobs-on-start",
                         "--tag-user", "ana")
    assert code == 0, err
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance-lifecycle-config/nbjobs-on-start"
    assert f"created {arn}" in err
    sm = clients.client("sagemaker")  # a client of its own: what moto holds
    found = sm.describe_notebook_instance_lifecycle_config(
        NotebookInstanceLifecycleConfigName="nbjobs-on-start")
    assert decoded(found["OnStart"][0]["Content"]) == out
    assert "sudo -u ec2-user -i" in out and "JupyterSystemEnv" in out
    [sent] = recorder.params("CreateNotebookInstanceLifecycleConfig")
    assert {t["Key"]: t["Value"] for t in sent["Tags"]} == {
        "project": "default", "system": "jupyterlab_nbjobs", "user": "ana"}

    # Registered again with another version: the on-start script is replaced in place.
    code, out2, err = run(lcc, fake, "notebook-instance", "--register", "nbjobs-on-start",
                          "--version", "0.2.0")
    assert code == 0, err
    assert f"updated {arn}" in err
    [update] = recorder.params("UpdateNotebookInstanceLifecycleConfig")
    assert decoded(update["OnStart"][0]["Content"]) == out2
    assert "jupyterlab_nbjobs==0.2.0" in out2
    seen = fake.made[-1].client("sagemaker").describe_notebook_instance_lifecycle_config(
        NotebookInstanceLifecycleConfigName="nbjobs-on-start")
    assert decoded(seen["OnStart"][0]["Content"]) == out2


def test_an_on_create_script_is_kept_when_the_on_start_one_is_replaced(sagemaker, lcc, clients):
    fake, recorder = sagemaker
    on_create = [{"Content": base64.b64encode(b"#!/bin/bash\necho made\n").decode()}]
    clients.client("sagemaker").create_notebook_instance_lifecycle_config(
        NotebookInstanceLifecycleConfigName="team", OnCreate=on_create,
        OnStart=[{"Content": "eA=="}],
        Tags=[{"Key": k, "Value": "x"} for k in ("project", "system", "user")])
    code, _, err = run(lcc, fake, "notebook-instance", "--register", "team")
    assert code == 0, err
    [update] = recorder.params("UpdateNotebookInstanceLifecycleConfig")
    assert update["OnCreate"] == on_create


def test_tag_defaults_are_the_sagemaker_backends():
    from jupyterlab_nbjobs.backends.sagemaker.config import SageMakerConfig
    from jupyterlab_nbjobs.cli.lcc import DEFAULT_TAGS

    config = SageMakerConfig()
    assert DEFAULT_TAGS == {"project": config.tag_project, "system": config.tag_system}
