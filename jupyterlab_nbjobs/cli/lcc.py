"""`jupyter nbjobs lcc studio|notebook-instance`: the lifecycle script that installs this
extension into SageMaker Studio or a notebook instance, written out and, with --register,
registered with SageMaker (see docs/studio-install.md).

Needs no job store. AWS settings and tag values come from the same place as the SageMaker
backend's: `c.SageMakerConfig.region/profile/endpoint_url/tag_*/extra_tags`, overridden by the
options here.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

# SageMakerConfig's defaults for the tags (tests check that they agree).
DEFAULT_TAGS = {"project": "default", "system": "jupyterlab_nbjobs"}


def add_parser(sub) -> None:
    lcc = sub.add_parser("lcc", help="lifecycle scripts that install this extension into "
                         "SageMaker Studio or notebook instances")
    targets = lcc.add_subparsers(dest="target", required=True)
    studio = targets.add_parser("studio", help="a Studio lifecycle config (JupyterLab spaces, "
                                "or Studio Classic with --app-type JupyterServer)")
    studio.add_argument("--app-type", choices=["JupyterLab", "JupyterServer"],
                        default="JupyterLab",
                        help="JupyterLab: Studio's JupyterLab spaces (default); JupyterServer: "
                        "Studio Classic")
    _script_options(studio)
    studio.add_argument("--domain-id", help="the Studio domain to attach it to (with --register)")
    studio.add_argument("--user-profile",
                        help="attach it to this user profile instead of the whole domain")
    instance = targets.add_parser("notebook-instance",
                                  help="a notebook-instance lifecycle config (on-start script)")
    _script_options(instance)


def _script_options(p: argparse.ArgumentParser) -> None:
    source = p.add_mutually_exclusive_group()
    source.add_argument("--version", help="the jupyterlab_nbjobs version to install from the "
                        "package index (default: this one)")
    source.add_argument("--wheel", metavar="S3_URI", help="install from S3 instead, with no "
                        "package index: s3://bucket/jupyterlab_nbjobs-VERSION-py3-none-any.whl, "
                        "or s3://bucket/folder/ holding it and the wheels it needs")
    p.add_argument("--out", metavar="FILE", help="write the script here (default: stdout)")
    p.add_argument("--register", metavar="NAME",
                   help="create (or reuse) the lifecycle config NAME in SageMaker")
    p.add_argument("--region", help="default: c.SageMakerConfig.region, else boto3's")
    p.add_argument("--profile", help="AWS profile; default: c.SageMakerConfig.profile")
    for tag in ("project", "system", "user"):
        p.add_argument(f"--tag-{tag}", help=f"the {tag} tag of the config; default: "
                       f"c.SageMakerConfig.tag_{tag}")


def run(app, args: argparse.Namespace) -> int:
    from ..errors import InvalidRequest
    from ..lcc import render

    studio = args.target == "studio"
    if studio and args.register and not args.domain_id:
        raise InvalidRequest("--register needs --domain-id (the Studio domain to attach it to)",
                             field="domain_id")
    if studio and args.domain_id and not args.register:
        raise InvalidRequest("--domain-id/--user-profile attach a registered config: give "
                             "--register NAME too", field="register")
    if studio and args.user_profile and not args.domain_id:
        raise InvalidRequest("--user-profile needs --domain-id", field="domain_id")
    target = args.app_type if studio else "notebook-instance"
    script = render(target, version=args.version, wheel_uri=args.wheel)
    if args.register:  # checked (name, size, tags) before the script is written anywhere
        from ..lcc.register import check_name
        from ..lcc.scripts import encode

        check_name(args.register)
        encode(script)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(script)
        os.chmod(args.out, 0o755)
    else:
        sys.stdout.write(script)
        sys.stdout.flush()
    if args.register:
        _register(app, args, script, target)
    return 0


def _register(app, args: argparse.Namespace, script: str, target: str) -> None:
    from ..lcc.register import connect, register_notebook_instance, register_studio

    config = app.config.get("SageMakerConfig", {})
    clients = connect(region=args.region or config.get("region"),
                      profile=args.profile or config.get("profile"),
                      endpoint_url=config.get("endpoint_url"))
    tags = {str(k): str(v) for k, v in (config.get("extra_tags") or {}).items()}
    for tag in ("project", "system", "user"):
        value = getattr(args, f"tag_{tag}")
        if value is None:
            value = config.get(f"tag_{tag}") or DEFAULT_TAGS.get(tag) or _os_user()
        tags[tag] = value
    if args.target == "studio":
        done = register_studio(clients, args.register, script, app_type=target, tags=tags,
                               domain_id=args.domain_id, user_profile=args.user_profile)
    else:
        done = register_notebook_instance(clients, args.register, script, tags=tags)
    # The script may be on stdout: what was done goes to stderr then.
    say = sys.stderr if not args.out else sys.stdout
    say.write(f"{'created' if done.created else 'kept (same script)'} {done.arn}\n"
              if args.target == "studio" else
              f"{'created' if done.created else 'updated'} {done.arn}\n")
    if done.attached_to:
        say.write(f"default lifecycle config of {args.app_type} apps in {done.attached_to}; "
                  f"attached: {', '.join(done.lifecycle_configs)}\n")
    say.flush()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in a container without a passwd entry
        return os.environ.get("USER", "")
