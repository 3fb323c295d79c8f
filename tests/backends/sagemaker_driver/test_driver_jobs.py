"""Jobs staged through the REST API, run by AWS's own notebook-job driver
(`sagemaker-headless-execution-driver` 0.0.13, build/driver-venv: a stock image without our
package), and checked through the API against what a local job gives."""

from __future__ import annotations

import json

import nbformat

PARAMS = {"n": 3, "ratio": 0.25, "flag": False, "items": [1, "two"], "conf": {"k": [1, 2]},
          "label": "x y"}
TYPES_CELL = """import json, os
seen = {k: [type(v).__name__, v] for k, v in
        dict(n=n, ratio=ratio, flag=flag, items=items, conf=conf, label=label).items()}
os.makedirs("sub", exist_ok=True)
with open("sub/made.json", "w") as fh:
    json.dump({"seen": seen, "rows": open("data/rows.csv").read(),
               "from_init": os.environ.get("FROM_INIT"), "region": os.environ.get("AWS_DEFAULT_REGION")}, fh)
print("flag is", "set" if flag else "unset")
"""


async def test_types_folder_init_script_html_log_and_a_dotted_name(api, notebook, jp_root_dir,
                                                                 sagemaker):
    (jp_root_dir / "proj" / "data").mkdir(parents=True)
    (jp_root_dir / "proj" / "data" / "rows.csv").write_text("x\n1\n")
    nb = notebook("proj/report.v2.ipynb", TYPES_CELL,
                  parameters="n = 1\nratio = 1.0\nflag = True\nitems = []\nconf = {}\nlabel = ''")
    job = await api.create(input_path=nb, backend="sagemaker", parameters=PARAMS,
                           package_input_folder=True, output_formats=["ipynb", "html"],
                           backend_options={"init_script": "export FROM_INIT=from-init\n"})
    # The same job, local (the variable the init script exports comes from the job's env).
    local = await api.create(input_path=nb, parameters=PARAMS, package_input_folder=True,
                             output_formats=["ipynb", "html"], env={"FROM_INIT": "from-init"})
    box = await sagemaker.run(job["id"])
    done = await api.wait(job["id"], timeout=60)
    local_done = await api.wait(local["id"], timeout=60)
    assert local_done["status"] == "completed"
    assert (done["progress"], done["error"]) == (local_done["progress"], local_done["error"])
    assert done["status"] == "completed", (done, box.output[-3000:])
    assert done["error"] is None
    assert done["progress"] == {"cells_done": 3, "cells_total": 3}  # papermill's injected cell counts, as locally

    code, listed = await api.get(f"jobs/{job['id']}/outputs")
    kinds = {o["name"]: o["kind"] for o in listed["outputs"]}
    assert kinds == {"report.v2.ipynb": "notebook", "report.v2.html": "html",
                     "report.v2.log": "log", "files/sub/made.json": "file"}, kinds
    code, local_listed = await api.get(f"jobs/{local['id']}/outputs")
    assert {o["name"]: o["kind"] for o in local_listed["outputs"]} == kinds
    made = json.loads((await api.call("GET", f"jobs/{job['id']}/outputs/files/sub/made.json",
                                      raw=True)).body)
    assert made == json.loads((await api.call(
        "GET", f"jobs/{local['id']}/outputs/files/sub/made.json", raw=True)).body)
    assert made["seen"] == {"n": ["int", 3], "ratio": ["float", 0.25], "flag": ["bool", False],
                            "items": ["list", [1, "two"]], "conf": ["dict", {"k": [1, 2]}],
                            "label": ["str", "x y"]}
    assert made["rows"] == "x\n1\n" and made["from_init"] == "from-init"
    assert made["region"] == "us-east-1"

    body = (await api.call("GET", f"jobs/{job['id']}/outputs/report.v2.ipynb", raw=True)).body
    executed = nbformat.reads(body.decode(), as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "flag is unset" in printed  # the executed notebook, not the staged input
    html = (await api.call("GET", f"jobs/{job['id']}/outputs/report.v2.html", raw=True)).body
    assert b"flag is unset" in html
    code, logged = await api.get(f"jobs/{job['id']}/log")
    assert code == 200 and logged["complete"]
    assert "Use Kernel python3 to execute report.v2.ipynb" in logged["text"]
    assert "restored 6 typed parameter(s)" in logged["text"]
    assert "\n+ " not in logged["text"]  # the driver's `set -x` lines are left out
    # AWS calls of this job, the status polls aside (they depend on timing).
    from collections import Counter
    calls = Counter(op for op in sagemaker.recorder.ops() if op not in ("DescribeTrainingJob", "Search"))
    print("AWS calls:", dict(calls), "polls:", len(sagemaker.recorder.ops()) - sum(calls.values()))
    # The backend: HeadBucket x2, PutObject x6 (notebook, data/rows.csv, job.json,
    # bootstrap.sh/.py, init.sh), CreateTrainingJob, then HeadObject + GetObject of the tarball.
    # The stand-in for SageMaker: ListObjectsV2 + HeadObject/GetObject of the 6 staged files,
    # PutObject of the tarball.
    assert calls == {"HeadBucket": 2, "PutObject": 6 + 1, "CreateTrainingJob": 1,
                     "ListObjectsV2": 1, "HeadObject": 1 + 6, "GetObject": 1 + 6}, calls


async def test_failing_cell_with_a_spaced_name_reports_the_cell_and_keeps_html(api, notebook,
                                                                              sagemaker):
    nb = notebook("my report.ipynb", "x = 1", "raise ValueError(f'bad input {x}')", "print('never')",
                  parameters="p = 0")
    job = await api.create(input_path=nb, backend="sagemaker", parameters={"p": 1},
                           output_formats=["ipynb", "html"])
    local = await api.create(input_path=nb, parameters={"p": 1}, output_formats=["ipynb", "html"])
    await sagemaker.run(job["id"])
    done = await api.wait(job["id"], timeout=60)
    local_done = await api.wait(local["id"], timeout=60)
    same = ("message", "reason", "cell_index", "ename", "evalue")
    assert {k: done["error"][k] for k in same} == {k: local_done["error"][k] for k in same}
    assert done["progress"] == local_done["progress"] and local_done["status"] == "failed"
    assert done["status"] == "failed"
    error = done["error"]
    # Cells: parameters (0), injected parameters (1), x = 1 (2), the raise (3): as a local job.
    assert error["reason"] == "cell_error" and error["cell_index"] == 3, error
    assert (error["ename"], error["evalue"]) == ("ValueError", "bad input 1")
    assert any("ValueError" in line for line in error["traceback"])
    assert done["progress"] == {"cells_done": 4, "cells_total": 5}
    code, listed = await api.get(f"jobs/{job['id']}/outputs")
    names = {o["name"] for o in listed["outputs"]}
    assert {"my report.ipynb", "my report.html", "my report.log"} <= names, names
    body = (await api.call("GET", f"jobs/{job['id']}/outputs/my report.ipynb", raw=True)).body
    executed = nbformat.reads(body.decode(), as_version=4)
    assert len(executed.cells) == 5  # papermill's banner and anchor cells are taken out
    assert executed.cells[3].outputs[0]["ename"] == "ValueError"


async def test_a_kernel_the_image_lacks_fails_without_serving_the_input(api, notebook, jp_data_dir,
                                                                       sagemaker):
    spec_dir = jp_data_dir / "kernels" / "lab-only"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Only on the server", "language": "python"}))
    nb = notebook("nokernel.ipynb", "print('hi')")
    job = await api.create(input_path=nb, backend="sagemaker", kernel_name="lab-only")
    await sagemaker.run(job["id"])
    done = await api.wait(job["id"], timeout=60)
    assert done["status"] == "failed"
    assert done["error"]["reason"] == "runner_error"
    assert "No such kernel named lab-only" in done["error"]["message"], done["error"]
    assert done["error"]["ename"] and "NoSuchKernel" in done["error"]["ename"]
    code, listed = await api.get(f"jobs/{job['id']}/outputs")
    assert {o["name"] for o in listed["outputs"]} == {"nokernel.log"}  # no input posing as output
    code, logged = await api.get(f"jobs/{job['id']}/log")
    assert "No such kernel named lab-only" in logged["text"]


async def test_an_image_with_our_runner_runs_it_instead_of_the_driver(api, notebook, sagemaker):
    """The same request's entrypoint, on an image whose PATH has nbjobs-sagemaker-run."""
    import sys
    from pathlib import Path

    from tests.backends.sagemaker_driver.container import CONTAINER_PATH

    ours = f"{Path(sys.executable).parent}:{CONTAINER_PATH}"
    nb = notebook("ours.v1.ipynb", "print(type(flag).__name__, flag)", "raise KeyError('k')",
                  parameters="flag = True")
    job = await api.create(input_path=nb, backend="sagemaker", parameters={"flag": False})
    box = await sagemaker.run(job["id"], path=ours)
    assert "amazon_sagemaker_scheduler" not in box.output and "nbjobs: failed" in box.output
    done = await api.wait(job["id"], timeout=60)
    assert done["status"] == "failed"
    assert (done["error"]["reason"], done["error"]["cell_index"], done["error"]["ename"]) == (
        "cell_error", 3, "KeyError")
    assert done["progress"] == {"cells_done": 4, "cells_total": 4}
    code, listed = await api.get(f"jobs/{job['id']}/outputs")
    assert {o["name"] for o in listed["outputs"]} == {"ours.v1.ipynb", "ours.v1.log"}
    body = (await api.call("GET", f"jobs/{job['id']}/outputs/ours.v1.ipynb", raw=True)).body
    assert "bool False" in body.decode()
