"""The job store, the services and their handlers in a process of their own.

When `c.NbJobsApp.service_process` says so, the server holds none of them: it forwards each
authenticated /nbjobs/ request to this process (`handlers/service_proxy.py`), starts it with
the first request or when the store has work, and stops it after `service_idle_timeout`
seconds with nothing to do, so that a server that ran jobs goes back to a bare server's
memory. `parent.py` is the server's side, `child.py` the process, `protocol.py` what they
tell each other.
"""
