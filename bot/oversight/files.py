"""The oversight report as files: .md, .csv, .docx (charts as PNG, marked OFFICIAL-SENSITIVE on every page,
like the Rapid Review Report) and .zip (all of them, with the charts as SVG)."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime

from bot.oversight.figures import Oversight
from bot.oversight.render import to_csv, to_markdown, title

FORMATS = ("docx", "md", "csv", "zip")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
}


def file_name(o: Oversight, fmt: str) -> str:
    return f"oversight-{o.period.start.isoformat()}-to-{o.period.end.isoformat()}.{fmt}"


def to_docx(o: Oversight, created: datetime | None = None) -> bytes:
    from docx import Document
    from docx.shared import Mm

    from bot.oversight.charts import alt_text, draw
    from bot.report.docx import DocInfo
    from bot.report.docx import to_docx as markdown_to_docx

    info = DocInfo(title=title(o), header_line=f"{o.partnership} · {title(o)}",
                   identifier=f"rapidreview:oversight:{o.period.start.isoformat()}:{o.period.end.isoformat()}",
                   author="rapidreview", created=created)
    doc = Document(io.BytesIO(markdown_to_docx(to_markdown(o, charts=True), info)))
    for p in doc.paragraphs:
        text = p.text.strip()
        if text.startswith("[chart:") and text.endswith("]"):
            key = text[len("[chart:"):-1].replace("-", "_")  # hyphens there: `_` is italics in Markdown
            for run in list(p.runs):
                run._r.getparent().remove(run._r)
            shape = p.add_run().add_picture(io.BytesIO(draw(o, key, "png")), width=Mm(170))
            # The picture's description is its alternative text in Word and LibreOffice.
            shape._inline.docPr.set("descr", alt_text(o, key))
            shape._inline.docPr.set("name", key)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def to_zip(o: Oversight, created: datetime | None = None) -> bytes:
    from bot.oversight.charts import KEYS, draw

    out = io.BytesIO()
    stamp = (created or datetime(2000, 1, 1)).timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        def put(name: str, data: bytes) -> None:
            z.writestr(zipfile.ZipInfo(name, date_time=stamp), data, compress_type=zipfile.ZIP_DEFLATED)

        put(file_name(o, "md"), to_markdown(o).encode("utf-8"))
        put(file_name(o, "csv"), to_csv(o).encode("utf-8"))
        put(file_name(o, "docx"), to_docx(o, created))
        for key in KEYS:
            put(f"charts/{key}.svg", draw(o, key, "svg"))
    return out.getvalue()


def render(o: Oversight, fmt: str, created: datetime | None = None) -> bytes:
    """The report in one of FORMATS."""
    if fmt == "md":
        return to_markdown(o).encode("utf-8")
    if fmt == "csv":
        return to_csv(o).encode("utf-8")
    if fmt == "docx":
        return to_docx(o, created)
    if fmt == "zip":
        return to_zip(o, created)
    raise ValueError(f"no oversight format {fmt!r}: use one of {', '.join(FORMATS)}")
