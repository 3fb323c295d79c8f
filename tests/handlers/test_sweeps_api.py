"""Parameter sweeps end to end: real server, real kernels, the concurrency limit held."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest


@pytest.fixture
def nbjobs_config(tmp_path):
    return {"db_url": f"sqlite:///{tmp_path / 'nbjobs.sqlite'}",
            "staging_dir": str(tmp_path / "staging"),
            "max_sweep_combinations": 6}


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def test_grid_sweep_runs_each_combination(api, notebook, jp_root_dir):
    nb = notebook("sweep/train.ipynb",
                  "import json; open('r.json','w').write(json.dumps({'lr': lr, 'depth': depth,"
                  " 'seed': seed}))",
                  parameters="lr = 0.1\ndepth = 1\nseed = 0")
    code, sweep = await api.post("sweeps", {
        "input_path": nb, "parameters": {"seed": 7},
        "grid": {"lr": [0.01, 0.1], "depth": [2, 3]},
        "combinations": [{"lr": 1.0, "depth": 9}, {"lr": 0.01, "depth": 2}]})
    assert code == 201, sweep
    assert sweep["total"] == 5  # 4 from the grid + 1 explicit (the other repeats the grid)
    assert [i["parameters"] for i in sweep["items"]] == [
        {"lr": 0.01, "depth": 2}, {"lr": 0.01, "depth": 3}, {"lr": 0.1, "depth": 2},
        {"lr": 0.1, "depth": 3}, {"lr": 1.0, "depth": 9}]
    assert sweep["warnings"] == []
    jobs = [await api.wait(i["job_id"], timeout=120) for i in sweep["items"]]
    assert all(j["status"] == "completed" for j in jobs), jobs
    assert all(j["sweep_id"] == sweep["id"] for j in jobs)
    for item, job in zip(sweep["items"], jobs, strict=True):
        seen = json.loads((Path(jp_root_dir) / job["output_path"] / "files" / "r.json")
                          .read_text())
        assert seen == {**item["parameters"], "seed": 7}
    # The concurrency limit (2) held: never three runs at the same moment.
    for job in jobs:
        t = ts(job["started_at"])
        running = [j for j in jobs if ts(j["started_at"]) <= t < ts(j["ended_at"])]
        assert len(running) <= 2

    code, got = await api.get(f"sweeps/{sweep['id']}")
    assert code == 200 and got["counts"] == {"completed": 5} and got["done"] is True
    code, listing = await api.get("sweeps")
    assert [s["id"] for s in listing["sweeps"]] == [sweep["id"]]
    code, page = await api.get("jobs", sweep_id=sweep["id"])
    assert len(page["jobs"]) == 5

    code, _ = await api.delete(f"sweeps/{sweep['id']}")
    assert code == 204
    assert (await api.get(f"sweeps/{sweep['id']}"))[0] == 404
    assert (await api.get("jobs", sweep_id=sweep["id"]))[1]["jobs"] == []


async def test_stop_a_sweep_as_a_group(api, notebook):
    nb = notebook("slow.ipynb", "import time; time.sleep(30)", parameters="i = 0")
    code, sweep = await api.post("sweeps", {"input_path": nb, "grid": {"i": [1, 2, 3, 4]},
                                            "name": "slow sweep"})
    assert code == 201
    assert sweep["items"][0]["status"] in ("queued", "running")
    code, stopped = await api.post(f"sweeps/{sweep['id']}/stop")
    assert code == 200
    jobs = [await api.wait(i["job_id"]) for i in sweep["items"]]
    assert {j["status"] for j in jobs} == {"stopped"}
    assert all(j["name"].startswith("slow sweep [i=") for j in jobs)
    code, got = await api.get(f"sweeps/{sweep['id']}")
    assert got["counts"] == {"stopped": 4} and got["done"]


async def test_sweep_bad_input(api, notebook):
    nb = notebook("p.ipynb", "x = 1", parameters="a = 1")
    cases = [
        ({}, "empty_sweep", "give a grid"),
        ({"grid": {"a": []}}, "empty_sweep", "a have no values"),
        ({"grid": {"a": [1, 2, 3], "b": [1, 2, 3]}}, "too_many_combinations",
         "9 combinations; the maximum is 6"),
        ({"grid": {"not ok": [1]}}, "invalid_value", "identifier"),
        ({"grid": {"a": [1]}, "input_path": "missing.ipynb"}, "file_not_found", "no file"),
        ({"grid": {"a": [1]}, "kernel_name": "nope"}, "unknown_kernel", "unknown kernel"),
        ({"grid": {"a": 1}}, "invalid_value", "grid.a"),
    ]
    for extra, reason, text in cases:
        code, err = await api.post("sweeps", {"input_path": nb, **extra})
        assert code == 400, (extra, err)
        assert err["reason"] == reason and text in err["message"], (extra, err)
    assert (await api.get("sweeps"))[1]["sweeps"] == []
    assert (await api.get("jobs"))[1]["jobs"] == []  # a rejected sweep creates nothing
    assert (await api.get("sweeps/nope"))[0] == 404

    # Names the parameters cell does not declare: run anyway, with a warning (papermill's way).
    code, sweep = await api.post("sweeps", {"input_path": nb, "grid": {"b": [1]}})
    assert code == 201
    assert sweep["warnings"] == ["parameter 'b' is not declared in the notebook's "
                                 "parameters cell"]
    await api.wait(sweep["items"][0]["job_id"])
