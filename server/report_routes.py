"""The web pages that redeem a signed report link (the links themselves: bot/report/links.py).

GET /report/{token} shows a plain page with a download button, and GET /report/{token}/download
sends the file. The two steps matter: chat platforms fetch links to draw previews, and a preview
fetch must never carry the report away. Entitlement is checked again when the file is fetched, so a
person removed from the partnership file cannot use a link issued earlier.
"""
from __future__ import annotations

import html

from aiohttp import web

from bot.report.files import LinkRefused

from bot.documents import serve_link
from bot.report.links import BadLink, LinkClaims, signer

_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow",
            "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"}
_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>Rapid review document</title></head><body style="font-family:Arial,sans-serif;max-width:40em;margin:3em auto">
<p><strong>OFFICIAL-SENSITIVE</strong></p>{body}</body></html>"""


def setup(app: web.Application, rt) -> None:  # noqa: ANN001 (server.app.Runtime)
    """GET /report/{token} (a page) and /report/{token}/download (the file), on the bot's aiohttp app."""
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
                "action-plan": "action plan", "sprg-pack": "SPRG pack"}[claims.kind]
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
            doc = await serve_link(rt.core, claims)
        except LinkRefused as exc:
            return refused(str(exc))
        headers = dict(_HEADERS)
        headers["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
        content_type, _, charset = doc.content_type.partition("; charset=")
        return web.Response(body=doc.data, content_type=content_type, charset=charset or None, headers=headers)

    app.router.add_get("/report/{token}", landing, allow_head=False)
    app.router.add_get("/report/{token}/download", download, allow_head=False)
