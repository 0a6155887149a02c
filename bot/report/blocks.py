"""The small Markdown the report is written in, as blocks: the one form the Word file, the HTML
preview and the version diff are all made from.

Only what the report needs: `#`/`##`/`###` headings, paragraphs, `- ` and `1. ` lists, pipe tables,
`**bold**`, `_italic_`, `<br>` inside a table cell, and backslash escapes. Text that people or
agencies typed is escaped on the way in (`inline`), so it can never turn into a heading or a table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_SPECIAL = re.compile(r"([\\*_|#<>\[\]`])")
_NUMBERED = re.compile(r"^(\d+)\. (.*)$")
_SEPARATOR = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+\s*$")
BR = "<br>"


# -- writing -----------------------------------------------------------------------------------------
def inline(text: str | None) -> str:
    """Escape typed text for one line of Markdown (line breaks become spaces)."""
    if not text:
        return ""
    flat = " ".join(str(text).split())
    out = _SPECIAL.sub(r"\\\1", flat)
    out = re.sub(r"^(\d+)\. ", r"\1\\. ", out)
    return re.sub(r"^([-+])", r"\\\1", out)  # never a list item by accident


def cell(text: str | None) -> str:
    """Escape typed text for a table cell; its own line breaks become `<br>`."""
    if not text:
        return ""
    lines = [inline(line) for line in str(text).replace("\r\n", "\n").split("\n") if line.strip()]
    return BR.join(lines)


def normalize_narrative(text: str | None) -> str:
    """Paragraphs separated by a blank line; `- ` bullets one a line. The stored form of a narrative."""
    if not text:
        return ""
    blocks: list[list[str]] = []  # each: ["p", text] or ["b", item, item...]
    para: list[str] = []

    def end_para() -> None:
        if para:
            blocks.append(["p", " ".join(para)])
            para.clear()

    for raw in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = " ".join(raw.split())
        if not line:
            end_para()
            continue
        m = re.match(r"^[-*•]\s+(.*)$", line)
        if m:
            end_para()
            blocks.append(["b", m.group(1)])
            continue
        para.append(line)
    end_para()
    merged: list[list[str]] = []
    for b in blocks:  # consecutive bullet runs are one list
        if merged and b[0] == "b" and merged[-1][0] == "b":
            merged[-1].extend(b[1:])
        else:
            merged.append(b)
    return "\n\n".join(b[1] if b[0] == "p" else "\n".join(f"- {i}" for i in b[1:]) for b in merged)


def narrative(text: str | None, placeholder: str) -> str:
    """A stored narrative as Markdown, or the placeholder (in italics) while it is empty."""
    norm = normalize_narrative(text)
    if not norm:
        return f"_{inline(placeholder)}_"
    out = []
    for block in norm.split("\n\n"):
        lines = block.split("\n")
        if lines[0].startswith("- "):
            out.append("\n".join(f"- {inline(x[2:])}" for x in lines))
        else:
            out.append(inline(block))
    return "\n\n".join(out)


# -- reading -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Block:
    kind: str  # heading | paragraph | bullet | numbered | table
    level: int = 0  # heading level 1-3
    runs: list[Run] = field(default_factory=list)
    rows: list[list[list[Run]]] = field(default_factory=list)  # table: rows of cells of runs (row 0 = header)

    @property
    def text(self) -> str:
        return plain(self.runs)


def plain(runs: list[Run]) -> str:
    return "".join(r.text for r in runs)


def runs_of(md: str) -> list[Run]:
    """Inline Markdown to runs: escapes, `**bold**`, `_italic_`, `<br>` as a newline."""
    runs: list[Run] = []
    buf: list[str] = []
    bold = italic = False

    def flush() -> None:
        if buf:
            runs.append(Run("".join(buf), bold, italic))
            buf.clear()

    i = 0
    while i < len(md):
        ch = md[i]
        if ch == "\\" and i + 1 < len(md):
            buf.append(md[i + 1])
            i += 2
            continue
        if md.startswith("**", i):
            flush()
            bold = not bold
            i += 2
            continue
        if ch == "_":
            flush()
            italic = not italic
            i += 1
            continue
        if md.startswith(BR, i):
            buf.append("\n")
            i += len(BR)
            continue
        buf.append(ch)
        i += 1
    flush()
    return runs


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    cells, cur, i = [], [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            cur.append(body[i:i + 2])
            i += 2
            continue
        if body[i] == "|":
            cells.append("".join(cur).strip())
            cur = []
        else:
            cur.append(body[i])
        i += 1
    if "".join(cur).strip():
        cells.append("".join(cur).strip())
    return cells


def parse(md: str) -> list[Block]:
    """The report's Markdown as blocks, in order."""
    blocks: list[Block] = []
    para: list[str] = []
    table: list[str] = []

    def end() -> None:
        if para:
            blocks.append(Block("paragraph", runs=runs_of(" ".join(para))))
            para.clear()
        if table:
            rows = [_cells(r) for r in table if not _SEPARATOR.match(r.strip())]
            blocks.append(Block("table", rows=[[runs_of(c) for c in r] for r in rows]))
            table.clear()

    for line in md.split("\n"):
        stripped = line.strip()
        if not stripped:
            end()
            continue
        if stripped.startswith("|"):
            if para:
                end()
            table.append(stripped)
            continue
        if table:
            end()
        m = re.match(r"^(#{1,3}) (.*)$", stripped)
        if m:
            end()
            blocks.append(Block("heading", level=len(m.group(1)), runs=runs_of(m.group(2))))
            continue
        if stripped.startswith("- "):
            end()
            blocks.append(Block("bullet", runs=runs_of(stripped[2:])))
            continue
        m = _NUMBERED.match(stripped)
        if m:
            end()
            blocks.append(Block("numbered", runs=runs_of(m.group(2))))
            continue
        para.append(stripped)
    end()
    return blocks


# -- sections and what changed -----------------------------------------------------------------------
def sections(blocks: list[Block]) -> dict[str, list[Block]]:
    """Level-2 heading title -> the blocks under it (up to the next level-1 or level-2 heading)."""
    out: dict[str, list[Block]] = {}
    current: str | None = None
    for b in blocks:
        if b.kind == "heading" and b.level <= 2:
            current = b.text if b.level == 2 else None
            if current is not None:
                out[current] = []
            continue
        if current is not None:
            out[current].append(b)
    return out


def signature(blocks: list[Block]) -> list[tuple]:
    """What a reader sees in some blocks, formatting aside (for comparing versions and uploads)."""
    sig: list[tuple] = []
    for b in blocks:
        if b.kind == "table":
            sig.append(("table", tuple(tuple(" ".join(plain(c).split()) for c in row) for row in b.rows)))
        else:
            sig.append((b.kind, b.level, " ".join(b.text.split())))
    return sig


def changed_sections(old_md: str | None, new_md: str) -> list[str]:
    """Titles of the numbered sections whose content differs (added and removed ones included)."""
    if old_md is None:
        return []
    old, new = sections(parse(old_md)), sections(parse(new_md))
    titles = list(new) + [t for t in old if t not in new]
    return [t for t in titles if signature(old.get(t, [])) != signature(new.get(t, []))
            or (t in old) != (t in new)]
