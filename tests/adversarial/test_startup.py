"""Issue 16, items 8 and 9: `serve` says what is wrong and exits non-zero instead of a traceback (database down
or not migrated), refuses to run in production without RAPIDREVIEW_PUBLIC_URL and RAPIDREVIEW_LINK_SECRET, and
report links point at the port the server listens on."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.report import links
from tests.sandbox.conftest import ROOT, clean_env, free_port

SLACK = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret", "SLACK_API_URL": "http://127.0.0.1:9/api/"}
SECRET = "a-link-secret-of-more-than-sixteen-bytes"


def serve(env: dict[str, str], timeout: float = 40) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server.cli", "serve"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_report_links_use_the_port_the_server_listens_on(monkeypatch):
    monkeypatch.setattr(links, "_signer", None)
    signer = links.signer({"RAPIDREVIEW_HOST": "127.0.0.1", "RAPIDREVIEW_PORT": "8443", "RAPIDREVIEW_LINK_SECRET": SECRET})
    assert signer.url("abc") == "http://127.0.0.1:8443/report/abc"
    monkeypatch.setattr(links, "_signer", None)
    signer = links.signer({"RAPIDREVIEW_PORT": "8080", "RAPIDREVIEW_PUBLIC_URL": "https://rr.example.org/",
                           "RAPIDREVIEW_LINK_SECRET": SECRET})
    assert signer.url("abc") == "https://rr.example.org/report/abc"
    monkeypatch.setattr(links, "_signer", None)
    assert links.signer({"RAPIDREVIEW_HOST": "::1", "RAPIDREVIEW_PORT": "9000",
                         "RAPIDREVIEW_LINK_SECRET": SECRET}).url("t") == "http://[::1]:9000/report/t"
    monkeypatch.setattr(links, "_signer", None)


@pytest.mark.parametrize("missing", [("RAPIDREVIEW_PUBLIC_URL",), ("RAPIDREVIEW_LINK_SECRET",),
                                     ("RAPIDREVIEW_PUBLIC_URL", "RAPIDREVIEW_LINK_SECRET")])
def test_in_production_serve_refuses_to_start_without_the_public_url_and_the_link_secret(tmp_path, missing):
    settings = {"RAPIDREVIEW_PUBLIC_URL": "https://rr.example.org", "RAPIDREVIEW_LINK_SECRET": SECRET}
    env = clean_env(**SLACK, RAPIDREVIEW_HOST="0.0.0.0", RAPIDREVIEW_PORT=str(free_port()),
                    RAPIDREVIEW_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/rr.db",
                    **{k: v for k, v in settings.items() if k not in missing})
    done = serve(env)
    assert done.returncode != 0
    for name in missing:
        assert name in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_a_short_link_secret_is_refused_in_production_too(tmp_path):
    env = clean_env(**SLACK, RAPIDREVIEW_HOST="0.0.0.0", RAPIDREVIEW_PORT=str(free_port()),
                    RAPIDREVIEW_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/rr.db",
                    RAPIDREVIEW_PUBLIC_URL="https://rr.example.org", RAPIDREVIEW_LINK_SECRET="short")
    done = serve(env)
    assert done.returncode != 0 and "RAPIDREVIEW_LINK_SECRET" in done.stderr and "16" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_serve_with_the_database_down_says_so_and_exits(tmp_path):
    env = clean_env(**SLACK, RAPIDREVIEW_PORT=str(free_port()),
                    RAPIDREVIEW_DATABASE_URL=f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nothing")
    done = serve(env)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    assert "cannot reach the database" in done.stderr and "RAPIDREVIEW_DATABASE_URL" in done.stderr


def test_serve_on_a_database_that_was_never_migrated_says_what_to_run(tmp_path):
    Path(tmp_path / "rr.db").touch()
    env = clean_env(**SLACK, RAPIDREVIEW_PORT=str(free_port()), RAPIDREVIEW_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/rr.db")
    done = serve(env)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    assert "rapidreview db upgrade" in done.stderr
