"""The shared test kits, imported one way: `from tests.support.<kit> import ...`.

- server: `Api` (jp_fetch returning status and JSON) and `write_notebook`, behind the
  `api` and `notebook` fixtures of tests/conftest.py
- aws: one moto server per test process, request recording, the thin fakes for what moto
  lacks, and the SageMaker backend helpers (behind the `aws`/`clients` fixtures)
- pg: a throw-away PostgreSQL server on 127.0.0.1
- jobkit: job directories as the job service writes them, for runner and backend tests
- events: a BackendEvents recorder (the job service's side of the backend contract)
- sched: a scheduling stack without a server, with InstantBackend (a test double)

Fixtures live in conftest.py files; helpers and test doubles live here. Nothing here binds a
fixed port or writes a shared path, so every kit is safe under pytest-xdist.
"""
