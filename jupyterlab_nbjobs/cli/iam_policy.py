"""`jupyter nbjobs iam-policy --project P`: print the IAM policy (JSON) that denies creating
SageMaker/EMR resources without the project, system and user tags, for admins to attach to
the instances' roles. Needs no job store; the system tag is c.NotebookInstances.tag_system."""

from __future__ import annotations

import json
import sys


def add_parser(sub) -> None:
    p = sub.add_parser("iam-policy", help="the IAM policy that denies untagged SageMaker/EMR "
                       "resources, for a project's instance role")
    p.add_argument("--project", required=True, help="the project's name")
    p.add_argument("--system", help="the system tag (default: c.NotebookInstances.tag_system)")
    p.add_argument("--out", metavar="FILE", help="write it here (default: stdout)")


def run(app, args) -> int:
    from ..services.instances.config import NotebookInstances
    from ..services.instances.iam import iam_policy

    system = args.system or NotebookInstances(config=app.config).tag_system
    try:
        policy = iam_policy(args.project, system)
    except ValueError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    text = json.dumps(policy, indent=2) + "\n"
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0
