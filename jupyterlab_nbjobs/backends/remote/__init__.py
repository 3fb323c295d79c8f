"""The remote engine: a job's kernel runs on another Jupyter server (docs/remote.md)."""

from .backend import RemoteBackend

__all__ = ["RemoteBackend"]
