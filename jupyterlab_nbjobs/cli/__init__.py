"""`jupyter nbjobs ...`: run, list, show, logs, stop and schedule notebooks from a shell.

It works on the job store directly, through the services the server builds (the same
composition root, the same config files), so the same rules and messages apply. It needs no
running server: `run` starts its job itself and shows progress until the job ends (a local
runner is detached, so a Ctrl-C leaves the job running; a server on the same store adopts it
when it starts). Schedules created here are picked up by a running server within
NbJobsApp.scheduler_poll_interval.

Exit codes: 0 done (job completed), 1 job failed or was stopped, 2 bad input (with a message
on stderr).
"""

from .app import NbJobsCommand, main

__all__ = ["NbJobsCommand", "main"]
