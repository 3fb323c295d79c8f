"""The lifecycle scripts: one template per target plus the part they share, with the package
to install (a version from the package index, or a wheel or wheel folder on S3) filled in."""

from __future__ import annotations

import base64
import re
import shlex
from importlib import resources

from packaging.version import InvalidVersion, Version

from .._version import __version__
from ..errors import InvalidRequest

# target -> (template, what it installs into)
TARGETS = {
    "JupyterLab": "studio-jupyterlab.sh",
    "JupyterServer": "studio-classic.sh",
    "notebook-instance": "notebook-instance.sh",
}
# SageMaker's limit on a lifecycle script, counted on its base64 form.
MAX_CONTENT_BYTES = 16384
# s3://bucket/key.whl, or s3://bucket/prefix/ for a folder of wheels.
_S3_URI = re.compile(r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]/[!-~]*")
_WHEEL_NAME = re.compile(r"jupyterlab_nbjobs-[^-/]+-[^/]+\.whl")


class ScriptTooLarge(InvalidRequest):
    reason = "lcc_too_large"


def check_version(version: str) -> str:
    try:
        return str(Version(version))
    except InvalidVersion:
        raise InvalidRequest(f"--version {version!r} is not a version (PEP 440)",
                             field="version") from None


def check_wheel_uri(uri: str) -> str:
    if not _S3_URI.fullmatch(uri):
        raise InvalidRequest(f"--wheel wants s3://bucket/jupyterlab_nbjobs-VERSION-...whl or "
                             f"s3://bucket/folder/ (a folder of wheels), got {uri!r}",
                             field="wheel")
    if not uri.endswith("/") and not _WHEEL_NAME.fullmatch(uri.rsplit("/", 1)[-1]):
        raise InvalidRequest(f"--wheel {uri!r} is not a jupyterlab_nbjobs wheel (its name "
                             "carries the version: jupyterlab_nbjobs-VERSION-py3-none-any.whl); "
                             "end the URI with / for a folder of wheels", field="wheel")
    return uri


def render(target: str, *, version: str | None = None, wheel_uri: str | None = None) -> str:
    """The script for `target` (a TARGETS key) installing `version` (default: this one) from
    the package index, or the wheel(s) at `wheel_uri`."""
    if version and wheel_uri:
        raise InvalidRequest("give --version or --wheel, not both", field="wheel")
    requirement = ""
    if wheel_uri:
        wheel_uri = check_wheel_uri(wheel_uri)
    else:
        requirement = f"jupyterlab_nbjobs=={check_version(version or __version__)}"
    templates = resources.files(__package__) / "templates"
    text = (templates / TARGETS[target]).read_text(encoding="utf-8")
    common = (templates / "common.sh").read_text(encoding="utf-8")
    values = {"@REQUIREMENT@": shlex.quote(requirement), "@WHEEL_URI@": shlex.quote(wheel_uri or ""),
              "@GENERATOR@": __version__, "@COMMON@": common.rstrip("\n")}
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def encode(script: str, what: str = "lifecycle script") -> str:
    """The base64 content SageMaker wants, refused here if it is over SageMaker's limit."""
    content = base64.b64encode(script.encode("utf-8")).decode("ascii")
    if len(content) > MAX_CONTENT_BYTES:
        raise ScriptTooLarge(f"the {what} is {len(content)} bytes in base64, over SageMaker's "
                             f"limit of {MAX_CONTENT_BYTES}", field="script")
    return content
