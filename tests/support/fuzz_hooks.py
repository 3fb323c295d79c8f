"""Schemathesis hooks of the fuzz test (tests/handlers/test_fuzz.py), loaded by the
`schemathesis run` subprocess through the `hooks` option of its config file.

- `error_shape`: every 4xx answers the one error shape, `{"message", "reason"}` (strings), an
  optional string `field` and an optional `errors` list of `{"message", "field"?}`, whether or
  not the spec documents that status;
- edge values that schema-driven generation does not reach (hypothesis never draws lone
  surrogates, thousands of digits or hundreds of nesting levels): about one positive case in
  EDGE_RATE gets one, in its body, query or path (`flatmap_case`: NUL, an empty idempotency
  key, 256-byte path components, dunder parameter names) or as JSON text spliced into the body
  it sends (`before_call`: lone surrogates, 5,000 digits, Infinity/NaN, 300 and 1,100 levels
  of nesting); a body edge comes with a real notebook so that it gets past "no such file";
- every response is counted by operation and status into the JSON file named by
  NBJOBS_FUZZ_COUNTS (written at exit); with NBJOBS_FUZZ_DEBUG set, every exchange is
  appended to that file as a JSON line. The raw edges sent and their statuses go into the
  counts file too (a failure report shows the generated case, not the spliced text).

NBJOBS_FUZZ_SEEDS names the JSON file of what the test seeded (notebooks, ids, outputs).
"""

from __future__ import annotations

import atexit
import json
import os
import random
from collections import Counter

import schemathesis
import yaml
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.generation.meta import TestPhase

from jupyterlab_nbjobs.openapi import SPEC_PATH

ERROR_KEYS = {"message", "reason", "field", "errors"}
ERROR_ITEM_KEYS = {"message", "field"}
COUNTS: Counter[tuple[str, int]] = Counter()
EDGE_RATE = 6
SEEDS = json.loads(open(os.environ["NBJOBS_FUZZ_SEEDS"]).read()) \
    if os.environ.get("NBJOBS_FUZZ_SEEDS") else {"notebooks": ["fuzz.ipynb"]}
RANDOM = random.Random(os.environ.get("NBJOBS_FUZZ_SEED", "edges"))


def _nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


def _a(raw: str) -> str:
    return '{"a": ' + raw + "}"


LONG = "a" * 256  # one byte over NAME_MAX
HUGE = "9" * 5000  # digits: more than int() takes by default
# Values as JSON text, sent by before_call in the body: a lone surrogate, thousands of digits,
# Infinity and hundreds of nesting levels cannot go through schemathesis' own checks of a case.
RAW_EDGES = [
    ("parameters", '{"a": "\\ud800"}'),
    ("parameters", '{"\\udc00": 1}'),
    ("parameters", _a(_nested(300))),
    ("parameters", _a(_nested(1100))),
    ("parameters", _a(HUGE)),
    ("parameters", '{"a": Infinity}'),
    ("parameters", '{"a": NaN}'),
    ("tags", '["\\ud83d"]'),
    ("name", '"n\\udfff"'),
    ("input_path", '"\\ud800.ipynb"'),
    ("env", '{"A": "\\udfff"}'),
    ("timeout_seconds", "Infinity"),
    ("max_retries", HUGE),
    ("catchup_limit", HUGE),
    ("count", HUGE),
    ("backend_options", _a(_nested(300))),
    ("grid", '{"a": ["\\ud800", 1]}'),
    ("grid", _a(_nested(300, "[1]"))),
    ("combinations", "[" + _a(HUGE) + "]"),
    ("cron", '"\\ud800"'),
    ("timezone", '"\\ud800"'),
    ("ids", '["\\ud800"]'),
    ("idempotency_key", '"\\ud800"'),
]
# Values that can be part of a generated case.
EDGES = [  # (where, name, value)
    ("body", "parameters", {"a": "x\x00y", "print": 1}),
    ("body", "parameters", {"__builtins__": 1}),
    ("body", "idempotency_key", ""),
    ("body", "idempotency_key", ""),
    ("body", "idempotency_key", "k\x00"),
    ("body", "tags", ["t\x00"]),
    ("body", "input_path", f"d/{LONG}.ipynb"),
    ("body", "env", {"A": "v\x00"}),
    ("body", "ids", ["\x00", LONG * 2]),
    ("body", "timezone", "\x00"),
    ("query", "path", f"d/{LONG}.ipynb"),
    ("query", "tag", "\x00"),
    ("query", "cursor", "\x00" + LONG),
    ("path", "name", LONG),
    ("path", "name", f"files/{LONG}.txt"),
    ("path", "job_id", "a\x00b"),
    ("path", "schedule_id", LONG * 2),
    ("path", "sweep_id", "x\x00"),
]
# The seeded job's outputs whose names a download header must escape, asked for as downloads.
EDGES += [("download", name, None) for name in SEEDS.get("outputs", [])
          if not name.isascii() or any(c in name for c in '"\r\n\\')]
RAW_SENT: list[dict] = []  # the raw edges sent and what they got, for the test's report


def _fields() -> dict[str, dict[str, set[str]]]:
    """Per operation label: the names it takes in its body, query and path."""
    spec = yaml.safe_load(SPEC_PATH.read_text())
    schemas = spec["components"]["schemas"]
    out = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            names: dict[str, set[str]] = {"body": set(), "query": set(), "path": set()}
            for param in op.get("parameters", []):
                names[param["in"]].add(param["name"])
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                ref = body["schema"]["$ref"].rsplit("/", 1)[1]
                names["body"] = set(schemas[ref].get("properties", {}))
            out[f"{method.upper()} {path}"] = names
    return out


FIELDS = _fields()


def _positive(case) -> bool:
    """Edges go into positive cases only: a negative case must stay refused for the reason it
    was made (a real notebook put in its place would make it valid)."""
    meta = case.meta
    return meta is not None and meta.generation.mode == GenerationMode.POSITIVE


def _with_edge(case, edge):
    where, name, value = edge
    if where == "body":
        body = dict(case.body) if isinstance(case.body, dict) else {}
        body[name] = value
        if name != "input_path" and "input_path" in FIELDS[case.operation.label]["body"]:
            body["input_path"] = SEEDS["notebooks"][0]
        case.body = body
    elif where == "download":
        case.path_parameters = {"job_id": value, "name": name}
        case.query = {**(case.query or {}), "download": "1"}
    elif where == "query":
        case.query = {**(case.query or {}), name: value}
    else:
        case.path_parameters = {**(case.path_parameters or {}), name: value}
    return case


ID_SEEDS = {"job_id": "jobs", "schedule_id": "schedules", "sweep_id": "sweeps",
            "instance_name": "instances", "project_name": "projects"}
DONE: list[str] = list(SEEDS.get("jobs", []))  # finished jobs of the first notebook, seen last


def _seen(response) -> None:
    """Remember finished jobs of the seeded notebook that writes the odd file names."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return
    jobs = body.get("jobs", [body]) if isinstance(body, dict) else []
    for job in jobs:
        if isinstance(job, dict) and job.get("status") == "completed" and \
                job.get("input_path") == SEEDS["notebooks"][0] and job.get("id") not in DONE:
            DONE.append(job["id"])
    if response.status_code == 204 and response.request.method == "DELETE":
        gone = response.request.url.rstrip("/").rsplit("/", 1)[-1]
        if gone in DONE:
            DONE.remove(gone)


@schemathesis.hook
def flatmap_case(context, case):
    """Seeded ids in about 30% of the positive cases (never in a DELETE, which would take the
    seeded job and its outputs away for the rest of the run), and one edge value in about one
    in EDGE_RATE."""
    fields = FIELDS.get(case.operation.label)
    if not fields or not _positive(case):
        return st.just(case)
    # In a stateful step a path parameter is the id a link carried from an earlier answer:
    # another id there is not the resource the checks then look for.
    stateful = case.meta.phase.name == TestPhase.STATEFUL
    ids = {} if stateful or case.method.upper() == "DELETE" else {
        name: SEEDS[seed][0] for name, seed in ID_SEEDS.items()
        if name in fields["path"] and SEEDS.get(seed)}
    edges = [e for e in EDGES if e[0] != "download" and not (stateful and e[0] == "path")
             and e[1] in fields[e[0]]]
    if case.operation.label == "GET /jobs/{job_id}/outputs/{name}" and DONE and not stateful:
        # The seeded job may be gone (a stateful chain can list and delete it): any finished
        # job of the same notebook wrote the same files.
        edges += [("download", name, DONE[-1]) for where, name, _ in EDGES
                  if where == "download"]
    if not ids and not edges:
        return st.just(case)

    def apply(choice):
        use_ids, use_edge, edge = choice
        if ids and use_ids < 3:
            case.path_parameters = {**(case.path_parameters or {}), **ids}
        if edges and use_edge == 0:
            _with_edge(case, edge)
        return case

    return st.tuples(st.integers(0, 9), st.integers(0, EDGE_RATE - 1),
                     st.sampled_from(edges) if edges else st.none()).map(apply)


@schemathesis.hook
def before_call(context, case, kwargs):
    fields = FIELDS.get(case.operation.label, {}).get("body", set())
    edges = [e for e in RAW_EDGES if e[0] in fields]
    if not edges or not isinstance(case.body, dict) or not _positive(case) or \
            RANDOM.randrange(EDGE_RATE):
        return
    name, raw = RANDOM.choice(edges)
    body = {k: v for k, v in case.body.items() if k != name}
    if name != "input_path" and "input_path" in fields:
        body["input_path"] = SEEDS["notebooks"][0]
    text = json.dumps(body)
    text = f'{text[:-1]}{", " if body else ""}"{name}": {raw}}}'
    kwargs["data"] = text.encode()
    RAW_SENT.append({"operation": case.operation.label, "field": name, "value": raw[:80],
                     "case": id(case)})


@schemathesis.check
def error_shape(ctx, response, case):
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"{response.status_code} without a JSON body: "
                             f"{response.content[:200]!r}") from None
    if not isinstance(body, dict):
        raise AssertionError(f"{response.status_code} body is not an object: {body!r}")
    if not (isinstance(body.get("message"), str) and isinstance(body.get("reason"), str)):
        raise AssertionError(f"{response.status_code} body lacks message/reason: {body!r}")
    extra = set(body) - ERROR_KEYS
    if extra or ("field" in body and not isinstance(body["field"], str)):
        raise AssertionError(f"{response.status_code} body is not the error shape: {body!r}")
    if "errors" in body and not _error_items(body["errors"]):
        raise AssertionError(f"{response.status_code} errors is not a list of "
                             f"{{message, field?}}: {body!r}")
    return None


def _error_items(items) -> bool:
    """Every problem of a refused request: [{"message", "field"?}] (strings), 1 to 100."""
    return isinstance(items, list) and 0 < len(items) <= 100 and all(
        isinstance(i, dict) and isinstance(i.get("message"), str) and set(i) <= ERROR_ITEM_KEYS
        and isinstance(i.get("field", ""), str) for i in items)


@schemathesis.hook
def after_call(context, case, response):
    COUNTS[(case.operation.label, response.status_code)] += 1
    if case.operation.label.startswith(("GET /jobs", "DELETE /jobs/")):
        _seen(response)
    if RAW_SENT and RAW_SENT[-1].get("case") == id(case) and "status" not in RAW_SENT[-1]:
        RAW_SENT[-1]["status"] = response.status_code
    if os.environ.get("NBJOBS_FUZZ_DEBUG"):
        req = response.request
        body = req.body if isinstance(req.body, (bytes, type(None))) else req.body.encode()
        with open(os.environ["NBJOBS_FUZZ_DEBUG"], "a") as fh:
            fh.write(json.dumps([case.operation.label, response.status_code, req.method,
                                 req.url, (body or b"")[:300].decode("utf-8", "replace"),
                                 response.content[:300].decode("utf-8", "replace")]) + "\n")


@atexit.register
def _write_counts() -> None:
    path = os.environ.get("NBJOBS_FUZZ_COUNTS")
    if path:
        with open(path, "w") as fh:
            json.dump({"counts": [[label, code, n] for (label, code), n in sorted(COUNTS.items())],
                       "raw_edges": [{k: v for k, v in e.items() if k != "case"}
                                     for e in RAW_SENT]}, fh)
