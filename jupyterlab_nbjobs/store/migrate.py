"""`python -m jupyterlab_nbjobs.store.migrate` < URL: upgrade that database to the newest
migration (what `Database.migrate` runs in a child process). The URL comes on stdin, not in
the arguments, where other users' `ps` would show a password in it."""

import sys

from .engine import Database

if __name__ == "__main__":
    db = Database(sys.stdin.read().strip())
    try:
        db.upgrade()
    finally:
        db.dispose()
