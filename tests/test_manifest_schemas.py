"""Our app manifests against the platforms' own schemas (copied with their licences into tests/data/manifest_schemas).

Microsoft's Teams schema v1.22 is JSON Schema draft-04 plus `const` (which ajv, the validator Microsoft's tools use,
also applies); Slack's is draft-07. Each test also proves the validator bites: a deliberately broken manifest fails.
"""
from __future__ import annotations

import copy
import json
import re
import shlex
import zipfile
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft4Validator, Draft7Validator, validators

from adapters.teams.package import DEVELOPER_NAME, PackageError, manifest
from server.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "tests" / "data" / "manifest_schemas"
BOT = "a1b2c3d4-0000-4000-8000-00000000b007"

TeamsValidator = validators.extend(Draft4Validator, {"const": Draft7Validator.VALIDATORS["const"]})


def teams_errors(data: dict) -> list[str]:
    schema = json.loads((SCHEMAS / "teams" / "MicrosoftTeams.schema.json").read_text(encoding="utf-8"))
    validator = TeamsValidator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(data)]


def slack_errors(data: dict) -> list[str]:
    schema = json.loads((SCHEMAS / "slack" / "manifest.schema.1.0.0.json").read_text(encoding="utf-8"))
    validator = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(data)]


def test_the_teams_package_passes_microsofts_schema(tmp_path):
    out = tmp_path / "rr.zip"
    assert main(["manifest", "teams", "--out", str(out), "--bot-id", BOT]) == 0
    with zipfile.ZipFile(out) as z:
        data = json.loads(z.read("manifest.json"))
    assert teams_errors(data) == []
    assert data["developer"]["name"] == DEVELOPER_NAME


def test_microsofts_schema_rejects_a_broken_teams_manifest():
    broken = copy.deepcopy(manifest(BOT))
    broken["developer"]["name"] = "Safeguarding children partnership"  # 33 characters: what Teams refused
    broken["manifestVersion"] = "1.21"
    del broken["bots"][0]["botId"]
    errors = teams_errors(broken)
    assert any(e.startswith("$.developer.name") for e in errors)
    assert any(e.startswith("$.manifestVersion") for e in errors)
    assert any("'botId' is a required property" in e for e in errors)


def test_a_developer_name_teams_would_refuse_is_refused_with_its_length(tmp_path, capsys):
    out = tmp_path / "x.zip"
    assert main(["manifest", "teams", "--out", str(out), "--bot-id", BOT,
                 "--developer-name", "Safeguarding children partnership"]) == 2
    assert "1 to 32 characters (it is 33)" in capsys.readouterr().err and not out.exists()
    with pytest.raises(PackageError):
        manifest(BOT, developer_name="")


def test_the_readme_shows_a_teams_manifest_command_that_works(tmp_path, monkeypatch):
    monkeypatch.delenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID", raising=False)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [line] = re.findall(r"^rapidreview (manifest teams [^#\n]*)", readme, re.M)
    argv = shlex.split(line)
    argv[argv.index("--out") + 1] = str(tmp_path / "rapidreview-teams.zip")
    assert main(argv) == 0 and (tmp_path / "rapidreview-teams.zip").exists()


def test_the_slack_manifest_passes_slacks_schema():
    data = yaml.safe_load((ROOT / "manifest" / "slack.yaml").read_text(encoding="utf-8"))
    assert slack_errors(data) == []


def test_slacks_schema_rejects_a_broken_slack_manifest():
    broken = yaml.safe_load((ROOT / "manifest" / "slack.yaml").read_text(encoding="utf-8"))
    broken["display_information"]["name"] = "R" * 36  # Slack allows 35
    broken["features"]["bot_user"]["colour"] = "blue"  # no such key
    del broken["features"]["slash_commands"][0]["description"]
    errors = slack_errors(broken)
    assert any(e.startswith("$.display_information.name") for e in errors)
    assert any("'colour' was unexpected" in e for e in errors)
    assert any("'description' is a required property" in e for e in errors)
