"""Entry point: `python benchmarks/round_two.py [--quick] [--sides bare,ours,theirs] ...`
(idle cost, first job, bursts, throughput; see nbbench/round_two.py and --help)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nbbench.round_two import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
