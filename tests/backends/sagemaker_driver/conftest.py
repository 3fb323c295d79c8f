"""Fixtures of the driver tests: a real Jupyter server whose job service has the SageMaker
backend on the moto server, and a way to play SageMaker's part for a job it created."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from tests.backends.sagemaker_driver.container import Container, driver_missing, unshare_works
from tests.support.aws import make_backend, moto_url, reset_moto, set_fake_credentials


@pytest.fixture(scope="session")
def driver_ready():
    problem = driver_missing() or (None if unshare_works() else "unshare -m is refused here")
    if problem:
        pytest.fail(problem)  # a missing driver is a broken setup, not a reason to pass


@pytest.fixture
def sagemaker(driver_ready, nbjobs_app, monkeypatch, tmp_path):
    url = moto_url()
    set_fake_credentials(monkeypatch)
    reset_moto(url)
    jobs = nbjobs_app.jobs
    backend, recorder, fake = make_backend(tmp_path, url, events=jobs)
    jobs.add_backend(backend)
    return SageMakerStandIn(backend, recorder, fake, tmp_path)


class SageMakerStandIn:
    """What SageMaker does with a CreateTrainingJob request, with the real driver inside."""

    def __init__(self, backend, recorder, fake, tmp_path):
        self.backend, self.recorder, self.fake = backend, recorder, fake
        self.tmp_path = tmp_path
        self._n = itertools.count()

    async def request_of(self, job_id: str, timeout: float = 30) -> dict:
        for _ in range(int(timeout / 0.1)):
            for request in self.recorder.params("CreateTrainingJob"):
                if request["Environment"].get("NBJOBS_JOB_ID") == job_id:
                    return request
            await asyncio.sleep(0.1)
        raise AssertionError(f"no CreateTrainingJob for {job_id}")

    async def run(self, job_id: str, path: str | None = None) -> Container:
        """Stage /opt/ml, run the container, upload output.tar.gz, end the training job as
        SageMaker would (Completed on exit 0, else Failed with the failure file's text)."""
        request = await self.request_of(job_id)
        box = Container(request, self.tmp_path / f"container-{next(self._n)}",
                        **({"path": path} if path else {}))
        s3 = self.backend.clients.client("s3")
        await asyncio.to_thread(box.stage, s3)
        code = await box.run()
        print(box.output)
        await asyncio.to_thread(box.upload, self.backend)
        if code == 0:
            self.fake.set(request["TrainingJobName"], "Completed", SecondaryStatus="Completed")
        else:
            self.fake.set(request["TrainingJobName"], "Failed", SecondaryStatus="Failed",
                          FailureReason=f"AlgorithmError: {box.failure()}"[:1024])
        return box
