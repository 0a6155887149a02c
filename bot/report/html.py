"""The report's Markdown as a self-contained HTML page (a preview; print it for a PDF)."""
from __future__ import annotations

import html

from bot.report.blocks import Run, parse

_CSS = """
@page { size: A4; margin: 20mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 10.5pt; color: #111; max-width: 170mm; margin: 0 auto; }
.marking { text-align: center; color: #c00000; font-weight: bold; font-size: 10pt; margin: 4mm 0; }
h1 { font-size: 22pt; color: #1f3a5f; margin: 2mm 0 4mm; }
h2 { font-size: 14pt; color: #1f3a5f; margin: 7mm 0 2mm; border-bottom: 1px solid #1f3a5f; }
h3 { font-size: 12pt; color: #1f3a5f; margin: 5mm 0 2mm; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 9pt; }
th, td { border: 1px solid #555; padding: 1.2mm 1.6mm; vertical-align: top; text-align: left; }
th { background: #d9e2f3; }
ul, ol { margin: 1mm 0 3mm; padding-left: 6mm; }
p { margin: 1.5mm 0 2.5mm; }
"""


def _runs(runs: list[Run]) -> str:
    out = []
    for r in runs:
        text = html.escape(r.text).replace("\n", "<br>")
        if r.bold:
            text = f"<strong>{text}</strong>"
        if r.italic:
            text = f"<em>{text}</em>"
        out.append(text)
    return "".join(out)


def to_html(markdown: str, marking: str = "OFFICIAL-SENSITIVE") -> str:
    body: list[str] = []
    lst: str | None = None
    title = "Rapid review document"
    for b in parse(markdown):
        kind = {"bullet": "ul", "numbered": "ol"}.get(b.kind)
        if lst and kind != lst:
            body.append(f"</{lst}>")
            lst = None
        if kind and lst is None:
            body.append(f"<{kind}>")
            lst = kind
        if b.kind == "heading":
            body.append(f"<h{b.level}>{_runs(b.runs)}</h{b.level}>")
            if b.level == 1:
                title = b.text
        elif kind:
            body.append(f"<li>{_runs(b.runs)}</li>")
        elif b.kind == "table":
            head, *rows = b.rows
            body.append("<table><thead><tr>" + "".join(f"<th>{_runs(c)}</th>" for c in head) + "</tr></thead><tbody>"
                        + "".join("<tr>" + "".join(f"<td>{_runs(c)}</td>" for c in r) + "</tr>" for r in rows)
                        + "</tbody></table>")
        else:
            body.append(f"<p>{_runs(b.runs)}</p>")
    if lst:
        body.append(f"</{lst}>")
    mark = f'<div class="marking">{html.escape(marking)}</div>'
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="robots" content="noindex"><style>{_CSS}</style></head><body>{mark}'
            + "\n".join(body) + f"{mark}</body></html>\n")
