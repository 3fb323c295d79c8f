"""The job store: tables, queries and migrations. All SQL of the package lives here.

Database and JobStore load SQLAlchemy when first asked for, so that `store.pending` (the
server start's look at the store) stays as light as the standard library's sqlite3."""

from typing import TYPE_CHECKING

from .aio import AsyncStore, aio

__all__ = ["AsyncStore", "Database", "JobStore", "aio"]

_HOMES = {"Database": ".engine", "JobStore": ".jobs"}

if TYPE_CHECKING:
    from .engine import Database
    from .jobs import JobStore


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(_HOMES[name], __name__), name)
