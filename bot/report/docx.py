"""Word files of the report's Markdown, and reading an edited one back.

Written with python-docx from the blocks of `report_blocks`: `#` is the Title, `##` Heading 1, `###`
Heading 2, lists use List Bullet / List Number, tables Table Grid with a repeated header row. Every
page carries the protective marking in its header and footer, and the footer numbers the pages
(PAGE and NUMPAGES fields, which Word and LibreOffice fill in when they lay the document out).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from bot.report.blocks import Block, Run, parse

MARKING = "OFFICIAL-SENSITIVE"
_HEADING_STYLE = {1: "Title", 2: "Heading 1", 3: "Heading 2"}
_STYLE_LEVEL = {"title": 1, "heading 1": 2, "heading 2": 3, "heading 3": 3}


@dataclass(frozen=True)
class DocInfo:
    """What the file says about itself: shown in the header, kept in the document properties."""

    title: str
    header_line: str  # e.g. "rr-2026-001 / Child V · Rapid Review Report v2"
    identifier: str  # "rapidreview:<case>:<kind>:v<n>[:<hash12>]": how an upload is matched to its source
    author: str
    created: datetime | None = None
    marking: str = MARKING


# -- writing -------------------------------------------------------------------------------------------
def to_docx(markdown: str, info: DocInfo) -> bytes:
    doc = Document()
    _page(doc, info)
    _styles(doc)
    for block in parse(markdown):
        if block.kind == "heading":
            p = doc.add_paragraph(style=_HEADING_STYLE[block.level])
            _runs(p, block.runs)
        elif block.kind in ("bullet", "numbered"):
            _runs(doc.add_paragraph(style="List Bullet" if block.kind == "bullet" else "List Number"), block.runs)
        elif block.kind == "table":
            _table(doc, block)
        else:
            _runs(doc.add_paragraph(), block.runs)
    cp = doc.core_properties
    cp.title, cp.author, cp.last_modified_by, cp.identifier = info.title, info.author, info.author, info.identifier
    cp.subject, cp.keywords, cp.comments, cp.category = info.marking, info.marking, "", info.marking
    cp.revision = 1
    if info.created is not None:
        cp.created = cp.modified = info.created.replace(tzinfo=None)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page(doc, info: DocInfo) -> None:  # noqa: ANN001
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)
    header = section.header
    p = header.paragraphs[0]
    _marking(p, info.marking)
    sub = header.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = sub.add_run(info.header_line)
    r.font.size = Pt(8)
    footer = section.footer
    _marking(footer.paragraphs[0], info.marking)
    pages = footer.add_paragraph()
    pages.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in ("Page ", "PAGE", " of ", "NUMPAGES"):
        if part in ("PAGE", "NUMPAGES"):
            _field(pages, part)
        else:
            pages.add_run(part).font.size = Pt(8)


def _marking(p: Paragraph, marking: str) -> None:
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = p.add_run(marking)
    r.bold = True
    r.font.size = Pt(10)
    r.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)


def _field(p: Paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) as begin / instruction / separate / result / end runs."""
    def fld(kind: str) -> None:
        run = p.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    fld("begin")
    run = p.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    fld("separate")
    p.add_run("1").font.size = Pt(8)
    fld("end")


def _styles(doc) -> None:  # noqa: ANN001
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)
    for name, size in (("Title", 22), ("Heading 1", 14), ("Heading 2", 12)):
        st = doc.styles[name]
        st.font.name = "Arial"
        st.font.size = Pt(size)
        st.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)


def _runs(p: Paragraph, runs: list[Run], size: float | None = None) -> None:
    for run in runs:
        parts = run.text.split("\n")
        for i, text in enumerate(parts):
            r = p.add_run(text)
            r.bold, r.italic = run.bold or None, run.italic or None
            if size:
                r.font.size = Pt(size)
            if i < len(parts) - 1:
                r.add_break()


def _table(doc, block: Block) -> None:  # noqa: ANN001
    ncols = max(len(r) for r in block.rows)
    if doc.paragraphs:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True  # a table's heading or lead-in stays with it
    table = doc.add_table(rows=len(block.rows), cols=ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    size = 8.5 if ncols >= 5 else 9.5
    for i, row in enumerate(block.rows):
        for j in range(ncols):
            cell = table.cell(i, j)
            runs = row[j] if j < len(row) else []
            if i == 0:
                runs = [Run(r.text, True, r.italic) for r in runs]
                _shade(cell, "D9E2F3")
            _runs(cell.paragraphs[0], runs, size)
    _widths(table, block, ncols, size)
    for i, row in enumerate(table.rows):
        row_pr = row._tr.get_or_add_trPr()
        cant = OxmlElement("w:cantSplit")
        cant.set(qn("w:val"), "true")
        row_pr.append(cant)
        if len(block.rows) <= 15 and i < len(block.rows) - 1:  # a short table is kept on one page
            for cell in row.cells:
                for para in cell.paragraphs:
                    para.paragraph_format.keep_with_next = True
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)  # the header row repeats on every page
    doc.add_paragraph()


def _widths(table, block: Block, ncols: int, size: float) -> None:  # noqa: ANN001
    """Column widths within the 170 mm between the margins: no word is broken and a short value (a date)
    stays on one line; the room left goes to the columns with the longest text."""
    total, char, pad = 170.0, size * 0.215, 2.6  # mm: an average character at this size, and cell padding
    low, want = [], []
    for j in range(ncols):
        texts = ["".join(r.text for r in row[j]) for row in block.rows if j < len(row)]
        longest = max((len(t) for t in texts), default=0)
        word = max((len(w) for t in texts for w in t.split()), default=0)
        low.append(max(word + 1, min(longest, 16)) * char + pad)
        want.append(max(longest, 1) * char + pad)
    if sum(low) >= total:
        widths = [w * total / sum(low) for w in low]
    else:
        spare, extra = total - sum(low), [w - m for w, m in zip(want, low)]
        widths = ([m + spare * e / sum(extra) for m, e in zip(low, extra)] if sum(extra) > spare or not sum(extra)
                  else [w * total / sum(want) for w in want])
    table.autofit = False
    for j, col in enumerate(table.columns):
        col.width = Mm(widths[j])
        for cell in col.cells:
            cell.width = Mm(widths[j])


def _shade(cell, fill: str) -> None:  # noqa: ANN001
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


# -- reading -------------------------------------------------------------------------------------------
@dataclass
class ReadBack:
    blocks: list[Block] = field(default_factory=list)
    identifier: str = ""
    header_text: str = ""
    footer_text: str = ""


class NotAWordFile(ValueError):
    """The upload is not a .docx python-docx can open."""


# Limits on an uploaded .docx, checked on the zip's directory before anything is expanded. A real report is a
# few hundred KB expanded; a 187 KB "zip bomb" that expanded to 120 M characters took 20 s and 538 MB to read.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_EXPANDED_BYTES = 25 * 1024 * 1024
MAX_PARTS = 500


def package_problem(data: bytes) -> str | None:
    """Why this upload is refused before it is opened (None: within the limits). Zip headers state each part's
    expanded size, and Python's zipfile never expands a part beyond what its header states."""
    import zipfile

    if len(data) > MAX_UPLOAD_BYTES:
        return f"the file is {len(data) / 1e6:.1f} MB; a report is at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None  # not a zip: python-docx says it is not a Word document
    if len(parts) > MAX_PARTS:
        return f"the file has {len(parts)} parts; a Word report has far fewer (at most {MAX_PARTS} are read)"
    expanded = sum(max(p.file_size, 0) for p in parts)
    if expanded > MAX_EXPANDED_BYTES:
        return (f"the file expands to {expanded / 1e6:.0f} MB; a report expands to at most "
                f"{MAX_EXPANDED_BYTES // (1024 * 1024)} MB. Save it again from Word, without embedded files")
    return None


def from_docx(data: bytes) -> ReadBack:
    """A Word file as blocks (headings, paragraphs, list items, tables), in document order."""
    problem = package_problem(data)
    if problem:
        raise NotAWordFile(f"the file was not read: {problem}")
    try:
        doc = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for a file that is not a .docx
        raise NotAWordFile("the file is not a Word (.docx) document") from exc
    blocks: list[Block] = []
    for item in doc.iter_inner_content():
        if isinstance(item, Table):
            rows = []
            for tr in item.rows:
                rows.append([[Run("\n".join(p.text for p in c.paragraphs).strip())] for c in tr.cells])
            blocks.append(Block("table", rows=rows))
            continue
        text = item.text.strip()
        if not text:
            continue
        style = (item.style.name if item.style is not None else "").lower()
        runs = [Run(r.text, bool(r.bold), bool(r.italic)) for r in item.runs if r.text] or [Run(text)]
        if style in _STYLE_LEVEL:
            blocks.append(Block("heading", level=_STYLE_LEVEL[style], runs=[Run(text)]))
        elif "list number" in style:
            blocks.append(Block("numbered", runs=runs))
        elif "list" in style:
            blocks.append(Block("bullet", runs=runs))
        else:
            blocks.append(Block("paragraph", runs=runs))
    if not len(doc.sections):  # a document without section properties has no header or footer
        return ReadBack(blocks, doc.core_properties.identifier or "")
    section = doc.sections[0]
    return ReadBack(blocks, doc.core_properties.identifier or "",
                    "\n".join(p.text for p in section.header.paragraphs),
                    "\n".join(p.text for p in section.footer.paragraphs))


def footer_has_page_field(data: bytes) -> bool:
    """Whether the footer numbers its pages with a PAGE field (for tests and checks)."""
    doc = Document(io.BytesIO(data))
    xml = doc.sections[0].footer._element.xml
    return bool(re.search(r"<w:instrText[^>]*>\s*PAGE\s*</w:instrText>", xml))
