"""`rapidreview oversight` and its files: owner-only, never overwritten without --force, marked, and free of
anything typed into a case; bad dates get one line with an example; the .docx laid out by LibreOffice shows
its charts (test-output/oversight/)."""
from __future__ import annotations

import asyncio
import io
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document

from server.cli import main
from tests.oversight_cases import FREE_TEXT, scripted_year

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "test-output" / "oversight"
PERIOD = ["--from", "2026-01-01", "--to", "2027-12-31", "--today", "2027-12-31"]


@pytest.fixture
async def year(core, clock):
    return await scripted_year(core, clock)


@pytest.fixture
def cli(db, monkeypatch, capsys):
    """Run `rapidreview …` in-process against the test database: (exit status, stdout, stderr)."""
    monkeypatch.setenv("RAPIDREVIEW_DATABASE_URL", db.url)
    monkeypatch.delenv("RAPIDREVIEW_HOLIDAYS_FILE", raising=False)

    async def run(*argv: str) -> tuple[int, str, str]:
        status = await asyncio.to_thread(main, list(argv))  # the command runs its own event loop
        out, err = capsys.readouterr()
        return status, out, err

    return run


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_each_format_is_written_owner_only_and_audited(year, cli, tmp_path, core):
    for ext in ("docx", "md", "csv", "zip"):
        out = tmp_path / f"oversight.{ext}"
        status, stdout, err = await cli("oversight", *PERIOD, "--out", str(out))
        assert status == 0, err
        assert _mode(out) == 0o600, (ext, oct(_mode(out)))
        assert "OFFICIAL-SENSITIVE" in stdout and "readable by you only" in stdout
    assert (tmp_path / "oversight.md").read_text().startswith("# Oversight report: Thu 1 Jan 2026 to Fri 31 Dec 2027")
    names = zipfile.ZipFile(tmp_path / "oversight.zip").namelist()
    assert sorted(n for n in names if n.startswith("charts/")) == [
        "charts/actions_by_agency.svg", "charts/rapid_review_days.svg", "charts/returns_by_agency.svg",
        "charts/timeliness_by_quarter.svg"]
    from tests.driver import Driver

    exported = await Driver(core, None).audit("oversight_exported")
    assert [e.detail["format"] for e in exported] == ["docx", "md", "csv", "zip"]


async def test_an_existing_file_is_kept_unless_force_and_then_made_private(year, cli, tmp_path):
    out = tmp_path / "oversight.csv"
    out.write_text("keep me")
    out.chmod(0o644)
    status, _, err = await cli("oversight", *PERIOD, "--out", str(out))
    assert status == 2 and "exists" in err and "--force" in err
    assert out.read_text() == "keep me"
    status, _, err = await cli("oversight", *PERIOD, "--out", str(out), "--force")
    assert status == 0, err
    assert out.read_text().startswith("table,key,label,value,definition") and _mode(out) == 0o600


@pytest.mark.parametrize("argv, says", [
    (["--from", "2026-13-01", "--to", "2026-12-31"], "--from '2026-13-01' is not a date"),
    (["--from", "1/4/2026", "--to", "2026-12-31"], "--from '1/4/2026' is not a date"),
    (["--from", "2026-04-01", "--to", "31-03-2027"], "--to '31-03-2027' is not a date"),
    (["--from", "2026-04-01", "--to", "2026-03-31"], "is before --from"),
    (["--from", "1990-01-01", "--to", "2026-12-31"], "longer than five years"),
    (["--from", "2026-04-01", "--to", "2027-03-31", "--out", "report.pdf"], "--out must end in"),
])
async def test_bad_input_gets_one_line_with_an_example_and_exit_2(cli, argv, says, tmp_path):
    status, out, err = await cli("oversight", *argv)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and says in err and "for example" in err, err


async def test_without_out_the_markdown_goes_to_the_screen(year, cli):
    status, out, err = await cli("oversight", *PERIOD)
    assert status == 0, err
    assert "| SINs counted | 3 |" in out and "OFFICIAL-SENSITIVE" in out


async def test_the_word_file_is_marked_and_holds_the_four_charts_with_descriptions(year, cli, tmp_path):
    out = tmp_path / "o.docx"
    assert (await cli("oversight", *PERIOD, "--out", str(out)))[0] == 0
    doc = Document(str(out))
    header = doc.sections[0].header.paragraphs[0].text
    footer = doc.sections[0].footer.paragraphs[0].text
    assert "OFFICIAL-SENSITIVE" in header and "OFFICIAL-SENSITIVE" in footer
    assert doc.core_properties.subject == "OFFICIAL-SENSITIVE"
    pictures = doc.inline_shapes
    assert len(pictures) == 4
    descriptions = [p._inline.docPr.get("descr") for p in pictures]
    assert all(d and "." in d for d in descriptions)
    assert not [p.text for p in doc.paragraphs if p.text.startswith("[chart:")]


def _texts_of_every_output(tmp_path: Path) -> dict[str, str]:
    texts = {}
    for name in ("o.md", "o.csv"):
        texts[name] = (tmp_path / name).read_text()
    for name in ("o.docx", "o.zip"):
        with zipfile.ZipFile(tmp_path / name) as z:
            for member in z.namelist():
                data = z.read(member)
                if member.endswith(".docx"):
                    with zipfile.ZipFile(io.BytesIO(data)) as inner:
                        for m in inner.namelist():
                            texts[f"{name}/{member}/{m}"] = inner.read(m).decode("utf-8", "replace")
                texts[f"{name}/{member}"] = data.decode("utf-8", "replace")
    return texts


async def test_no_free_text_from_any_case_reaches_any_output(year, cli, tmp_path):
    for ext in ("md", "csv", "docx", "zip"):
        assert (await cli("oversight", *PERIOD, "--out", str(tmp_path / f"o.{ext}")))[0] == 0
    texts = _texts_of_every_output(tmp_path)
    assert any(k.endswith(".svg") for k in texts) and any("word/document.xml" in k for k in texts)
    for where, text in texts.items():
        for typed in FREE_TEXT + ["Refresh the referral pathway", "Audit the health visiting records",
                                  "multi-agency learning", "the group's view"]:
            assert typed not in text, (typed, where)
    # What does appear: the case codes and pseudonyms.
    assert "Child A" in texts["o.md"] and "rr-2026-004" in texts["o.csv"]


async def test_the_cli_and_the_server_start_without_matplotlib():
    code = ("import sys, server.cli, server.app, bot.oversight, bot.oversight.files, server.cli.oversight; "
            "server.cli.build_parser(); print('matplotlib' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


async def test_the_word_file_lays_out_with_its_charts_visible(year, cli, tmp_path, db):
    if not db.sqlite:
        pytest.skip("laid out once, from the SQLite run")
    soffice, pdftoppm, pdfimages, pdftotext = (shutil.which(x) for x in ("soffice", "pdftoppm", "pdfimages", "pdftotext"))
    if not (soffice and pdftoppm and pdfimages and pdftotext):
        pytest.skip("LibreOffice and poppler-utils are not installed: the .docx is not laid out here")
    OUT.mkdir(parents=True, exist_ok=True)
    src = OUT / "oversight-2026-2027.docx"
    src.unlink(missing_ok=True)
    assert (await cli("oversight", *PERIOD, "--out", str(src)))[0] == 0
    env = {**os.environ, "HOME": str(tmp_path)}
    run = subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(OUT), str(src)],
                         capture_output=True, text=True, timeout=300, env=env)
    pdf = OUT / "oversight-2026-2027.pdf"
    assert run.returncode == 0 and pdf.exists(), run.stderr[-2000:]
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert all(page.count("OFFICIAL-SENSITIVE") >= 2 for page in pages)
    listing = subprocess.run([pdfimages, "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    images = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    big = [i for i in images if int(i[3]) >= 600 and int(i[4]) >= 250]  # width, height in pixels
    assert len(big) >= 4, listing
    for stale in OUT.glob("oversight-2026-2027-page*.png"):
        stale.unlink()
    subprocess.run([pdftoppm, "-png", "-r", "80", str(pdf), str(OUT / "oversight-2026-2027-page")], check=True,
                   timeout=120)
    print(f"\nrendered oversight pages: {OUT}/oversight-2026-2027-page-*.png")


async def test_a_database_without_the_tables_gets_a_plain_message(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("RAPIDREVIEW_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/new.db")
    status, out, err = await cli("oversight", *PERIOD, "--out", str(tmp_path / "o.md"))
    assert status == 1 and out == "" and err.count("\n") == 1
    assert "cannot read the cases" in err and "rapidreview db upgrade" in err
    assert not (tmp_path / "o.md").exists()
