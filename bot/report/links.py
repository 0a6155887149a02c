"""Short-lived signed links to the report, sent by direct message to the people entitled to it.

A link names the member it was issued to, the case, the document and its version, and when it
expires; an HMAC-SHA256 with RAPIDREVIEW_LINK_SECRET signs all of it. The token is lower-case
base32 (letters and the digits 2-7) so no PII detector mistakes it for a phone or NHS number.

The web pages that redeem a link are served by the composition root (server/report_routes.py).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from bot.calendar import LONDON

log = logging.getLogger("rapidreview.report_links")

SECRET_ENV, BASE_URL_ENV = "RAPIDREVIEW_LINK_SECRET", "RAPIDREVIEW_PUBLIC_URL"
DEFAULT_TTL = timedelta(hours=24)
_SIG_CHARS = 32  # 20 bytes of HMAC in base32
KINDS = ("report", "draft", "pack", "briefing", "action-plan", "sprg-pack")


class BadLink(ValueError):
    """The token is forged, damaged or expired (the message says which, in plain words)."""


@dataclass(frozen=True)
class LinkClaims:
    member: str
    case_code: str
    kind: str
    version: int | None
    fmt: str  # docx | md | zip
    expires: datetime

    @property
    def expires_human(self) -> str:
        local = self.expires.astimezone(LONDON)
        return f"{local:%H:%M} on {local:%a} {local.day} {local:%b %Y}"


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


def _unb32(text: str) -> bytes:
    return base64.b32decode(text.upper() + "=" * (-len(text) % 8))


class LinkSigner:
    def __init__(self, secret: bytes, base_url: str, ttl: timedelta = DEFAULT_TTL):
        if len(secret) < 16:
            raise ValueError(f"{SECRET_ENV} must be at least 16 bytes")
        self.secret, self.base_url, self.ttl = secret, base_url.rstrip("/"), ttl

    def _sig(self, payload: bytes) -> str:
        return _b32(hmac.new(self.secret, payload, hashlib.sha256).digest()[:20])

    def issue(self, member: str, case_code: str, kind: str, version: int | None, fmt: str,
              now: datetime) -> tuple[str, LinkClaims]:
        assert kind in KINDS, kind
        expires = (now + self.ttl).astimezone(timezone.utc).replace(microsecond=0)
        payload = "|".join((member, case_code, kind, str(version or 0), fmt, str(int(expires.timestamp())))).encode()
        return _b32(payload) + self._sig(payload), LinkClaims(member, case_code, kind, version, fmt, expires)

    def url(self, token: str) -> str:
        return f"{self.base_url}/report/{token}"

    def verify(self, token: str, now: datetime) -> LinkClaims:
        if len(token) <= _SIG_CHARS or len(token) > 600 or not token.isalnum():
            raise BadLink("not a link the bot issued")
        body, sig = token[:-_SIG_CHARS], token[-_SIG_CHARS:]
        try:
            payload = _unb32(body)
        except (ValueError, base64.binascii.Error):
            raise BadLink("not a link the bot issued") from None
        if not hmac.compare_digest(self._sig(payload), sig):
            raise BadLink("not a link the bot issued")
        member, case_code, kind, version, fmt, expires = payload.decode().split("|")
        claims = LinkClaims(member, case_code, kind, int(version) or None, fmt,
                            datetime.fromtimestamp(int(expires), tz=timezone.utc))
        if now >= claims.expires:
            raise BadLink("this link has expired")
        return claims


_signer: LinkSigner | None = None


def signer(env: Mapping[str, str] | None = None) -> LinkSigner:
    """The process's signer, from RAPIDREVIEW_LINK_SECRET (a random one, with a warning, when unset)."""
    global _signer
    if _signer is None:
        env = os.environ if env is None else env
        secret = env.get(SECRET_ENV, "").encode()
        if not secret:
            secret = secrets.token_bytes(32)
            log.warning("%s is not set: generated a random secret for this process. Report links will stop "
                        "working when it restarts and will not work across replicas; set it in production.",
                        SECRET_ENV)
        _signer = LinkSigner(secret, env.get(BASE_URL_ENV) or "http://127.0.0.1:3978")
    return _signer


def configure(secret: bytes, base_url: str, ttl: timedelta = DEFAULT_TTL) -> LinkSigner:
    """Set the process's signer explicitly (tests; a composition root that reads its own settings)."""
    global _signer
    _signer = LinkSigner(secret, base_url, ttl)
    return _signer
