"""Projects (teams that own notebook instances) and who-am-I."""

from __future__ import annotations

import enum
import zoneinfo
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StrictBool

from .common import Model, StrictModel, check_text, text

PROJECT_NAME_PATTERN = "^[A-Za-z0-9]{1,24}$"
STOP_TIME_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
# A username as JupyterHub and jupyter_server carry it: any printable text, no NUL.
USERNAME_PATTERN = "^[^\\x00-\\x1f\\x7f]+$"



def _checked(value):
    return check_text(value) if isinstance(value, str) else value


def pattern_text(pattern: str, **constraints) -> type[str]:
    """A str with a pattern the spec states as it is (text() replaces a pattern with its
    NUL-free one), checked by check_text first for the clearer message."""
    return Annotated[str, Field(pattern=pattern, **constraints), BeforeValidator(_checked)]


ProjectName = pattern_text(PROJECT_NAME_PATTERN, min_length=1, max_length=24)
StopTime = pattern_text(STOP_TIME_PATTERN, description="HH:MM, 24-hour clock")
Username = pattern_text(USERNAME_PATTERN, min_length=1, max_length=200)
Description = text(max_length=2000)


def check_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, IsADirectoryError, OSError):
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/Paris)") from None
    return value


Timezone = Annotated[text(min_length=1, max_length=64), AfterValidator(check_timezone)]
UserList = Annotated[list[Username], Field(max_length=500)]


class Role(str, enum.Enum):
    admin = "admin"
    owner = "owner"
    member = "member"


class ProjectCreate(StrictModel):
    name: ProjectName = Field(description="1-24 letters and digits")
    description: Description = ""
    owners: UserList = Field(default_factory=list)
    members: UserList = Field(default_factory=list)
    stop_time: StopTime | None = Field(default=None, description="daily auto-stop, HH:MM")
    timezone: Timezone = Field(default="UTC", description="IANA time zone of stop_time")
    allow_owner_override: StrictBool = Field(
        default=True, description="instance owners may set their own daily stop time")


class ProjectUpdate(StrictModel):
    """Only the fields sent change; stop_time null turns the project's daily stop off."""

    description: Description | None = None
    owners: UserList | None = None
    members: UserList | None = None
    suspended: StrictBool | None = None
    stop_time: StopTime | None = None
    timezone: Timezone | None = None
    allow_owner_override: StrictBool | None = None


class Project(Model):
    name: str
    description: str
    owners: list[str]
    members: list[str]
    suspended: bool
    stop_time: str | None
    timezone: str
    allow_owner_override: bool
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    role: Role | None = Field(description="the caller's role in this project")
    actions: list[str] = Field(description="what the caller may do now: update, "
                                           "manage_members, manage_owners, suspend, delete")


class ProjectList(Model):
    projects: list[Project]


class MyProject(Model):
    name: str
    role: Role
    suspended: bool


class Me(Model):
    username: str
    display_name: str
    admin: bool
    projects: list[MyProject]
    instances_enabled: bool = Field(description="whether this server manages notebook "
                                                "instances at all")
