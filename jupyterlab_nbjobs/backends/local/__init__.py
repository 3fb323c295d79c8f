"""The local engine: runner processes on this machine, under a concurrency limit."""

from .backend import LocalBackend

__all__ = ["LocalBackend"]
