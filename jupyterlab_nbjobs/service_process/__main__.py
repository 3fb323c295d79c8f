"""`python -m jupyterlab_nbjobs.service_process`: what the server starts (see protocol.py)."""

import sys

from .child import main

sys.exit(main())
