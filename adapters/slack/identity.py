"""Who the bot is in the workspace (Bolt's authorisation), learned once with auth.test and kept.

Bolt's default single-team authorisation calls auth.test on the first request after start-up and on every
request until one succeeds: one failed call there (a 500, a timeout) answers that person's command with
"your installation with this app is no longer available" and the command is not done. Here the call is
retried a few times within Slack's 3-second window, and its answer kept for the life of the process.
"""
from __future__ import annotations

import asyncio
import logging

import aiohttp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger("rapidreview.slack")
PAUSES = (0.2, 0.5)  # seconds between attempts
ATTEMPT_TIMEOUT = 0.6  # seconds: three attempts and the pauses stay inside Slack's 3-second ack window


class BotIdentity:
    def __init__(self, token: str, api_url: str):
        # Its own client: the delivery client waits 15 s per call and retries by itself, far too long here.
        self.client = AsyncWebClient(token=token, base_url=api_url, timeout=ATTEMPT_TIMEOUT, retry_handlers=[])
        self.result: AuthorizeResult | None = None
        self._lock = asyncio.Lock()

    def for_bolt(self):  # noqa: ANN201
        """Bolt's `authorize` hook. A plain function: Bolt passes arguments by the names it finds in the signature."""
        async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult | None:  # noqa: ARG001
            return await self.authorize()
        return authorize

    async def authorize(self) -> AuthorizeResult | None:
        """The bot's identity, or None (Bolt then tells the person) if Slack cannot say."""
        if self.result is None:
            async with self._lock:
                if self.result is None:
                    self.result = await self._auth_test()
        return self.result

    async def _auth_test(self) -> AuthorizeResult | None:
        for attempt, pause in enumerate((*PAUSES, None), start=1):
            try:
                resp = await self.client.auth_test()
                return AuthorizeResult.from_auth_test_response(bot_token=self.client.token, auth_test_response=resp)
            except SlackApiError as exc:
                if exc.response.status_code < 500 and exc.response.status_code != 429:
                    raise  # a revoked or wrong token: Bolt answers with its installation error; retrying won't help
                problem = f"HTTP {exc.response.status_code}"
            except (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
                problem = type(exc).__name__
            log.warning("auth.test failed (attempt %d: %s)", attempt, problem)
            if pause is not None:
                await asyncio.sleep(pause)
        return None
