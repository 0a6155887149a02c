"""Conversation references kept in our database, so any replica can reach people after a restart.

Three kinds of row (storage.models.ConversationRef):
- "service" per tenant: the Bot Connector serviceUrl Teams last used there (and the bot's own id);
  every proactive call needs one, and Teams may move a tenant to another region.
- "user" per Entra object id: the person's Teams id (29:…, needed for card refresh and 1:1 chats)
  and, once it exists, their personal chat with the bot.
- "thread" per case code: the thread a case lives in when Graph is not configured.
Only platform ids are stored, never message content.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from microsoft_agents.activity import Activity
from storage.db import Database
from storage.models import ConversationRef

SERVICE, USER, THREAD = "service", "user", "thread"
MRI_RECHECK_SECONDS = 60


def _now() -> datetime:
    return datetime.now(timezone.utc)


def tenant_of(activity: Activity) -> str | None:
    conv = activity.conversation
    if conv is not None and conv.tenant_id:
        return conv.tenant_id
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    return (data.get("tenant") or {}).get("id")


class ConversationRefs:
    def __init__(self, db: Database):
        self.db = db
        # What this process last wrote, so an unchanged reference costs no database write.
        self._seen: dict[tuple[str, str], tuple[str, str | None, tuple]] = {}
        # People's Teams ids (29:…) by Entra object id. A person's id in a tenant never changes, so once
        # known it is kept: every approval card rendered for an invoke needs the executive leads' ids.
        self._mris: dict[str, str] = {}
        self._mris_checked = 0.0  # when the database was last asked about the people still unknown here

    async def remember(self, activity: Activity) -> None:
        """Record where this activity came from; called before anything else happens on a turn."""
        url = activity.service_url
        if not url:
            return
        tenant = tenant_of(activity)
        bot = activity.recipient.id if activity.recipient else None
        if tenant:
            await self._put(SERVICE, tenant, url, tenant, {"bot_id": bot} if bot else {})
        who = activity.from_property
        if who is not None and who.aad_object_id and who.id:
            data: dict[str, Any] = {"mri": who.id}
            conv = activity.conversation
            if conv is not None and (conv.conversation_type or "") == "personal":
                data["personal"] = conv.id
            await self._put(USER, who.aad_object_id.lower(), url, tenant, data)

    async def _put(self, kind: str, key: str, url: str, tenant: str | None, data: dict[str, Any]) -> None:
        key = key[:200]
        fingerprint = (url, tenant, tuple(sorted(data.items())))
        if self._seen.get((kind, key)) == fingerprint:
            return
        for _ in range(2):  # two replicas inserting the same new row: the loser updates instead
            try:
                async with self.db.transaction() as s:
                    row = (await s.execute(select(ConversationRef).where(
                        ConversationRef.kind == kind, ConversationRef.key == key).with_for_update())).scalar_one_or_none()
                    if row is None:
                        s.add(ConversationRef(kind=kind, key=key, service_url=url, tenant_id=tenant, data=data,
                                              updated_at=_now()))
                    else:
                        row.service_url, row.tenant_id = url, tenant or row.tenant_id
                        row.data = {**(row.data or {}), **data}
                        row.updated_at = _now()
                self._seen[(kind, key)] = fingerprint
                if kind == USER and data.get("mri"):
                    self._mris[key] = data["mri"]
                return
            except IntegrityError:
                continue

    async def get(self, kind: str, key: str) -> ConversationRef | None:
        async with self.db.read() as s:
            return (await s.execute(select(ConversationRef).where(
                ConversationRef.kind == kind, ConversationRef.key == key[:200]))).scalar_one_or_none()

    async def service(self, tenant: str | None) -> ConversationRef | None:
        """The serviceUrl for a tenant; failing that, the one seen most recently anywhere."""
        if tenant:
            row = await self.get(SERVICE, tenant)
            if row is not None:
                return row
        async with self.db.read() as s:
            return (await s.execute(select(ConversationRef).where(ConversationRef.kind == SERVICE)
                                    .order_by(ConversationRef.updated_at.desc()).limit(1))).scalar_one_or_none()

    async def user(self, aad_object_id: str) -> ConversationRef | None:
        return await self.get(USER, aad_object_id.lower())

    async def set_personal(self, aad_object_id: str, conversation_id: str, url: str, tenant: str | None) -> None:
        """Called only once a message has gone through: a chat that never accepted one is not worth keeping."""
        await self._put(USER, aad_object_id.lower(), url, tenant, {"personal": conversation_id})

    async def forget_personal(self, aad_object_id: str) -> None:
        """The stored 1:1 chat refused a message (the app was removed, or the id was never good): forget it, so
        the next attempt makes a new one instead of retrying a dead id for an hour."""
        key = aad_object_id.lower()[:200]
        async with self.db.transaction() as s:
            row = (await s.execute(select(ConversationRef).where(
                ConversationRef.kind == USER, ConversationRef.key == key).with_for_update())).scalar_one_or_none()
            if row is not None and (row.data or {}).get("personal"):
                row.data = {k: v for k, v in row.data.items() if k != "personal"}
                row.updated_at = _now()
        self._seen.pop((USER, key), None)

    async def mris(self, aad_object_ids: list[str]) -> dict[str, str]:
        """Teams user ids (29:…) of the people we have heard from, by Entra object id."""
        keys = [a.lower() for a in aad_object_ids]
        missing = [k for k in keys if k not in self._mris]
        # Heard from on another replica, or before a restart: looked up at most once a minute, since an
        # executive lead who has never used the bot would otherwise cost a query on every card.
        if missing and time.monotonic() - self._mris_checked > MRI_RECHECK_SECONDS:
            self._mris_checked = time.monotonic()
            async with self.db.read() as s:
                rows = (await s.execute(select(ConversationRef).where(
                    ConversationRef.kind == USER, ConversationRef.key.in_(missing)))).scalars()
                self._mris.update({r.key: r.data["mri"] for r in rows if (r.data or {}).get("mri")})
        return {k: self._mris[k] for k in keys if k in self._mris}

    async def thread(self, case_code: str) -> str | None:
        row = await self.get(THREAD, case_code)
        return (row.data or {}).get("conversation") if row else None

    async def set_thread(self, case_code: str, conversation_id: str, url: str, tenant: str | None) -> None:
        await self._put(THREAD, case_code, url, tenant, {"conversation": conversation_id})
