"""Reading an edited Word copy of the report back: the parts people may edit, and nothing else.

The narrative sub-sections (2.1, 3.1, 6.1, 8.1, 11.2), the SIN reference and period rows of the case
details table, and the answer and rationale columns of the criteria tables are read back. Every other
part is built from the case's records (agency returns, dates, views), so an edit there cannot be
kept: it is named in the reply, so the editor knows to change the record instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.report import blocks as md
from bot.report.build import CRITERIA, FIELDS, LCSPR_CRITERIA, NARRATIVES, NATIONAL_CRITERIA, PLACEHOLDER
from bot.report.blocks import Block
from bot.report.docx import ReadBack

_ANSWER_WORDS = {"met": "met", "not met": "not_met", "not-met": "not_met", "uncertain": "uncertain"}
_BLANK_ANSWERS = {"", "to be completed", "_to be completed_"}
_FIELD_PLACEHOLDER = "to be added by the Business Unit"
IDENTIFIER = re.compile(r"^rapidreview:(?P<case>[a-z0-9-]+):(?P<kind>report|draft):v(?P<version>\d+)")


@dataclass
class Imported:
    """What an upload says, ready to be applied by the `report` step (JSON-safe: it travels as Command args)."""

    case_code: str | None = None
    kind: str | None = None  # "report" (an exported version) or "draft"
    base_version: int | None = None
    sections: dict[str, str] = field(default_factory=dict)
    criteria: dict[str, list] = field(default_factory=dict)  # key -> [answer or None, rationale]
    ignored: list[str] = field(default_factory=list)  # section titles with edits outside the editable parts
    problems: list[str] = field(default_factory=list)

    def as_args(self) -> dict:
        return {"case_code": self.case_code, "kind": self.kind, "base_version": self.base_version,
                "sections": self.sections, "criteria": self.criteria, "ignored": self.ignored, "problems": self.problems}


def _norm_heading(text: str) -> str:
    return re.sub(r"^\d+(\.\d+)*\.?\s*", "", " ".join(text.split())).lower()


_NARRATIVE_BY_HEADING = {_norm_heading(n.heading): k for k, n in NARRATIVES.items()}


def _narrative_text(blocks: list[Block]) -> str:
    parts: list[str] = []
    for b in blocks:
        text = " ".join(b.text.split())
        if not text:
            continue
        parts.append(f"- {text}" if b.kind in ("bullet", "numbered") else f"\n{text}\n")
    norm = md.normalize_narrative("\n".join(parts))
    return "" if norm.strip(" _") == PLACEHOLDER else norm


def _split_narratives(section_blocks: list[Block]) -> tuple[dict[str, list[Block]], list[Block]]:
    """The blocks under each narrative sub-heading, and the rest (with the narrative bodies left out)."""
    found: dict[str, list[Block]] = {}
    rest: list[Block] = []
    current: str | None = None
    for b in section_blocks:
        if b.kind == "heading":
            current = _NARRATIVE_BY_HEADING.get(_norm_heading(b.text))
            if current is not None:
                found[current] = []
            rest.append(b)
            continue
        if current is not None:
            found[current].append(b)
        else:
            rest.append(b)
    return found, rest


def _masked(section_title: str, blocks: list[Block]) -> list[tuple]:
    """A section's signature with its editable parts blanked (to spot edits that cannot be kept)."""
    _, rest = _split_narratives(blocks)
    out: list[Block] = []
    for b in rest:
        if b.kind != "table":
            out.append(b)
            continue
        rows = []
        for row in b.rows:
            cells = [md.plain(c) for c in row]
            if cells and cells[0].strip() in FIELDS.values():
                cells = cells[:1] + [""] * (len(cells) - 1)
            elif section_title.startswith(("9.", "10.")) and cells and re.match(r"^\(([a-d])\)", cells[0].strip()):
                cells = cells[:1] + [""] * (len(cells) - 1)
            rows.append([[md.Run(c)] for c in cells])
        out.append(Block("table", rows=rows))
    return md.signature(out)


def read_report(read: ReadBack, base_markdown: str | None) -> Imported:
    """The editable parts of an uploaded report, checked; `base_markdown` is the text it was exported from."""
    out = Imported()
    m = IDENTIFIER.match(read.identifier or "")
    if m:
        out.case_code, out.kind, out.base_version = m.group("case"), m.group("kind"), int(m.group("version"))
    sections = md.sections(read.blocks)
    if not any(t.startswith("1. ") for t in sections):
        out.problems.append("this does not look like a Rapid Review Report from the bot: its numbered headings "
                            "(1. Case details ... 12. Sign-off) were not found. Keep the headings' styles when editing.")
        return out
    seen_narratives: set[str] = set()
    for title, blocks in sections.items():
        narratives, rest = _split_narratives(blocks)
        for key, body in narratives.items():
            seen_narratives.add(key)
            out.sections[key] = _narrative_text(body)
        for b in rest:
            if b.kind != "table":
                continue
            for row in b.rows[1:]:
                cells = [" ".join(md.plain(c).split()) for c in row]
                if not cells:
                    continue
                if title.startswith("1.") and len(cells) > 1:
                    if cells[0] in FIELDS.values():
                        key = next(k for k, label in FIELDS.items() if label == cells[0])
                        value = cells[1].strip(" _")
                        out.sections[key] = "" if value.lower() == _FIELD_PLACEHOLDER.lower() else cells[1]
                    elif cells[0] == "Case code / pseudonym" and out.case_code is None:
                        out.case_code = cells[1].split(" / ")[0].strip().lower()
                elif title.startswith(("9.", "10.")):
                    _criterion_row(out, title, cells)
    missing = [NARRATIVES[k].heading for k in NARRATIVES if k not in seen_narratives]
    if missing:
        out.problems.append("these sub-headings were not found, so their text cannot be read back: "
                            + "; ".join(missing) + ". Keep the headings as they are (text and style).")
    if base_markdown is not None:
        base = md.sections(md.parse(base_markdown))
        for title, blocks in sections.items():
            if title.startswith("12.") or title not in base:
                continue
            if _masked(title, blocks) != _masked(title, base[title]):
                out.ignored.append(title)
    return out


def _criterion_row(out: Imported, title: str, cells: list[str]) -> None:
    m = re.match(r"^\(([a-d])\)", cells[0])
    if not m:
        return
    table = LCSPR_CRITERIA if title.startswith("9.") else NATIONAL_CRITERIA
    key = m.group(1) if table is LCSPR_CRITERIA else f"national-{m.group(1)}"
    if key not in CRITERIA:
        return
    answer_text = (cells[1] if len(cells) > 1 else "").strip(" _").lower()
    rationale = cells[2].strip() if len(cells) > 2 else ""
    label = f"{'reg 11' if table is LCSPR_CRITERIA else 'reg 3'} criterion ({m.group(1)})"
    if answer_text in _BLANK_ANSWERS:
        if rationale:
            out.problems.append(f"{label}: a rationale is given but no answer: write met, not met or uncertain")
        out.criteria[key] = [None, ""]
        return
    answer = _ANSWER_WORDS.get(answer_text)
    if answer is None:
        out.problems.append(f"{label}: '{cells[1][:40]}' is not an answer: write met, not met or uncertain")
        return
    if not rationale:
        out.problems.append(f"{label}: add a rationale for '{cells[1]}'")
        return
    out.criteria[key] = [answer, rationale]
