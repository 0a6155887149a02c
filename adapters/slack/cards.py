"""Block Kit messages from the Jinja2 templates in cards/slack/ (one per card kind, fed the core's context).

Each template renders a JSON object `{"text": fallback, "blocks": [...]}`. Values are inserted only
through the filters below, which JSON-encode them, so no context value can break the JSON or add a
block; `md` also escapes Slack's control characters so typed text can never become `<!channel>` or
a link. Button values carry the case code and version or agency only (never a name).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

import cards as _cards_pkg
from bot.effects import CARD_KINDS

TEMPLATES = Path(_cards_pkg.__file__).parent / "slack"
SECTION_LIMIT = 3000  # Block Kit: a section's text
HEADER_LIMIT = 150  # Block Kit: a header's plain text


def _cut(value: Any, limit: int) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters; everything else is shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain(value: Any, limit: int = SECTION_LIMIT) -> str:
    return json.dumps(_cut(value, limit), ensure_ascii=False)


def _md(value: Any, limit: int = SECTION_LIMIT) -> str:
    # Escape first, then cut: the limit applies to what Slack counts.
    return json.dumps(_cut(escape_mrkdwn("" if value is None else str(value)), limit), ensure_ascii=False)


def button_value(**fields: Any) -> str:
    """What a button carries back: compact JSON of case code and version/agency/number."""
    return json.dumps(fields, separators=(",", ":"), sort_keys=True)


def _val(fields: dict[str, Any]) -> str:
    return json.dumps(button_value(**fields))


class CardRenderer:
    def __init__(self, directory: Path = TEMPLATES):
        # No autoescape: the output is JSON, and every value goes through a JSON-encoding filter instead.
        self.env = Environment(loader=FileSystemLoader(str(directory)), autoescape=False, undefined=StrictUndefined,
                               extensions=["jinja2.ext.do"],
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
        self.env.filters.update(j=_plain, md=_md, val=_val)
        self.env.globals.update(HEADER=HEADER_LIMIT)

    def message(self, card: str, context: dict[str, Any]) -> dict[str, Any]:
        """`{"text", "blocks"}` for chat.postMessage / chat.update."""
        if card not in CARD_KINDS:
            raise ValueError(f"unknown card kind {card!r}")
        rendered = self.env.get_template(f"{card}.json.j2").render(c=context)
        try:
            msg = json.loads(rendered)
        except json.JSONDecodeError as exc:  # a template bug: say which card and where
            raise ValueError(f"cards/slack/{card}.json.j2 rendered invalid JSON: {exc}") from None
        msg["text"] = _cut(msg.get("text") or "", 3000)
        return msg

    @staticmethod
    def topic(view: dict[str, Any]) -> str:
        """The channel topic: case code, pseudonym, track and the next deadline."""
        topic = f"{view['case_code']} / {view['pseudonym']} ({view['label']})"
        nd = view.get("next_deadline")
        if nd:
            topic += f" · next: {nd['label']}, {nd['human']}"
        return topic
