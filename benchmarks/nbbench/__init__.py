"""Side-by-side benchmark of jupyterlab_nbjobs, jupyter-scheduler 2.12 and the papermill CLI.

Run it with `bash benchmarks/run.sh` (see docs/benchmarks.md). Not part of the test suite.
"""
