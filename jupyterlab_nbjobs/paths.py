"""Where this package lives, how a child Python of ours finds it, where kernels are found."""

import os
import sys

# The folder that holds this package, installed or not: child Pythons (runners, the migration,
# the output-formats probe, the service process) import the package from here, as this
# process does.
PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def child_python_env() -> dict[str, str]:
    """The environment for a `python -m jupyterlab_nbjobs...` child run from PACKAGE_PARENT:
    this process's import path, without its working directory (the server's notebook folder,
    where a user's alembic.py or tornado.py would be imported first)."""
    here = os.getcwd()
    path = [p for p in sys.path if p and os.path.abspath(p) != here]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path)}


def spell_out_kernel_dirs(ksm) -> None:
    """jupyter_client's default kernel_dirs imports all of IPython (with prompt_toolkit and
    jedi: ~18 MB that stay in the server) only to name the legacy ~/.ipython/kernels folder.
    When that default is still to be computed, set it to the same folders without the import
    (IPYTHONDIR, else ~/.ipython, as the runner does). Configured dirs, another manager class
    or an IPython already imported: left alone."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_core.paths import jupyter_path

    if "IPython" in sys.modules or not isinstance(ksm, KernelSpecManager):
        return
    if "kernel_dirs" in ksm._trait_values:  # configured, or computed already
        return
    owner = next(c for c in type(ksm).__mro__ if "_kernel_dirs_default" in vars(c))
    if owner is not KernelSpecManager:  # a subclass computes its own default
        return
    ipython_dir = os.environ.get("IPYTHONDIR") or os.path.join("~", ".ipython")
    ksm.kernel_dirs = [*jupyter_path("kernels"),
                       os.path.join(os.path.normpath(os.path.expanduser(ipython_dir)), "kernels")]
