"""The job store: tables, queries and migrations. All SQL of the package lives here."""

from .aio import AsyncStore, aio
from .engine import Database
from .jobs import JobStore

__all__ = ["AsyncStore", "Database", "JobStore", "aio"]
