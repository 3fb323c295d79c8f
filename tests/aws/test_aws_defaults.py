"""Defaults discovery: config, Studio metadata, notebook-params.json, domain/user profile."""

from __future__ import annotations

import json

from jupyterlab_nbjobs.aws.defaults import discover_defaults
from tests.support.aws import ROLE


def _write(path, data):
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def test_order_config_then_metadata_then_params(tmp_path):
    meta = _write(tmp_path / "resource-metadata.json", {
        "DomainId": "d-abc", "UserProfileName": "ana", "SpaceName": "s1",
        "ResourceArn": "arn:aws:sagemaker:eu-west-1:123456789012:app/d-abc/ana/jupyterlab/default"})
    params = _write(tmp_path / "notebook-params.json", {
        "bucket": "team-bkt", "SubnetIds": ["subnet-1", "subnet-2"], "KmsKeyId": "alias/team",
        "security_groups": "sg-1, sg-2", "role_arn": "arn:aws:iam::123456789012:role/from-params"})
    found = discover_defaults({"role_arn": ROLE, "s3_bucket": None, "subnets": []}, meta, params)
    assert found.values == {
        "role_arn": ROLE, "domain_id": "d-abc", "user_profile": "ana", "space_name": "s1",
        "region": "eu-west-1", "s3_bucket": "team-bkt", "subnets": ["subnet-1", "subnet-2"],
        "kms_key": "alias/team", "security_groups": ["sg-1", "sg-2"]}
    assert found.sources["role_arn"] == "config"
    assert found.sources["region"] == "resource-metadata"
    assert found.sources["s3_bucket"] == "notebook-params"
    assert found.warnings == []


def test_missing_and_broken_files_are_warnings_not_errors(tmp_path):
    broken = _write(tmp_path / "notebook-params.json", "{not json")
    found = discover_defaults({}, tmp_path / "absent.json", broken)
    assert found.values == {}
    assert len(found.warnings) == 1 and "notebook-params.json" in found.warnings[0]


def test_domain_settings_from_moto_and_user_profile_gap(tmp_path, clients):
    sm = clients.client("sagemaker")
    domain = sm.create_domain(
        DomainName="team", AuthMode="IAM", VpcId="vpc-1", SubnetIds=["subnet-d1"],
        DefaultUserSettings={"ExecutionRole": "arn:aws:iam::123456789012:role/domain-role",
                             "SecurityGroups": ["sg-d1"]})
    domain_id = domain["DomainArn"].rsplit("/", 1)[-1]
    meta = _write(tmp_path / "meta.json", {"DomainId": domain_id, "UserProfileName": "ana"})
    found = discover_defaults({}, meta, None, sm)
    # moto has no user profiles (it answers 500): kept as a warning, the domain still counts.
    assert any("user profile ana" in w for w in found.warnings)
    assert found.get("role_arn") == "arn:aws:iam::123456789012:role/domain-role"
    assert found.sources["role_arn"] == "domain"
    assert found.get("subnets") == ["subnet-d1"] and found.get("security_groups") == ["sg-d1"]


def test_unknown_domain_is_a_warning(tmp_path, clients):
    meta = _write(tmp_path / "meta.json", {"DomainId": "d-nope"})
    found = discover_defaults({}, meta, None, clients.client("sagemaker"))
    assert found.get("domain_id") == "d-nope" and "role_arn" not in found.values
    assert any("domain d-nope" in w for w in found.warnings)
