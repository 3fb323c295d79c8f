"""Optional modules our own processes (the runner, the pool, the service process, the
command line) keep out, for their import time. Never applied to a job's kernel."""

from __future__ import annotations

import sys


def skip_iri_grammar() -> None:
    """Keep jsonschema from building rfc3987_syntax's IRI grammar (1-2 s of every import of
    jsonschema, which nbformat imports).

    jsonschema's format checkers load rfc3987_syntax when present and treat it as optional
    (ImportError is suppressed); nbformat never checks the "iri" formats, nor do we.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
