"""The documents the bot makes for a case, one row each: the key people type (`link draft`), the title on the
file, how a sentence names it, and the formats it comes in. The grammar, the links, the files, the steps
and the CLI all read this one table."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    kind: str  # what people type, and what a signed link names
    title: str  # on the file and in its header line
    in_a_sentence: str  # "The {…} comes as docx or md."
    formats: tuple[str, ...]  # the first is the default


DOCUMENTS = {d.kind: d for d in (
    Document("report", "Rapid Review Report", "Rapid Review Report", ("docx", "md")),
    Document("draft", "Rapid Review Report (draft)", "current draft of the report", ("docx", "md")),
    Document("pack", "Panel submission pack", "Panel submission pack", ("zip", "md")),
    Document("briefing", "Practitioners' briefing", "practitioners' briefing", ("docx", "md")),
    Document("action-plan", "Action plan", "action plan", ("docx", "md")),
    # The pack circulated to the SPRG before the meeting (issue 14 item 9): sections 1-6 of the draft report.
    Document("sprg-pack", "SPRG pack", "SPRG pack", ("docx", "md")),
)}
KINDS = tuple(DOCUMENTS)


def named(kind: str, version: int | None = None) -> str:
    """The document as a sentence names it, with its number: "Rapid Review Report v2", "Panel submission pack 1"."""
    number = f" v{version}" if kind == "report" else f" {version}" if kind == "pack" else ""
    return DOCUMENTS[kind].in_a_sentence + number
