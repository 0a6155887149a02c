"""`rapidreview report export|import` for the Business Unit's administrator, and a rendered page of
the report for review (test-output/report/, when Chromium or LibreOffice is installed)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from server.cli.report import export, import_file
from bot.documents import report_file
from bot.report.html import to_html
from bot.settings import Settings
from tests.report.conftest import to_report_v1
from tests.report.helpers import inv, versions

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-output" / "report"


async def test_export_writes_word_markdown_and_html_and_is_audited(core, clock, db, tmp_path):
    d = await to_report_v1(core, clock)
    settings = Settings(database_url=db.url)
    assert await export(settings, d.case_code, "report", 1, "docx", tmp_path / "v1.docx") == 0
    assert Document(str(tmp_path / "v1.docx")).paragraphs[0].text == "Rapid Review Report"
    assert await export(settings, d.case_code, "report", None, "md", tmp_path / "v1.md") == 0
    [v1] = await versions(core, d.case_code)
    assert (tmp_path / "v1.md").read_text().startswith(v1.content.split("## 12. Sign-off")[0])
    assert await export(settings, d.case_code, "report", 1, "html", tmp_path / "v1.html") == 0
    assert "<h2>9. Decision against the LCSPR criteria (reg 11)</h2>" in (tmp_path / "v1.html").read_text()
    assert await export(settings, d.case_code, "report", 7, "docx", tmp_path / "v7.docx") == 2
    assert await export(settings, d.case_code, "pack", None, "zip", tmp_path / "p.zip") == 2  # not submitted yet
    exported = await d.audit("report_exported")
    assert [(e.platform, e.detail["format"]) for e in exported] == [("cli", "docx"), ("cli", "md"), ("cli", "html")]


async def test_the_command_line_exports_and_imports_through_the_real_entry_point(core, clock, db, tmp_path):
    d = await to_report_v1(core, clock)
    env = {**os.environ, "RAPIDREVIEW_DATABASE_URL": db.url}
    out = tmp_path / "report-v1.docx"
    run = subprocess.run([sys.executable, "-m", "server.cli", "report", "export", d.case_code, "--version", "1",
                          "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "wrote" in run.stdout and "OFFICIAL-SENSITIVE" in run.stdout
    document = Document(str(out))
    heading = next(i for i, p in enumerate(document.paragraphs) if p.text == "8.1 Multi-agency learning")
    document.paragraphs[heading + 1].text = "Agencies saw single events; nobody held the whole picture."
    edited = tmp_path / "edited.docx"
    document.save(str(edited))
    run = subprocess.run([sys.executable, "-m", "server.cli", "report", "import", d.case_code, str(edited), "--as",
                          "lead_police"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "Only the " in run.stderr  # an agency lead cannot make a version
    clock.on(date(2026, 9, 23))
    assert await import_file(Settings(database_url=db.url), d.case_code, edited.read_bytes(), "edited.docx",
                             "bu_officer") == 0
    v1, v2 = await versions(core, d.case_code)
    assert "nobody held the whole picture" in v2.content
    assert (await d.audit("report_uploaded"))[-1].platform == "cli"


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


async def test_a_page_of_the_report_renders_to_png_for_review(core, clock):
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium is not installed (apt-get install chromium): no PNG of the report page")
    d = await to_report_v1(core, clock)
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve v1")
    reply, doc = await report_file(core, inv(core, "bu_officer"), d.case_code, fmt="md")
    OUT.mkdir(parents=True, exist_ok=True)
    page = OUT / "rapid-review-report-v1.html"
    page.write_text(to_html(doc.data.decode()), encoding="utf-8")
    # The first A4 page (794 x 1123 CSS pixels), and the whole report as one tall image.
    for png, size in ((OUT / "rapid-review-report-v1-page1.png", "794,1123"),
                      (OUT / "rapid-review-report-v1-full.png", "794,7400")):
        png.unlink(missing_ok=True)
        run = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                              "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                              "--force-device-scale-factor=1.5", f"--window-size={size}", f"--screenshot={png}",
                              page.as_uri()], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0 and png.exists(), run.stderr[-2000:]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
        print(f"\nrendered report: {png}")


async def test_the_word_file_lays_out_with_markings_and_page_numbers_on_every_page(core, clock, tmp_path):
    soffice, pdftoppm, pdftotext = (shutil.which(x) for x in ("soffice", "pdftoppm", "pdftotext"))
    if not (soffice and pdftoppm and pdftotext):
        pytest.skip("LibreOffice (libreoffice-writer-nogui) and poppler-utils are not installed: the .docx is not "
                    "laid out here (its PAGE fields are filled in only by a word processor)")
    d = await to_report_v1(core, clock)
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve v1")
    reply, doc = await report_file(core, inv(core, "bu_officer"), d.case_code)
    OUT.mkdir(parents=True, exist_ok=True)
    src = OUT / "rapid-review-report-v1.docx"
    src.write_bytes(doc.data)
    env = {**os.environ, "HOME": str(tmp_path)}  # LibreOffice's profile goes to a scratch folder
    run = subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(OUT), str(src)],
                         capture_output=True, text=True, timeout=300, env=env)
    pdf = OUT / "rapid-review-report-v1.pdf"
    assert run.returncode == 0 and pdf.exists(), run.stderr[-2000:]
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")
    assert len(pages) >= 3
    for n, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") >= 2, n  # header and footer
        assert f"Page {n} of {len(pages)}" in " ".join(page.split()), n
    for stale in OUT.glob("rapid-review-report-v1-docx-page*.png"):
        stale.unlink()
    subprocess.run([pdftoppm, "-png", "-r", "100", str(pdf), str(OUT / "rapid-review-report-v1-docx-page")],
                   check=True, timeout=120)
    assert len(list(OUT.glob("rapid-review-report-v1-docx-page*.png"))) == len(pages)
    print(f"\nrendered Word pages: {OUT}/rapid-review-report-v1-docx-page-*.png")
