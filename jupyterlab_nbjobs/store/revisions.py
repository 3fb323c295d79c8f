"""Which migration is the newest, read without alembic or SQLAlchemy."""

from __future__ import annotations

import re
from pathlib import Path

MIGRATIONS = Path(__file__).parent / "migrations"

_REVISION = re.compile(r'^(down_revision|revision)\s*=\s*["\']?([\w-]+|None)["\']?\s*$', re.M)


def head_revisions() -> set[str]:
    """The revisions no migration builds on, read from the migration files' own
    `revision = ...` / `down_revision = ...` lines (what alembic itself reads)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for key, value in _REVISION.findall(path.read_text()):
            (revisions if key == "revision" else parents).add(value)
    return revisions - parents
