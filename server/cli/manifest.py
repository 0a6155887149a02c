"""`rapidreview manifest teams --out rapidreview-teams.zip --bot-id GUID`: the Teams app package to sideload or upload.

A CLI module is a composition root like bot/cli.py: it may reach an adapter. The adapter is loaded by
name when the command runs, so `rapidreview` starts without the Teams SDK being imported.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

CLIENT_ID = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"


def register(sub: argparse._SubParsersAction) -> None:
    manifest = sub.add_parser("manifest", help="build a platform's app package")
    kinds = manifest.add_subparsers(dest="manifest_platform", required=True, metavar="PLATFORM")
    teams = kinds.add_parser("teams", help="the Teams app package (manifest.json and two icons, zipped)")
    teams.add_argument("--out", type=Path, required=True, help="where to write the zip, e.g. rapidreview-teams.zip")
    teams.add_argument("--bot-id", default=None, help=f"the bot's Entra app id (default: ${CLIENT_ID})")
    teams.add_argument("--app-id", default=None, help="the Teams app id (default: the bot id)")
    teams.add_argument("--version", default="0.1.0", help="the package version, e.g. 1.0.0 (raise it for every upload)")
    teams.add_argument("--developer-name", default=None, help="the publisher Teams shows, at most 32 characters")
    teams.add_argument("--website", default="https://www.example.org/", help="https address for the developer, privacy "
                                                                             "and terms links")
    teams.set_defaults(handler=_teams)


def _teams(args: argparse.Namespace) -> int:
    package = importlib.import_module("adapters.teams.package")
    bot_id = args.bot_id or os.environ.get(CLIENT_ID, "")
    if not bot_id:
        print(f"rapidreview: give --bot-id or set {CLIENT_ID} (the bot's Entra app id)", file=sys.stderr)
        return 2
    try:
        data = package.build_package(args.out, bot_id, app_id=args.app_id, version=args.version,
                                     developer_name=args.developer_name or package.DEVELOPER_NAME, website=args.website)
    except package.PackageError as exc:
        print(f"rapidreview: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}: Teams app {data['id']} v{data['version']} (manifest {data['manifestVersion']}, "
          f"bot {data['bots'][0]['botId']})")
    return 0
