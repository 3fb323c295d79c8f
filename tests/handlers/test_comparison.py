"""Runs side by side (sweep and schedule comparisons) and a job's outputs as one archive:
real server, real kernels; values recorded in scrapbook's glue format by the notebooks."""

from __future__ import annotations

import io
import json
import zipfile

from jupyterlab_nbjobs.services.comparison import recorded_values

# What scrapbook's glue() writes, without scrapbook in the kernel: a raw display bundle.
GLUE = """
from IPython.display import display
def glue(name, value):
    display({"application/scrapbook.scrap.json+json":
             {"name": name, "data": value, "encoder": "json", "version": 1}},
            metadata={"scrapbook": {"name": name, "data": True, "display": False}}, raw=True)
"""


async def test_a_sweeps_runs_side_by_side_with_what_each_recorded(api, notebook):
    nb = notebook("cmp/train.ipynb", GLUE,
                  "glue('score', n * 10)\nglue('label', f'run {n}')\nglue('score', n * 100)",
                  parameters="n = 1\nseed = 0")
    code, sweep = await api.post("sweeps", {"input_path": nb, "name": "cmp",
                                            "parameters": {"seed": 7}, "grid": {"n": [1, 2]}})
    assert code == 201, sweep
    for item in sweep["items"]:
        assert (await api.wait(item["job_id"], timeout=120))["status"] == "completed"

    code, cmp = await api.get(f"sweeps/{sweep['id']}/comparison")
    assert code == 200, cmp
    # The parameter that tells runs apart comes first; the constant one follows.
    assert cmp["parameters"] == ["n", "seed"] and cmp["varied"] == ["n"]
    assert cmp["values"] == ["score", "label"]
    assert cmp["truncated"] is False
    by_n = {r["job"]["parameters"]["n"]: r for r in cmp["runs"]}
    # The last value glued under a name wins, as scrapbook reads it.
    assert by_n[1]["values"] == {"score": 100, "label": "run 1"}
    assert by_n[2]["values"] == {"score": 200, "label": "run 2"}
    for run in cmp["runs"]:
        assert run["job"]["status"] == "completed"
        assert run["duration_seconds"] > 0
        assert run["notebook_path"] == f"{run['job']['output_path']}/train.ipynb"


async def test_a_schedules_runs_and_unknown_ids(api, notebook):
    nb = notebook("cmp/s.ipynb", GLUE, "glue('rows', 3)")
    code, schedule = await api.post("schedules", {"input_path": nb, "cron": "0 9 * * *",
                                                  "name": "cmp schedule"})
    assert code == 201, schedule
    code, ran = await api.post(f"schedules/{schedule['id']}/run")
    assert code == 201, ran
    job = await api.wait(ran["job"]["id"], timeout=120)
    assert job["status"] == "completed"
    code, cmp = await api.get(f"schedules/{schedule['id']}/comparison")
    assert code == 200, cmp
    assert [r["values"] for r in cmp["runs"]] == [{"rows": 3}]
    assert cmp["parameters"] == [] and cmp["varied"] == []

    for route in ("sweeps/nope/comparison", "schedules/nope/comparison"):
        code, body = await api.get(route)
        assert code == 404 and body["reason"], body


async def test_download_outputs_as_one_archive(api, notebook):
    nb = notebook("arch/a.ipynb", "open('made.txt', 'w').write('hi')\nprint('done')")
    job = await api.create(input_path=nb, output_formats=["ipynb", "html"])
    assert (await api.wait(job["id"], timeout=120))["status"] == "completed"
    job = (await api.get(f"jobs/{job['id']}"))[1]
    resp = await api.call("GET", f"jobs/{job['id']}/archive", raw=True)
    assert resp.code == 200
    assert resp.headers["Content-Type"] == "application/zip"
    folder = job["output_path"].rsplit("/", 1)[-1]
    assert resp.headers["Content-Disposition"].startswith(f'attachment; filename="{folder}.zip"')
    names = set(zipfile.ZipFile(io.BytesIO(resp.body)).namelist())
    assert {f"{folder}/a.ipynb", f"{folder}/a.html", f"{folder}/a.log",
            f"{folder}/files/made.txt"} <= names
    code, body = await api.get("jobs/nope/archive")
    assert code == 404, body


def test_recorded_values_reads_scrapbook_and_papermill_and_skips_the_rest():
    nb = {"cells": [
        {"cell_type": "markdown", "source": "x"},
        {"cell_type": "code", "outputs": [
            {"output_type": "display_data", "data": {
                "application/scrapbook.scrap.json+json": {"name": "a", "data": [1, 2]}}},
            {"output_type": "display_data", "data": {
                "application/scrapbook.scrap.text+plain": {"name": "t", "data": "text"}}},
            {"output_type": "display_data", "data": {
                "application/papermill.record+json": {"old": 1.5}}},
            {"output_type": "stream", "text": "ignored"},
            {"output_type": "display_data", "data": {
                "application/scrapbook.scrap.json+json": {"data": "no name"}}},
            {"output_type": "display_data", "data": "not a bundle"},
        ]},
    ]}
    assert recorded_values(json.loads(json.dumps(nb))) == {"a": [1, 2], "t": "text", "old": 1.5}
    assert recorded_values({}) == {}
