"""Lifecycle configurations that install jupyterlab_nbjobs into SageMaker Studio (JupyterLab
spaces, Studio Classic) and notebook instances: the scripts (templates/*.sh, rendered by
scripts.py) and their registration with SageMaker (register.py)."""

from .scripts import MAX_CONTENT_BYTES, TARGETS, ScriptTooLarge, encode, render

__all__ = ["MAX_CONTENT_BYTES", "TARGETS", "ScriptTooLarge", "encode", "render"]
