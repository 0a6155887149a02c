"""Short-lived signed links to the report, sent by direct message to the people entitled to it.

A link names the member it was issued to, the case, the document and its version, and when it
expires; an HMAC-SHA256 with RAPIDREVIEW_LINK_SECRET signs all of it. The token is lower-case
base32 (letters and the digits 2-7) so no PII detector mistakes it for a phone or NHS number.

GET /report/{token} shows a plain page with a download button, and GET /report/{token}/download
sends the file. The two steps matter: chat platforms fetch links to draw previews, and a preview
fetch must never carry the report away. Entitlement is checked again when the file is fetched, so a
person removed from the partnership file cannot use a link issued earlier.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import html
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
KINDS = ("report", "draft", "pack", "briefing", "action-plan")


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


# -- the web routes ----------------------------------------------------------------------------------
_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow",
            "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}
_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>Rapid review document</title></head><body style="font-family:Arial,sans-serif;max-width:40em;margin:3em auto">
<p><strong>OFFICIAL-SENSITIVE</strong></p>{body}</body></html>"""


def setup_routes(app, rt, web) -> None:  # noqa: ANN001
    """GET /report/{token} (a page) and /report/{token}/download (the file), on the bot's aiohttp app.

    `web` is aiohttp's `web` module, passed in by the composition root (bot/app.py) so that the core
    itself imports no HTTP framework (tests/test_boundaries.py)."""
    from bot.report_files import LinkRefused, serve_link

    signer()  # at start-up, so a missing RAPIDREVIEW_LINK_SECRET is logged with the other start-up lines

    def page(body: str, status: int = 200):  # noqa: ANN202
        return web.Response(text=_PAGE.format(body=body), status=status, content_type="text/html", headers=_HEADERS)

    def refused(why: str):  # noqa: ANN202
        return page(f"<p>{html.escape(why)}.</p><p>Ask the bot for a new link: type <code>link</code> in the case "
                    "channel or in a direct message to the bot.</p>", status=403)

    def claims_of(request) -> LinkClaims:  # noqa: ANN001
        return signer().verify(request.match_info["token"], rt.core.clock())

    async def landing(request):  # noqa: ANN001, ANN202
        try:
            claims = claims_of(request)
        except BadLink as exc:
            return refused(str(exc).capitalize())
        member = rt.partnership.member(claims.member).name if claims.member in {m.key for m in rt.partnership.members} else claims.member
        what = {"report": f"Rapid Review Report v{claims.version}", "draft": "current draft of the report",
                "pack": f"Panel submission pack {claims.version}", "briefing": "practitioners' briefing",
                "action-plan": "action plan"}[claims.kind]
        return page(f"<p>{html.escape(claims.case_code)}: {html.escape(what)} ({html.escape(claims.fmt)}).</p>"
                    f"<p>Issued to {html.escape(member)}; valid until {html.escape(claims.expires_human)}. "
                    "Do not forward it.</p>"
                    f'<p><a href="{html.escape(request.match_info["token"])}/download" rel="noreferrer">Download</a></p>')

    async def download(request):  # noqa: ANN001, ANN202
        try:
            claims = claims_of(request)
        except BadLink as exc:
            return refused(str(exc).capitalize())
        try:
            doc = await serve_link(rt, claims)
        except LinkRefused as exc:
            return refused(str(exc))
        headers = dict(_HEADERS)
        headers["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
        content_type, _, charset = doc.content_type.partition("; charset=")
        return web.Response(body=doc.data, content_type=content_type, charset=charset or None, headers=headers)

    app.router.add_get("/report/{token}", landing, allow_head=False)
    app.router.add_get("/report/{token}/download", download, allow_head=False)
