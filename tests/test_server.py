"""`rapidreview serve` starts, says which platforms are configured, and answers /healthz."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_healthz_and_reports_platforms(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_", "CONNECTIONS__"))}
    env.update(RAPIDREVIEW_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/rr.db", RAPIDREVIEW_PORT=str(port))
    up = subprocess.run([sys.executable, "-m", "server.cli", "db", "upgrade"], env=env, cwd=ROOT, capture_output=True,
                        text=True, timeout=60)
    assert up.returncode == 0, up.stderr
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.1)
        assert status == 200
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "Slack: not configured (SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET not set)" in out
    assert "Teams: not configured" in out
    assert f"listening on http://127.0.0.1:{port}/" in out
