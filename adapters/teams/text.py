"""The core's replies are written once, in Slack's mrkdwn (`*bold*`, `code`, one line per "\n"). Teams reads
them differently, so they are translated here, where Teams' rules are known:

- A message's text is Markdown: one newline joins lines into a paragraph (the Playground showed `help` as one
  paragraph), so every line break becomes a paragraph break; `*x*` would be italics, so it becomes `**x**`.
- An invoke answered with a plain message (`application/vnd.microsoft.activity.message`) is shown as text,
  with no Markdown at all: the marks are dropped instead of shown literally (`*rr-2026-001 / Child V*`).
"""
from __future__ import annotations

import re

_SLACK_BOLD = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
_CODE = re.compile(r"`([^`\n]+)`")


def for_message(text: str) -> str:
    """Slack mrkdwn -> Teams Markdown for a chat message."""
    lines = [_SLACK_BOLD.sub(r"**\1**", line.rstrip()) for line in (text or "").split("\n")]
    return "\n\n".join(line for line in lines if line.strip())


def plain(text: str) -> str:
    """Slack mrkdwn -> plain text, for answers Teams shows without formatting."""
    return _CODE.sub(r"\1", _SLACK_BOLD.sub(r"\1", text or ""))
