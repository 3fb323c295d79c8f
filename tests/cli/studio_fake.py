"""The thin fake for what moto 5.2 lacks around lifecycle configs: every Studio
lifecycle-config call, DescribeDomain/UpdateDomain, the user-profile calls, and
UpdateNotebookInstanceLifecycleConfig. It answers through botocore hooks on the client under
test (which sends everything else to moto), and checks what SageMaker checks."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from tests.support.aws import ACCOUNT, REGION

APP_TYPES = {"JupyterLabAppSettings": "JupyterLab", "JupyterServerAppSettings": "JupyterServer"}


def _error(code: str, message: str, op: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": {"HTTPStatusCode": 400}}, op)


class StudioFake:
    def __init__(self):
        self.configs: dict[str, dict[str, Any]] = {}
        self.domains: dict[str, dict[str, Any]] = {}
        self.profiles: dict[tuple[str, str], dict[str, Any]] = {}
        self.instance_configs: dict[str, dict[str, Any]] = {}  # updates moto cannot make
        self.calls: list[str] = []

    # -- seeding --------------------------------------------------------------------------
    def add_config(self, name: str, app_type: str, script: str = "#!/bin/bash\necho hi\n") -> str:
        arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:studio-lifecycle-config/{name}"
        self.configs[name] = {"StudioLifecycleConfigArn": arn, "StudioLifecycleConfigName": name,
                              "StudioLifecycleConfigAppType": app_type, "Tags": [],
                              "StudioLifecycleConfigContent": base64.b64encode(
                                  script.encode()).decode()}
        return arn

    def add_domain(self, domain_id: str, settings: dict[str, Any]) -> None:
        self.domains[domain_id] = copy.deepcopy(settings)

    def add_profile(self, domain_id: str, name: str, settings: dict[str, Any]) -> None:
        self.profiles[(domain_id, name)] = copy.deepcopy(settings)

    # -- wiring ---------------------------------------------------------------------------
    def attach(self, sagemaker: Any) -> StudioFake:
        events = sagemaker.meta.events
        for op in ("CreateStudioLifecycleConfig", "DescribeStudioLifecycleConfig",
                   "DescribeDomain", "UpdateDomain", "DescribeUserProfile", "UpdateUserProfile",
                   "UpdateNotebookInstanceLifecycleConfig"):
            events.register(f"before-call.sagemaker.{op}", self._answer)
        events.register("after-call.sagemaker.DescribeNotebookInstanceLifecycleConfig",
                        self._patch_instance_config)
        return self

    def _answer(self, model, params, **_kw):
        op = model.name
        self.calls.append(op)
        body = json.loads(params["body"] or b"{}")
        answer = getattr(self, f"_{op}")(body, op)
        return AWSResponse("http://fake", 200, {}, None), answer

    # -- Studio lifecycle configs ---------------------------------------------------------
    def _CreateStudioLifecycleConfig(self, body, op):
        name, content = body["StudioLifecycleConfigName"], body["StudioLifecycleConfigContent"]
        if name in self.configs:
            raise _error("ResourceInUse", f"Lifecycle config {name} already exists", op)
        if len(content) > 16384:
            raise _error("ValidationException", "1 validation error detected: Value at "
                         "'studioLifecycleConfigContent' failed to satisfy constraint: Member "
                         "must have length less than or equal to 16384", op)
        base64.b64decode(content, validate=True)
        arn = self.add_config(name, body["StudioLifecycleConfigAppType"])
        self.configs[name].update(StudioLifecycleConfigContent=content,
                                  Tags=body.get("Tags", []))
        return {"StudioLifecycleConfigArn": arn}

    def _DescribeStudioLifecycleConfig(self, body, op):
        name = body["StudioLifecycleConfigName"]
        if name not in self.configs:
            raise _error("ResourceNotFound", f"Lifecycle config {name} does not exist", op)
        return {k: v for k, v in self.configs[name].items() if k != "Tags"}

    # -- domains and user profiles ---------------------------------------------------------
    def _DescribeDomain(self, body, op):
        domain = self._domain(body["DomainId"], op)
        return {"DomainId": body["DomainId"], "DefaultUserSettings": copy.deepcopy(domain)}

    def _UpdateDomain(self, body, op):
        domain = self._domain(body["DomainId"], op)
        self._merge(domain, body.get("DefaultUserSettings") or {}, op)
        return {"DomainArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:domain/{body['DomainId']}"}

    def _DescribeUserProfile(self, body, op):
        settings = self._profile(body, op)
        return {"DomainId": body["DomainId"], "UserProfileName": body["UserProfileName"],
                "UserSettings": copy.deepcopy(settings)}

    def _UpdateUserProfile(self, body, op):
        self._merge(self._profile(body, op), body.get("UserSettings") or {}, op)
        return {"UserProfileArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:user-profile/"
                f"{body['DomainId']}/{body['UserProfileName']}"}

    def _domain(self, domain_id, op):
        if domain_id not in self.domains:
            raise _error("ResourceNotFound", f"Domain {domain_id} does not exist", op)
        return self.domains[domain_id]

    def _profile(self, body, op):
        key = (body["DomainId"], body["UserProfileName"])
        if key not in self.profiles:
            raise _error("ResourceNotFound", f"User profile {key[1]} does not exist", op)
        return self.profiles[key]

    def _merge(self, settings, update, op):
        """SageMaker replaces each settings block given and keeps the others; it checks that
        every lifecycle config exists, suits the app, and that the default is in the list."""
        for key, block in update.items():
            if key in APP_TYPES:
                arns = block.get("LifecycleConfigArns") or []
                by_arn = {c["StudioLifecycleConfigArn"]: c for c in self.configs.values()}
                for arn in arns:
                    if arn not in by_arn:
                        raise _error("ResourceNotFound", f"Lifecycle config {arn} not found", op)
                    if by_arn[arn]["StudioLifecycleConfigAppType"] != APP_TYPES[key]:
                        raise _error("ValidationException", f"{arn} is not for {key}", op)
                default = (block.get("DefaultResourceSpec") or {}).get("LifecycleConfigArn")
                if default and default not in arns:
                    raise _error("ValidationException", "The default lifecycle config must be "
                                 "in LifecycleConfigArns", op)
            settings[key] = copy.deepcopy(block)

    # -- notebook-instance lifecycle configs (moto has create/describe/delete) -----------
    def _UpdateNotebookInstanceLifecycleConfig(self, body, op):
        name = body["NotebookInstanceLifecycleConfigName"]
        update = {k: body[k] for k in ("OnCreate", "OnStart") if k in body}
        for scripts in update.values():
            if any(len(s["Content"]) > 16384 for s in scripts):
                raise _error("ValidationException", "Content longer than 16384", op)
        self.instance_configs[name] = update
        return {}

    def _patch_instance_config(self, parsed, **_kw):
        name = parsed.get("NotebookInstanceLifecycleConfigName")
        if name in self.instance_configs:
            parsed.pop("OnCreate", None)
            parsed.pop("OnStart", None)
            parsed.update(copy.deepcopy(self.instance_configs[name]))
