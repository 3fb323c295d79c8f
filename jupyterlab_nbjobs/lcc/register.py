"""Registering a lifecycle script with SageMaker: a Studio lifecycle config attached to the
domain's or a user profile's default settings, or a notebook-instance lifecycle config.

Every config created carries the required tags (project, system, user): a hook on the client
refuses the create call without them before anything is sent, as aws/tags.py does for the
backend's resources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..aws import AwsClients, AwsNotFound, AwsSettings
from ..aws.errors import aws_errors
from ..aws.tags import check_required_tags, to_tag_list
from ..errors import Conflict, InvalidRequest
from .scripts import encode

# Studio app type -> the UserSettings key holding its lifecycle configs.
APP_SETTINGS = {"JupyterLab": "JupyterLabAppSettings", "JupyterServer": "JupyterServerAppSettings"}
_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
_TAGGED_CREATES = ("CreateStudioLifecycleConfig", "CreateNotebookInstanceLifecycleConfig")


@dataclass
class Registered:
    name: str
    arn: str
    created: bool
    attached_to: str = ""
    lifecycle_configs: list[str] = field(default_factory=list)


def connect(region: str | None = None, profile: str | None = None,
            endpoint_url: str | None = None) -> AwsClients:
    return AwsClients(AwsSettings(region=region or None, profile=profile or None,
                                  endpoint_url=endpoint_url or None))


def _sagemaker(clients: AwsClients) -> Any:
    client = clients.client("sagemaker")
    if not getattr(client, "_nbjobs_lcc_guard", False):
        for op in _TAGGED_CREATES:
            client.meta.events.register(f"before-parameter-build.sagemaker.{op}", _tag_guard)
        client._nbjobs_lcc_guard = True
    return client


def _tag_guard(params, model, **_kw) -> None:
    check_required_tags({t.get("Key", ""): t.get("Value", "") for t in params.get("Tags") or []},
                        what=f"sagemaker {model.name} target")


def check_name(name: str, option: str = "--register") -> str:
    if not _NAME.fullmatch(name or ""):
        raise InvalidRequest(f"{option} {name!r}: a lifecycle config name is 1-63 letters, digits "
                             "and hyphens, starting and ending with a letter or digit",
                             field="name")
    return name


def register_studio(clients: AwsClients, name: str, script: str, *, app_type: str,
                    tags: dict[str, str], domain_id: str,
                    user_profile: str | None = None) -> Registered:
    """Create the Studio lifecycle config (or reuse one with this name and the same script) and
    make it the default of the domain's (or the user profile's) `app_type` apps, keeping the
    configs already attached."""
    check_name(name)
    content = encode(script, "Studio lifecycle script")  # before any AWS call
    check_required_tags(tags, what="Studio lifecycle config")
    sm = _sagemaker(clients)
    key = APP_SETTINGS[app_type]
    with aws_errors("sagemaker"):  # the domain (profile) first: no config made for a typo
        domain = sm.describe_domain(DomainId=domain_id).get("DefaultUserSettings") or {}
        app = dict(domain.get(key) or {})
        if user_profile:
            profile = sm.describe_user_profile(
                DomainId=domain_id, UserProfileName=user_profile).get("UserSettings") or {}
            own = dict(profile.get(key) or {})
            # A profile's list replaces the domain's: start from the domain's configs so that
            # the user keeps them.
            own.setdefault("LifecycleConfigArns", list(app.get("LifecycleConfigArns") or []))
            app = own
    arn, created = _studio_config(sm, name, content, app_type, tags)
    app = _with_default(app, arn, app_type)
    with aws_errors("sagemaker"):
        if user_profile:
            sm.update_user_profile(DomainId=domain_id, UserProfileName=user_profile,
                                   UserSettings={key: app})
            where = f"user profile {user_profile} of domain {domain_id}"
        else:
            sm.update_domain(DomainId=domain_id, DefaultUserSettings={key: app})
            where = f"domain {domain_id}"
    return Registered(name=name, arn=arn, created=created, attached_to=where,
                      lifecycle_configs=app["LifecycleConfigArns"])


def _studio_config(sm: Any, name: str, content: str, app_type: str,
                   tags: dict[str, str]) -> tuple[str, bool]:
    try:
        with aws_errors("sagemaker"):
            found = sm.describe_studio_lifecycle_config(StudioLifecycleConfigName=name)
    except AwsNotFound:
        found = None
    if found:
        if (found.get("StudioLifecycleConfigContent") == content
                and found.get("StudioLifecycleConfigAppType") == app_type):
            return found["StudioLifecycleConfigArn"], False
        raise Conflict(f"a Studio lifecycle config named {name!r} exists with another script or "
                       "app type, and Studio lifecycle configs cannot be changed: register under "
                       "a new name (keep the version in it, e.g. nbjobs-0-2-0)", field="name")
    with aws_errors("sagemaker"):
        made = sm.create_studio_lifecycle_config(
            StudioLifecycleConfigName=name, StudioLifecycleConfigContent=content,
            StudioLifecycleConfigAppType=app_type, Tags=to_tag_list(tags))
    return made["StudioLifecycleConfigArn"], True


def _with_default(app: dict[str, Any], arn: str, app_type: str) -> dict[str, Any]:
    """The app settings with `arn` among the lifecycle configs and as the default one; the
    rest (image, instance type, other configs, repositories) as they were."""
    arns = list(app.get("LifecycleConfigArns") or [])
    if arn not in arns:
        arns.append(arn)
    spec = dict(app.get("DefaultResourceSpec") or {})
    spec["LifecycleConfigArn"] = arn
    if app_type == "JupyterServer":
        spec.setdefault("InstanceType", "system")  # the Classic server app's only type
    app.update(LifecycleConfigArns=arns, DefaultResourceSpec=spec)
    return app


def register_notebook_instance(clients: AwsClients, name: str, script: str, *,
                               tags: dict[str, str]) -> Registered:
    """Create the notebook-instance lifecycle config with `script` as its on-start script, or
    replace the on-start script of the one with this name (keeping its on-create script and
    its tags: nothing is created then)."""
    check_name(name)
    content = encode(script, "notebook-instance on-start script")
    check_required_tags(tags, what="notebook-instance lifecycle config")
    sm = _sagemaker(clients)
    try:
        with aws_errors("sagemaker"):
            found = sm.describe_notebook_instance_lifecycle_config(
                NotebookInstanceLifecycleConfigName=name)
    except AwsNotFound:  # SageMaker's ValidationException "... does not exist"
        found = None
    with aws_errors("sagemaker"):
        if found is None:
            made = sm.create_notebook_instance_lifecycle_config(
                NotebookInstanceLifecycleConfigName=name, OnStart=[{"Content": content}],
                Tags=to_tag_list(tags))
            return Registered(name=name, arn=made["NotebookInstanceLifecycleConfigArn"],
                              created=True)
        arn = found["NotebookInstanceLifecycleConfigArn"]
        update: dict[str, Any] = {"OnStart": [{"Content": content}]}
        if found.get("OnCreate"):
            update["OnCreate"] = found["OnCreate"]
        sm.update_notebook_instance_lifecycle_config(NotebookInstanceLifecycleConfigName=name,
                                                     **update)
    return Registered(name=name, arn=arn, created=False)
