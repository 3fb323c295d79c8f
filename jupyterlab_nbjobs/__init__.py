"""jupyterlab_nbjobs: run notebooks as jobs, now or on a schedule, locally or on SageMaker."""

try:
    from ._version import __version__
except ImportError:  # running from a source tree without a build
    __version__ = "0.0.0"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-nbjobs"}]


def _jupyter_server_extension_points():
    from .app import NbJobsApp

    return [{"module": "jupyterlab_nbjobs.app", "app": NbJobsApp}]
