"""Issue 16, item 7: the report's files on the server. An export is OFFICIAL-SENSITIVE: it is written for its
owner only (0600), never through a symlink, and never over an existing file unless --force. An import of a
.docx that expands to far more than any report (a zip bomb) is refused at once, with the limit it broke."""
from __future__ import annotations

import io
import os
import stat
import time
import zipfile

import pytest
from docx import Document

from bot.report.docx import NotAWordFile, from_docx
from bot.settings import Settings
from server.cli.report import export
from tests.report.conftest import to_report_v1


async def test_an_export_is_owner_only_and_never_follows_a_symlink_or_overwrites(core, clock, db, tmp_path, capsys):
    d = await to_report_v1(core, clock)
    settings = Settings(database_url=db.url)
    out = tmp_path / "v1.docx"
    os.umask(0o022)
    assert await export(settings, d.case_code, "report", 1, "docx", out) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    # Over an existing file: refused unless --force, and then still owner-only.
    out.write_bytes(b"keep me")
    assert await export(settings, d.case_code, "report", 1, "docx", out) == 2
    assert out.read_bytes() == b"keep me" and "--force" in capsys.readouterr().err
    os.chmod(out, 0o644)
    assert await export(settings, d.case_code, "report", 1, "docx", out, force=True) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_bytes() != b"keep me"
    # Through a symlink: refused, even with --force; the link's target is untouched.
    target = tmp_path / "elsewhere.txt"
    target.write_text("someone else's file")
    link = tmp_path / "link.docx"
    link.symlink_to(target)
    for force in (False, True):
        assert await export(settings, d.case_code, "report", 1, "docx", link, force=force) == 2
        assert "symbolic link" in capsys.readouterr().err
    assert target.read_text() == "someone else's file"
    exported = await d.audit("report_exported")
    assert len(exported) == 2  # only the two exports that wrote a file


def _docx_with_body(paragraphs: int, size: int) -> bytes:
    """A real .docx whose document.xml is replaced by `paragraphs` paragraphs of `size` characters each."""
    buf = io.BytesIO()
    Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    body = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxml'
            'formats.org/wordprocessingml/2006/main"><w:body>' + ("<w:p><w:r><w:t>" + "a" * size + "</w:t></w:r></w:p>")
            * paragraphs + "</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, body if item.filename == "word/document.xml" else src.read(item.filename))
    return out.getvalue()


def test_a_docx_that_expands_far_beyond_any_report_is_refused_at_once():
    bomb = _docx_with_body(2000, 30_000)  # about 60 MB of text in a file of a few hundred KB
    assert len(bomb) < 1_000_000
    started = time.monotonic()
    with pytest.raises(NotAWordFile) as refused:
        from_docx(bomb)
    assert time.monotonic() - started < 2
    assert "expands to" in str(refused.value) and "MB" in str(refused.value)


def test_a_docx_with_thousands_of_parts_is_refused():
    buf = io.BytesIO()
    Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item.filename))
        for i in range(5000):
            dst.writestr(f"customXml/item{i}.xml", "<a/>")
    with pytest.raises(NotAWordFile) as refused:
        from_docx(out.getvalue())
    assert "parts" in str(refused.value)


def test_an_ordinary_docx_is_still_read():
    read = from_docx(_docx_with_body(50, 200))
    assert len(read.blocks) == 50
