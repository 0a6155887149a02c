"""The pages that redeem a signed oversight link (issued by `oversight` in chat; bot/oversight/links.py).

GET /oversight-report/{token} is a plain landing page; /oversight-report/{token}/view shows the report (figures,
definitions, charts) and /oversight-report/{token}/download/{fmt} sends it as a file. As with the report
links, a chat platform's preview fetch reaches only the landing page, and entitlement (still a member,
still in a role the role matrix lets run `oversight`) is checked again on every view and download.
"""
from __future__ import annotations

import asyncio
import html

from aiohttp import web

from bot import audit
from bot.calendar import london_date
from bot.oversight.links import PATH, OversightClaims, verify
from bot.report.links import BadLink
from bot.roles import may_run

_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow",
            "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
            "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                                       "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"}
_STYLE = """body{font-family:Arial,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#0b0c0c;line-height:1.45}
.marking{color:#b3261e}table{border-collapse:collapse;width:100%;margin:0 0 1rem;font-size:.92rem}caption{text-align:left;
font-weight:700}th,td{border:1px solid #b1b4b6;padding:.25rem .45rem;text-align:left;vertical-align:top}thead th{background:#dbe5f1}
tbody th{font-weight:400}.chart img{max-width:100%;height:auto;border:1px solid #d8d8d8}a{color:#1d4f91}
.table-scroll{overflow-x:auto}"""
_PAGE = """<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title><link rel="icon" href="data:,"><style>{style}</style></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""
FORMATS = ("docx", "md", "csv", "zip")


def setup(app: web.Application, rt) -> None:  # noqa: ANN001 (server.app.Runtime)
    def page(title: str, body: str, status: int = 200) -> web.Response:
        return web.Response(text=_PAGE.format(title=html.escape(title), style=_STYLE, body=body), status=status,
                            content_type="text/html", headers=_HEADERS)

    def refused(why: str) -> web.Response:
        return page("Oversight report", f"<p>{html.escape(why)}.</p><p>Ask the bot for a new link: type "
                                        "<code>oversight</code> in a direct message to the bot.</p>", status=403)

    def entitled(request) -> tuple[OversightClaims, object] | web.Response:  # noqa: ANN001
        try:
            claims = verify(request.match_info["token"], rt.core.clock())
        except BadLink as exc:
            return refused(str(exc).capitalize())
        member = next((m for m in rt.partnership.members if m.key == claims.member), None)
        if member is None or not may_run(member, "oversight"):
            return refused("This link's holder may no longer see the oversight report")
        return claims, member

    async def landing(request):  # noqa: ANN001, ANN202
        got = entitled(request)
        if isinstance(got, web.Response):
            return got
        claims, member = got
        token = html.escape(request.match_info["token"])
        return page("Oversight report", f'<p class="marking"><strong>OFFICIAL-SENSITIVE</strong></p>'
                    f"<p>The partnership's oversight report for {html.escape(claims.period.human)}. Issued to "
                    f"{html.escape(member.name)}; valid until {html.escape(claims.expires_human)}. Do not forward it.</p>"
                    f'<p><a href="{token}/view" rel="noreferrer">Show the report</a></p>')

    async def view(request):  # noqa: ANN001, ANN202
        from bot.oversight import oversight
        from bot.oversight.charts import KEYS, draw
        from bot.oversight.html import fragment
        from bot.oversight.render import title

        got = entitled(request)
        if isinstance(got, web.Response):
            return got
        claims, _member = got
        now = rt.core.clock()
        o = await oversight(rt.db, rt.partnership, rt.calendar, claims.period, london_date(now))
        charts = await asyncio.to_thread(lambda: {key: draw(o, key, "svg") for key in KEYS})
        await _audit(rt, claims, "view", now)
        links = " · ".join(f'<a href="download/{fmt}" rel="noreferrer">{fmt}</a>' for fmt in FORMATS)
        return page(title(o), f"<p>Download: {links}</p>" + fragment(o, charts))

    async def download(request):  # noqa: ANN001, ANN202
        from bot.oversight import oversight
        from bot.oversight.files import CONTENT_TYPES, file_name, render

        got = entitled(request)
        if isinstance(got, web.Response):
            return got
        claims, _member = got
        fmt = request.match_info["fmt"]
        if fmt not in FORMATS:
            raise web.HTTPNotFound()
        now = rt.core.clock()
        o = await oversight(rt.db, rt.partnership, rt.calendar, claims.period, london_date(now))
        data = await asyncio.to_thread(render, o, fmt, now)
        await _audit(rt, claims, f"download {fmt}", now)
        content_type, _, charset = CONTENT_TYPES[fmt].partition("; charset=")
        headers = {**_HEADERS, "Content-Disposition": f'attachment; filename="{file_name(o, fmt)}"'}
        return web.Response(body=data, content_type=content_type, charset=charset or None, headers=headers)

    app.router.add_get(f"{PATH}/{{token}}", landing, allow_head=False)
    app.router.add_get(f"{PATH}/{{token}}/view", view, allow_head=False)
    app.router.add_get(f"{PATH}/{{token}}/download/{{fmt}}", download, allow_head=False)


async def _audit(rt, claims: OversightClaims, what: str, now) -> None:  # noqa: ANN001
    async with rt.db.transaction() as s:
        await audit.append(s, audit.AuditEntry("oversight_link_used", actor_key=claims.member, platform="web", detail={
            "what": what, "from": claims.period.start.isoformat(), "to": claims.period.end.isoformat()}), now)
