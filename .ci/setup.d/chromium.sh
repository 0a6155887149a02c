#!/usr/bin/env bash
# Debian's Chromium renders the Teams cards to PNG for review (tests/teams/test_cards.py) and runs the sandbox's
# browser tests (tests/sandbox/test_browser.py, driven by playwright; never `playwright install`). Idempotent.
set -euo pipefail
command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium)
