"""Through the REST API of a real Jupyter server: a job with backend "sagemaker" is staged and
created in moto, its container runs here for real, and its outputs come back through the API."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.support.aws import (
    build_opt_ml,
    make_backend,
    moto_url,
    reset_moto,
    run_container,
    set_fake_credentials,
    upload_output_tar,
)


@pytest.fixture
def sagemaker(jp_serverapp, monkeypatch, tmp_path):
    """Add the SageMaker backend to the running server's job service, as composition.build does
    when c.SageMakerConfig is set."""
    url = moto_url()
    set_fake_credentials(monkeypatch)
    reset_moto(url)
    jobs = jp_serverapp.web_app.settings["nbjobs_jobs"]
    backend, recorder, fake = make_backend(tmp_path, url, events=jobs)
    jobs.add_backend(backend)
    return backend, recorder, fake


async def _created(recorder, timeout=30):
    for _ in range(int(timeout / 0.1)):
        if recorder.params("CreateTrainingJob"):
            return recorder.params("CreateTrainingJob")[0]
        await asyncio.sleep(0.1)
    raise AssertionError("no CreateTrainingJob")


async def test_sagemaker_job_through_the_api(api, notebook, jp_root_dir, sagemaker, tmp_path):
    backend, recorder, fake = sagemaker
    code, env = await api.get("environments")
    [sm_info] = [b for b in env["backends"] if b["name"] == "sagemaker"]
    assert sm_info["label"] == "Amazon SageMaker"
    fields = {f["name"]: f for f in sm_info["options"]["fields"]}
    assert fields["instance_type"]["default"] == "ml.m5.large"

    code, bad = await api.post("jobs", {"input_path": "x.ipynb", "backend": "sagemaker",
                                        "backend_options": {"instance_type": "m5"}})
    assert code == 400 and bad["reason"] == "invalid_backend_options"

    nb = notebook("work/sm.ipynb",
                  "import json\nopen('seen.json', 'w').write(json.dumps({'n': n, 'items': items}))",
                  parameters="n = 1\nitems = []")
    job = await api.create(input_path=nb, backend="sagemaker", parameters={"n": 3, "items": [1, "two"]},
                           backend_options={"instance_type": "ml.m5.xlarge"})
    request = await _created(recorder)
    assert request["ResourceConfig"]["InstanceType"] == "ml.m5.xlarge"
    assert request["HyperParameters"] == {"n": "3", "items": '[1, "two"]'}
    running = await api.wait(job["id"], statuses=("running",))
    assert running["status"] == "running"

    root = tmp_path / "opt-ml"
    build_opt_ml(backend.clients.client("s3"), request, root)
    assert await run_container(request, root) == 0
    upload_output_tar(backend, request, root)
    fake.set(request["TrainingJobName"], "Completed")

    done = await api.wait(job["id"], timeout=60)
    assert done["status"] == "completed", done
    code, outputs = await api.get(f"jobs/{job['id']}/outputs")
    names = {o["name"] for o in outputs["outputs"]}
    assert {"sm.ipynb", "sm.log", "files/seen.json"} <= names, names
    resp = await api.call("GET", f"jobs/{job['id']}/outputs/files/seen.json", raw=True)
    assert json.loads(resp.body) == {"n": 3, "items": [1, "two"]}


async def test_stop_through_the_api(api, notebook, sagemaker):
    backend, recorder, fake = sagemaker
    nb = notebook("work/long.ipynb", "import time; time.sleep(600)")
    job = await api.create(input_path=nb, backend="sagemaker")
    request = await _created(recorder)
    await api.wait(job["id"], statuses=("running",))
    code, stopping = await api.post(f"jobs/{job['id']}/stop")
    assert code == 200, stopping
    assert fake.stopped == [request["TrainingJobName"]]
    fake.set(request["TrainingJobName"], "Stopped")
    done = await api.wait(job["id"], timeout=30)
    assert done["status"] == "stopped"
