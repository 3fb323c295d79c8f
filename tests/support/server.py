"""Talking to the real Jupyter server of a test: `Api` over jp_fetch, and notebooks on disk."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import nbformat

FINAL = ("completed", "failed", "stopped")


def write_notebook(root: Path, rel: str, *sources: str, parameters: str | None = None,
                   kernel: str = "python3") -> str:
    """Write a notebook of code cells; `parameters` becomes a tagged parameters cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": "Python 3",
                                 "language": "python"}
    if parameters is not None:
        cell = nbformat.v4.new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.cells += [nbformat.v4.new_code_cell(src) for src in sources]
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return rel


class Api:
    """jp_fetch returning (status, json) and never raising on 4xx/5xx."""

    def __init__(self, fetch):
        self.fetch = fetch

    async def call(self, method: str, route: str, body=None, raw: bool = False, **params):
        kwargs = {"method": method, "raise_error": False}
        if body is not None:
            kwargs["body"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
        elif method in ("POST", "PUT", "PATCH"):
            kwargs["body"] = "{}"
        if params:
            kwargs["params"] = params
        resp = await self.fetch("nbjobs", *route.strip("/").split("/"), **kwargs)
        if raw:
            return resp
        text = resp.body.decode() if resp.body else ""
        return resp.code, (json.loads(text) if text else None)

    async def get(self, route, **params):
        return await self.call("GET", route, **params)

    async def post(self, route, body=None, **params):
        return await self.call("POST", route, body, **params)

    async def delete(self, route):
        return await self.call("DELETE", route)

    async def create(self, **body) -> dict:
        code, job = await self.post("jobs", body)
        assert code in (200, 201), job
        return job

    async def wait(self, job_id: str, statuses=FINAL, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            code, job = await self.get(f"jobs/{job_id}")
            assert code == 200, job
            if job["status"] in statuses:
                return job
            if time.monotonic() > deadline:
                raise AssertionError(f"job stayed {job['status']}: {job}")
            await asyncio.sleep(0.1)


def run_in_fresh_python(script: str, workdir: Path, **env: str) -> dict:
    """Run `script` (it starts a Jupyter server and prints `RESULT <json>`) in a fresh
    Python, as `python -c script workdir`, with its own Jupyter config, data and runtime
    folders under `workdir` (plus `env`); the test process has everything imported already,
    a fresh one shows what a server loads. Returns the JSON it printed last."""
    import os
    import subprocess
    import sys

    full = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
        full[name] = str(workdir / name)
    full.update(env)
    proc = subprocess.run([sys.executable, "-c", script, str(workdir)], env=full,
                          capture_output=True, text=True, timeout=300, cwd=workdir)
    lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    assert lines, proc.stderr[-4000:]
    return json.loads(lines[-1][len("RESULT "):])
