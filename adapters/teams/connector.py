"""Outbound Bot Connector calls for deliveries (no inbound turn to reply to): the SDK's own
TeamsConnectorClient, with our timeout, our token and our error mapping.

The SDK's proactive helpers are not used for these: `proactive.create_conversation(..., handler)`
fails in 1.9 (the synthetic event has no `from`), and they hide the HTTP status that the outbox needs
to tell a throttled call (429: retry after) from a broken one.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from microsoft_agents.activity import Activity, ChannelAccount, ConversationParameters, ConversationResourceResponse
from microsoft_agents.hosting.core import ConnectionManager, OutboundHostValidator
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from adapters.teams.auth import connector_token
from bot.ports import DeliveryError, MessageGone

log = logging.getLogger("rapidreview.teams")
TIMEOUT = aiohttp.ClientTimeout(total=30)


class ConnectorError(DeliveryError):
    """A refused connector call, with its HTTP status: a 1:1 chat refused (403/404) means the person cannot be
    reached there, which the port handles differently from a throttled or failed call."""

    def __init__(self, message: str, status: int, **kwargs):  # noqa: ANN003
        super().__init__(message, **kwargs)
        self.status = status


def delivery_error(exc: BaseException, what: str) -> DeliveryError:
    """Map a failed connector call onto the outbox's retry policy (never with the response body)."""
    if isinstance(exc, aiohttp.ClientResponseError):
        if exc.status in (400, 403, 404) and what != "update":
            return ConnectorError(f"Bot Connector {'refused' if exc.status == 403 else 'rejected'} {what} "
                                  f"({exc.status})", exc.status, permanent=exc.status != 403)
        if exc.status == 429:
            return DeliveryError(f"Bot Connector throttled {what}", retry_after=_retry_after(exc.headers))
        if exc.status >= 500 or exc.status in (401, 403, 408):
            return DeliveryError(f"Bot Connector {what} failed ({exc.status})")
        if exc.status == 404 and what == "update":
            # Our reading: updating a message someone deleted is answered 404; a new card is posted instead.
            return MessageGone(f"Bot Connector {what} found no such message (404)")
        return DeliveryError(f"Bot Connector rejected {what} ({exc.status})", permanent=True)
    return DeliveryError(f"Bot Connector {what} failed ({type(exc).__name__})")


def _retry_after(headers) -> float | None:  # noqa: ANN001
    try:
        value = (headers or {}).get("Retry-After")
        return max(0.0, float(value)) if value else 1.0
    except (TypeError, ValueError):
        return 1.0


class Connector:
    def __init__(self, manager: ConnectionManager, validator: OutboundHostValidator, bot_id: str):
        self.manager, self.validator, self.bot_id = manager, validator, bot_id

    @asynccontextmanager
    async def client(self, service_url: str) -> AsyncIterator[TeamsConnectorClient]:
        if not self.validator.is_allowed(service_url):
            # The serviceUrl came from an activity; never send our token anywhere but Microsoft.
            raise DeliveryError("the stored Bot Connector URL is not an allowed Microsoft host", permanent=True)
        try:
            token = await connector_token(self.manager)
        except Exception as exc:
            raise DeliveryError(f"no Bot Connector token ({type(exc).__name__})") from None
        base = service_url if service_url.endswith("/") else service_url + "/"
        session = self.validator.client({"base_url": base, "timeout": TIMEOUT})
        client = TeamsConnectorClient(base, token, session=session)
        try:
            yield client
        finally:
            await client.close()

    async def _do(self, service_url: str, what: str, call):  # noqa: ANN001, ANN202
        try:
            async with self.client(service_url) as c:
                return await call(c.conversations)
        except DeliveryError:
            raise
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise delivery_error(exc, what) from None

    async def send(self, service_url: str, conversation_id: str, activity: Activity) -> str:
        res = await self._do(service_url, "send", lambda c: c.send_to_conversation(conversation_id, activity))
        return res.id

    async def update(self, service_url: str, conversation_id: str, activity_id: str, activity: Activity) -> None:
        activity.id = activity_id
        await self._do(service_url, "update", lambda c: c.update_activity(conversation_id, activity_id, activity))

    async def delete(self, service_url: str, conversation_id: str, activity_id: str) -> None:
        """Delete one of the bot's own messages (a bot can delete only what it posted)."""
        await self._do(service_url, "delete", lambda c: c.delete_activity(conversation_id, activity_id))

    async def create(self, service_url: str, params: ConversationParameters) -> ConversationResourceResponse:
        """A new conversation: a new post in a channel, or a 1:1 chat. Created without a handler, then used."""
        params.agent = ChannelAccount(id=self.bot_id)
        return await self._do(service_url, "create conversation", lambda c: c.create_conversation(params))
