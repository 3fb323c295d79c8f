"""The one bridge from the event loop to the blocking store.

Services hold their stores through `AsyncStore`: each method of the wrapped store runs in a
worker thread (SQLite and PostgreSQL calls block), so nothing else in the package calls
`asyncio.to_thread` for SQL. The wrapped store stays reachable as `.sync` for code that
already runs in a thread.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any, Generic, TypeVar

S = TypeVar("S")


class AsyncStore(Generic[S]):
    def __init__(self, sync: S):
        self.sync = sync

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.sync, name)
        if not callable(method):
            return method

        @functools.wraps(method)
        async def in_thread(*args: Any, **kwargs: Any) -> Any:
            return await asyncio.to_thread(method, *args, **kwargs)

        setattr(self, name, in_thread)  # built once per method name
        return in_thread


def aio(store: S | AsyncStore[S]) -> AsyncStore[S]:
    """Wrap a blocking store (an already wrapped one is returned as is)."""
    return store if isinstance(store, AsyncStore) else AsyncStore(store)
