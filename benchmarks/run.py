"""Entry point: `python benchmarks/run.py [--quick] [--ours-only] ...` (see --help)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbench.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
