"""What a server keeps imported after it has served the create-job form and run jobs, once
the warm pool is given back: none of the notebook-running stack (it runs in the runner, the
zygote and the kernels). A real Jupyter server in a fresh Python (the test process itself has
all of these imported), with the extension, real jobs and a real pool."""

from __future__ import annotations

import textwrap

from tests.support.server import run_in_fresh_python, write_notebook

DRIVER = textwrap.dedent('''
    import asyncio, json, os, sys
    d = sys.argv[1]
    from jupyter_server.serverapp import ServerApp
    from tornado.httpclient import AsyncHTTPClient

    app = ServerApp.instance()
    app.jpserver_extensions = {"jupyterlab_nbjobs": True, "jupyterlab": False,
                               "jupyter_lsp": False, "notebook_shim": False}
    app.initialize(argv=[f"--ServerApp.root_dir={d}/root", "--port=0", "--allow-root",
                         "--ServerApp.open_browser=False", "--IdentityProvider.token=t",
                         f"--NbJobsApp.db_url=sqlite:///{d}/db.sqlite",
                         f"--NbJobsApp.staging_dir={d}/staging",
                         "--LocalBackend.warm_kernels=1", "--LocalBackend.pool_idle_timeout=1"])
    at_start = set(sys.modules)

    async def call(method, path, body=None):
        r = await AsyncHTTPClient().fetch(
            f"http://127.0.0.1:{app.port}/nbjobs/{path}", method=method,
            headers={"Authorization": "token t"}, raise_error=False,
            body=None if body is None else json.dumps(body))
        return r.code, json.loads(r.body or b"null")

    async def drive():
        out = {}
        try:
            out["environments"] = await call("GET", "environments")
            out["parameters"] = await call("GET", "parameters?path=one.ipynb")
            ids = [(await call("POST", "jobs", {"input_path": "one.ipynb"}))[1]["id"]
                   for _ in range(3)]
            for _ in range(600):
                jobs = [(await call("GET", f"jobs/{i}"))[1] for i in ids]
                if all(j["status"] in ("completed", "failed", "stopped") for j in jobs):
                    break
                await asyncio.sleep(0.2)
            out["statuses"] = [j["status"] for j in jobs]
            backend = app.extension_manager.extension_points["jupyterlab_nbjobs"].app \\
                .jobs.backends["local"]
            for _ in range(300):  # the pool given back
                if not backend.pool.alive():
                    break
                await asyncio.sleep(0.1)
            out["pool_alive"] = backend.pool.alive()
            out["new_modules"] = sorted(set(sys.modules) - at_start)
            out["modules"] = sorted(sys.modules)
        finally:
            print("RESULT " + json.dumps(out), flush=True)
            app.io_loop.add_callback(app.stop)

    app.io_loop.add_callback(lambda: asyncio.ensure_future(drive()))
    app.start()
''')

# ipykernel.kernelspec is read by jupyter_client for the python3 kernelspec: not the kernel.
NOT_IN_SERVER = ("nbconvert", "papermill", "nbclient", "IPython", "ipykernel.kernelapp",
                 "ipykernel.ipkernel", "boto3", "botocore")


def test_server_keeps_no_notebook_stack_after_the_form_and_jobs(tmp_path):
    write_notebook(tmp_path / "root", "one.ipynb", "x = 1 + 1")
    out = run_in_fresh_python(DRIVER, tmp_path)
    code, envs = out["environments"]
    assert code == 200 and "html" in {f["name"] for f in envs["output_formats"]}, envs
    assert out["parameters"][0] == 200, out["parameters"]
    assert out["statuses"] == ["completed"] * 3, out
    assert out["pool_alive"] is False
    there = [m for m in out["modules"] if m.startswith(tuple(f"{x}." for x in NOT_IN_SERVER))
             or m in NOT_IN_SERVER]
    assert there == [], there
