"""Pieces every resource shares: strict requests, the job statuses, value checks, JobSettings."""

from __future__ import annotations

import json
import keyword
import math
import re
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

# Defined where the server start can read them without pydantic; served from here as before.
from ..status import (  # noqa: F401
    ACTIVE_STATUSES,
    FINAL_STATUSES,
    RUNNING_STATUSES,
    JobStatus,
)


class Model(BaseModel):
    """Every model. Its validator is built when first used, not at import: a process serves
    a few of the ~50 models at first, and building them all took ~0.1 s of its start."""

    model_config = ConfigDict(defer_build=True)


class StrictModel(Model):
    """Requests refuse unknown fields so a typo is a 400, not a silently ignored option."""

    model_config = ConfigDict(extra="forbid")


# -- what a request may hold: whatever is accepted can be written back as JSON ----------------
# (docs/architecture.md, "Errors", lists these limits.)
MAX_JSON_DEPTH = 32  # containers nested in one JSON field, the field's own included
MAX_JSON_BYTES = 1 << 20  # UTF-8 JSON of one field: parameters, backend_options, grid, ...
MAX_ENV_BYTES = 64 << 10  # UTF-8 JSON of env: it goes through execve, which has its limits
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # integers in JSON values: 64-bit, as JSON tools expect
STORED_JSON_DEPTH = 2 * MAX_JSON_DEPTH  # answers cut stored JSON (older rows) deeper than this

_SURROGATE = re.compile("[\ud800-\udfff]")  # a decoded JSON string keeps only lone ones


def _where(field: str, path: str = "") -> str:
    where = f"{field}{path}"
    if len(where) > 80:
        where = where[:77] + "..."
    return f"{where}: " if where else ""


def _text_problem(value: str, nul: bool) -> str | None:
    found = _SURROGATE.search(value)
    if found:
        return f"holds a lone surrogate (U+{ord(found.group()):04X}); send valid Unicode"
    if not nul and "\0" in value:
        return "holds a NUL character"
    return None


def check_text(value: str, field: str = "", *, nul: bool = False) -> str:
    """A string that UTF-8 and the store can hold: no lone surrogate, no NUL (unless `nul`)."""
    problem = _text_problem(value, nul)
    if problem:
        raise PydanticCustomError("invalid_text", f"{_where(field)}{problem}")
    return value


def check_json_value(value: Any, field: str = "", *, max_depth: int = MAX_JSON_DEPTH,
                     max_bytes: int = MAX_JSON_BYTES) -> Any:
    """The one check of a JSON value from a client (parameters, grid, backend_options, ...):
    strings (keys too) without lone surrogates, finite numbers, integers within 64 bits,
    at most `max_depth` nested containers and `max_bytes` of UTF-8 JSON. Raises a
    PydanticCustomError named invalid_text, invalid_json_value or invalid_size."""
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    while stack:
        item, depth, path = stack.pop()
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, str):
            check_text(item, f"{field}{path}", nul=True)
        elif isinstance(item, int):
            if not INT_MIN <= item <= INT_MAX:
                raise PydanticCustomError(
                    "invalid_json_value", f"{_where(field, path)}integers must fit in 64 bits "
                    f"({INT_MIN} to {INT_MAX}); send a bigger number as a string")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise PydanticCustomError(
                    "invalid_json_value", f"{_where(field, path)}{item} is not a JSON number")
        elif isinstance(item, (list, dict)):
            if depth >= max_depth:
                raise PydanticCustomError(
                    "invalid_json_value",
                    f"{_where(field, path)}nests deeper than {max_depth} levels")
            if isinstance(item, list):
                stack.extend((v, depth + 1, f"{path}[{i}]") for i, v in enumerate(item))
                continue
            for key, v in item.items():
                if not isinstance(key, str):
                    raise PydanticCustomError(
                        "invalid_json_value", f"{_where(field, path)}key {key!r} is not a string")
                problem = _text_problem(key, nul=True)
                if problem:
                    raise PydanticCustomError(
                        "invalid_text", f"{_where(field, path)}the key {key!r} {problem}")
                stack.append((v, depth + 1, f"{path}[{key!r}]"))
        else:
            raise PydanticCustomError(
                "invalid_json_value",
                f"{_where(field, path)}a {type(item).__name__} is not a JSON value")
    size = len(json.dumps(value, ensure_ascii=False).encode())
    if size > max_bytes:
        raise PydanticCustomError(
            "invalid_size", f"{_where(field)}is {size} bytes of JSON; the limit is {max_bytes}")
    return value


def check_parameters(value: dict[str, Any]) -> dict[str, Any]:
    """Names papermill can inject as Python identifiers, values check_json_value takes.

    A name that shadows a builtin (print, input, id) is accepted as papermill does: its
    injected cell only assigns literals. A dunder name (__builtins__, __name__) is refused:
    those belong to the interpreter, and __builtins__ = ... breaks every later name lookup."""
    for name in value:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"parameter name {name!r} is not a Python identifier")
        if name.startswith("__") and name.endswith("__"):
            raise ValueError(f"parameter name {name!r} is reserved: names like __x__ belong to "
                             "the interpreter")
    return check_json_value(value)


def check_env(value: dict[str, str]) -> dict[str, str]:
    for name, item in value.items():
        if not name or "=" in name or "\0" in name or not name.replace("_", "a").isalnum():
            raise ValueError(f"environment variable name {name!r} is not valid")
        if name[0].isdigit():
            raise ValueError(f"environment variable name {name!r} starts with a digit")
        check_text(item, f"[{name!r}]")
    return check_json_value(value, max_bytes=MAX_ENV_BYTES)


def _text(value: Any) -> Any:
    return check_text(value) if isinstance(value, str) else value


# Annotated types: the same checks on every model that takes these fields.
NUL_FREE = {"pattern": "^[^\\x00]*$"}  # what the spec can say of check_text


def text(**constraints: Any) -> Any:
    """A str type checked by check_text (first: pydantic itself refuses lone surrogates, with a
    vaguer message), then by pydantic's constraints."""
    return Annotated[str, Field(**constraints), BeforeValidator(_text),
                     Field(json_schema_extra=NUL_FREE)]


Text = text()
Name = text(max_length=200)
Tag = text(min_length=1, max_length=128)
Parameters = Annotated[dict[str, Any], AfterValidator(check_parameters)]
JsonObject = Annotated[dict[str, Any], AfterValidator(check_json_value)]
Env = Annotated[dict[str, str], AfterValidator(check_env)]
# JSON numbers only, as the spec says (integer / number): lax mode would take true or "3".
# A Seconds value may still be written as a JSON integer.
Count = Annotated[int, Strict()]
Seconds = Annotated[float, Strict()]


class JobSettings(StrictModel):
    """What a job runs: shared by jobs, schedules and sweeps."""

    input_path: Text = Field(description="Notebook path relative to the server root")
    name: Name | None = None
    kernel_name: Text | None = Field(default=None, description="Default: the notebook's kernel")
    backend: Text = "local"
    backend_options: JsonObject = Field(default_factory=dict)
    parameters: Parameters = Field(default_factory=dict)
    output_formats: list[Text] = Field(default_factory=lambda: ["ipynb"])
    package_input_folder: StrictBool = False
    env: Env = Field(default_factory=dict)
    timeout_seconds: Seconds | None = Field(default=None, gt=0, allow_inf_nan=False)
    max_retries: Count = Field(default=0, ge=0, le=30)
    tags: list[Tag] = Field(default_factory=list, max_length=50)

    @field_validator("input_path")
    @classmethod
    def _input_path(cls, value):
        if not value:
            raise ValueError("input_path is empty")
        return value


# -- rows written by older versions ----------------------------------------------------------
M = TypeVar("M", bound=BaseModel)


def redact_json(value: Any, max_depth: int = STORED_JSON_DEPTH) -> tuple[Any, bool]:
    """A copy any JSON writer can write, and whether it differs: lone surrogates become
    U+FFFD, containers deeper than `max_depth` become null. Other values pass as they are."""
    if isinstance(value, str):
        if value.isascii() or not _SURROGATE.search(value):  # isascii: O(1) in CPython
            return value, False
        return _SURROGATE.sub("\ufffd", value), True
    if isinstance(value, (list, tuple, dict)):
        if max_depth <= 0:
            return None, True
        changed = False
        if isinstance(value, dict):
            out: Any = {}
            for key, item in value.items():
                k, c1 = redact_json(key, max_depth - 1) if isinstance(key, str) else (key, False)
                v, c2 = redact_json(item, max_depth - 1)
                out[k] = v
                changed = changed or c1 or c2
        else:
            out = []
            for item in value:
                v, c = redact_json(item, max_depth - 1)
                out.append(v)
                changed = changed or c
        return (out, True) if changed else (value, False)
    return value, False


def from_stored(model: type[M], data: Mapping[str, Any]) -> tuple[M | None, list[str]]:
    """A response model from a stored row that may predate today's checks, and the fields
    redacted on the way: values a JSON answer cannot hold are redacted (redact_json), and a
    field that is not valid for the model takes its default (or null, which a row's model may
    map to its own default). None when even that does not give a model."""
    values: dict[str, Any] = {}
    redacted: list[str] = []
    for key, value in data.items():
        values[key], changed = redact_json(value)
        if changed:
            redacted.append(key)
    for _ in range(2):
        try:
            found = model.model_validate(values)
        except ValidationError as exc:
            bad = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
            if not bad or not bad <= set(model.model_fields):
                return None, redacted
            for name in bad:
                if model.model_fields[name].is_required():
                    values[name] = None
                else:
                    values.pop(name, None)
                redacted.append(name)
            continue
        redacted = sorted({name for name in redacted if name in model.model_fields})
        if "redacted" in model.model_fields:
            found.redacted = redacted
        return found, redacted
    return None, sorted({name for name in redacted if name in model.model_fields})
