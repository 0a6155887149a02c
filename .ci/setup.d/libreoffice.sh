#!/usr/bin/env bash
# LibreOffice (Writer, no GUI) lays out the report's .docx and poppler turns its PDF into PNG pages, so
# tests/report/test_cli_and_render.py checks what a reader would see (header, footer, page numbers) instead of
# skipping. About 17 s from Debian's packages on this machine; only tests use it. Idempotent.
set -euo pipefail
if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
  apt-get update && apt-get install -y --no-install-recommends libreoffice-writer-nogui poppler-utils
fi
