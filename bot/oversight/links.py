"""Signed, expiring links to the oversight report, for one entitled member and one period.

The same secret as the report links (bot/report/links.py), with a key of its own derived from it, so a
report link can never be replayed as an oversight link or the other way round. Redeeming a link checks
again that the member is still in the partnership file with a role that may see the report.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timezone

from bot.oversight.figures import Period
from bot.report.links import DEFAULT_TTL, BadLink, LinkSigner, _b32, _unb32, signer

PATH = "/oversight-report"
_SIG_CHARS = 32


@dataclass(frozen=True)
class OversightClaims:
    member: str
    period: Period
    expires: datetime

    @property
    def expires_human(self) -> str:
        from bot.calendar import LONDON

        local = self.expires.astimezone(LONDON)
        return f"{local:%H:%M} on {local:%a} {local.day} {local:%b %Y}"


def _sig(s: LinkSigner, payload: bytes) -> str:
    key = hmac.new(s.secret, b"rapidreview oversight link v1", hashlib.sha256).digest()
    return _b32(hmac.new(key, payload, hashlib.sha256).digest()[:20])


def issue(member: str, period: Period, now: datetime, s: LinkSigner | None = None) -> tuple[str, OversightClaims]:
    """(url, claims): the link a member opens to see the report for the period."""
    s = s or signer()
    expires = (now + (s.ttl or DEFAULT_TTL)).astimezone(timezone.utc).replace(microsecond=0)
    payload = "|".join((member, period.start.isoformat(), period.end.isoformat(),
                        str(int(expires.timestamp())))).encode()
    return f"{s.base_url}{PATH}/{_b32(payload)}{_sig(s, payload)}", OversightClaims(member, period, expires)


def verify(token: str, now: datetime, s: LinkSigner | None = None) -> OversightClaims:
    s = s or signer()
    if len(token) <= _SIG_CHARS or len(token) > 400 or not token.isalnum():
        raise BadLink("not a link the bot issued")
    body, sig = token[:-_SIG_CHARS], token[-_SIG_CHARS:]
    try:
        payload = _unb32(body)
    except ValueError:
        raise BadLink("not a link the bot issued") from None
    if not hmac.compare_digest(_sig(s, payload), sig):
        raise BadLink("not a link the bot issued")
    member, start, end, expires = payload.decode().split("|")
    claims = OversightClaims(member, Period(date.fromisoformat(start), date.fromisoformat(end)),
                             datetime.fromtimestamp(int(expires), tz=timezone.utc))
    if now >= claims.expires:
        raise BadLink("this link has expired")
    return claims
