"""Entry point: `python benchmarks/starts_ab.py [--starts 8]` (server start, bare against
nbjobs, alternating; see nbbench/starts_ab.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbench.starts_ab import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
