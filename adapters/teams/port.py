"""The Teams PlatformPort: how outbox effects reach Teams.

A case's channel is a private channel made through Graph (its id is the Graph channel id, and each
card is a new post in it), or, without Graph, a thread in TEAMS_CHANNEL_ID (its id is the thread's
conversation id, `19:…;messageid=…`, and each card is a reply in it). A message id is
`<conversation id>|<activity id>`, all an update needs. Everything proactive needs a Bot Connector
serviceUrl; it comes from the conversation references stored when activities arrive.
"""
from __future__ import annotations

import logging
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, ChannelAccount, ConversationParameters

from adapters.teams import cards
from adapters.teams.config import TeamsConfig
from adapters.teams.connector import Connector, ConnectorError
from adapters.teams.graph import GraphClient, GraphError
from adapters.teams.refs import ConversationRefs
from bot.partnership import Member, Partnership, Role
from bot.ports import DeliveryError, MessageGone, PurgeResult

log = logging.getLogger("rapidreview.teams")
THREAD_MARK = ";messageid="
UNREACHABLE = (403, 404)  # a 1:1 chat refused: the app is not installed for the person, or the chat is gone
INSTALL_TRIES = 2
INSTALL_WAIT_SECONDS = 20.0


def graph_delivery_error(exc: GraphError) -> DeliveryError:
    if exc.status == 429:
        return DeliveryError(str(exc), retry_after=exc.retry_after or 1.0)
    return DeliveryError(str(exc), retry_after=exc.retry_after, permanent=not exc.retryable)


class TeamsPort:
    name = "teams"

    def __init__(self, cfg: TeamsConfig, refs: ConversationRefs, connector: Connector, partnership: Partnership,
                 graph: GraphClient | None = None):
        self.cfg, self.refs, self.connector, self.p, self.graph = cfg, refs, connector, partnership, graph
        # An invitation being retried -> what Graph has confirmed so far: ("team" | "channel", Entra object id).
        self._invited: dict[tuple[str, tuple[str, ...]], set[tuple[str, str]]] = {}
        self._installs: dict[str, int] = {}  # member key -> proactive installations tried for their next message
        self._told: set[str] = set()  # members the Business Unit has been told cannot be reached (this process)

    # -- where to send ---------------------------------------------------------------------------------
    async def _service(self, tenant: str | None = None) -> tuple[str, str | None]:
        row = await self.refs.service(tenant or self.cfg.tenant_id)
        if row is not None:
            return row.service_url, row.tenant_id
        if self.cfg.service_url:
            return self.cfg.service_url, tenant or self.cfg.tenant_id
        # Not permanent: the first message anyone sends the bot tells us the URL.
        raise DeliveryError("no Bot Connector serviceUrl known yet: nobody has messaged the bot since it was installed")


    def _home(self, m: Member) -> bool:
        return not self.cfg.tenant_id or not m.teams_tenant_id or m.teams_tenant_id.lower() == self.cfg.tenant_id.lower()

    def _foreign_tenant(self, m: Member) -> str | None:
        return None if self._home(m) else m.teams_tenant_id

    async def _activity(self, card: str, context: dict[str, Any], viewer: Member | None = None) -> Activity:
        refresh = await self.refresh_ids(card)
        content = cards.render(card, context, viewer=viewer, partnership=self.p, refresh_ids=refresh)
        return Activity(type=ActivityTypes.message, attachments=[cards.attachment(content)])

    async def refresh_ids(self, card: str) -> list[str]:
        """Executive leads' Teams ids, so their approval cards refresh into their own view. Someone the bot
        has not heard from yet is named by their Entra MRI form (8:orgid:…)."""
        if card != "executive_approval":
            return []
        leads = [m for m in self.p.members_with(Role.EXECUTIVE_LEAD) if m.teams_user_id]
        known = await self.refs.mris([m.teams_user_id for m in leads])
        return [known.get(m.teams_user_id.lower(), f"8:orgid:{m.teams_user_id}") for m in leads][:60]

    # -- PlatformPort ----------------------------------------------------------------------------------
    async def open_channel(self, case_code: str, name: str, topic: str) -> str:
        if self.graph is not None:
            owner = next((m for m in self.p.members_with(Role.BUSINESS_UNIT) if m.teams_user_id and self._home(m)), None)
            if owner is None:
                raise DeliveryError("no Business Unit member with a teams_user_id in the home tenant to own the channel",
                                    permanent=True)
            try:
                return await self.graph.create_private_channel(self.cfg.team_id, name, topic,
                                                               (owner.teams_user_id, None))
            except GraphError as exc:
                raise graph_delivery_error(exc) from None
        if self.cfg.channel_id:
            return await self._open_thread(case_code, topic)
        raise DeliveryError("neither TEAMS_TEAM_ID nor TEAMS_CHANNEL_ID is set: no place for the case channel",
                            permanent=True)

    async def _open_thread(self, case_code: str, topic: str) -> str:
        """Fallback without Graph: one thread per case in the configured channel, found again by case code."""
        existing = await self.refs.thread(case_code)
        if existing:
            return existing
        url, tenant = await self._service()
        # A placeholder: the status card replaces it as soon as it is posted (post_card with pin).
        first = await self._activity("notice", {"case_code": case_code, "text": f"Case thread for {topic}. "
                                                 "Only the case code and pseudonym are used here."})
        res = await self.connector.create(url, ConversationParameters(
            is_group=True, tenant_id=tenant, activity=first,
            channel_data={"channel": {"id": self.cfg.channel_id}, **({"tenant": {"id": tenant}} if tenant else {})}))
        conversation = res.id if THREAD_MARK in (res.id or "") else f"{self.cfg.channel_id}{THREAD_MARK}{res.activity_id}"
        await self.refs.set_thread(case_code, conversation, url, tenant)
        return conversation

    async def invite(self, channel_id: str, members: list[Member]) -> None:
        if self.graph is None or THREAD_MARK in channel_id:
            return  # a thread lives in a channel whose membership is managed in Teams, not by the bot
        # Graph calls already answered are not made again when the outbox retries this invitation: with two
        # calls per person, a retry that started over had to get every one of them through at once.
        batch = (channel_id, tuple(sorted(m.teams_user_id for m in members if m.teams_user_id)))
        done = self._invited.setdefault(batch, set())
        for m in members:
            if not m.teams_user_id:
                log.warning("Teams: member %s has no teams_user_id, so was not added to the case channel", m.key)
                continue
            tenant = self._foreign_tenant(m)
            if ("channel", m.teams_user_id) in done:
                continue
            try:
                if tenant is None and ("team", m.teams_user_id) not in done:
                    await self.graph.add_team_member(self.cfg.team_id, m.teams_user_id, None)
                    done.add(("team", m.teams_user_id))
                await self.graph.add_channel_member(self.cfg.team_id, channel_id, m.teams_user_id, tenant)
                done.add(("channel", m.teams_user_id))
            except GraphError as exc:
                if exc.retryable:
                    raise graph_delivery_error(exc) from None
                # One person Graph will not add (e.g. a guest account missing) must not hold up the case.
                log.warning("Teams: could not add member %s to the case channel (%s)", m.key, exc)
        del self._invited[batch]

    async def post_card(self, channel_id: str, card: str, context: dict[str, Any], *, pin: bool = False) -> str:
        # Teams has no pinning API for bots: the status card is the first post of the channel instead.
        activity = await self._activity(card, context)
        url, tenant = await self._service()
        if THREAD_MARK in channel_id:
            if pin:
                # The thread's first post becomes the status card, so the case's thread opens with it (not with
                # the placeholder notice that started the thread). Deleted since: the card is a reply instead.
                root = channel_id.split(THREAD_MARK, 1)[1]
                try:
                    await self.connector.update(url, channel_id, root, activity)
                    return f"{channel_id}|{root}"
                except MessageGone:
                    activity = await self._activity(card, context)
            return f"{channel_id}|{await self.connector.send(url, channel_id, activity)}"
        res = await self.connector.create(url, ConversationParameters(
            is_group=True, tenant_id=tenant, activity=activity,
            channel_data={"channel": {"id": channel_id}, **({"tenant": {"id": tenant}} if tenant else {})}))
        conversation = res.id or f"{channel_id}{THREAD_MARK}{res.activity_id}"
        return f"{conversation}|{res.activity_id or conversation.split(THREAD_MARK)[-1]}"

    async def update_card(self, channel_id: str, message_id: str, card: str, context: dict[str, Any]) -> None:
        conversation, _, activity_id = message_id.rpartition("|")
        if not conversation or not activity_id:
            raise DeliveryError(f"not a Teams message id: {message_id!r}", permanent=True)
        url, _ = await self._service()
        await self.connector.update(url, conversation, activity_id, await self._activity(card, context))

    async def direct_message(self, member: Member, card: str, context: dict[str, Any]) -> None:
        """A 1:1 chat with the bot. A chat id is kept only once a message has gone through it, and one that refuses
        a message is forgotten and made again. Teams lets a bot message someone only when its app is installed for
        them: where Graph may, the bot installs it; otherwise the Business Unit is told who cannot be reached."""
        if not member.teams_user_id:
            raise DeliveryError(f"member {member.key} has no teams_user_id", permanent=True)
        activity = await self._activity(card, context, viewer=member)
        known = await self.refs.user(member.teams_user_id)
        tenant = member.teams_tenant_id or (known.tenant_id if known else None)
        if known is not None and (known.data or {}).get("personal"):
            try:
                await self.connector.send(known.service_url, known.data["personal"], activity)
                return
            except ConnectorError as exc:
                if exc.status not in UNREACHABLE:
                    raise
                log.info("Teams: the 1:1 chat with member %s refused a message (%s); making a new one", member.key,
                         exc.status)
                await self.refs.forget_personal(member.teams_user_id)
        url, _ = (known.service_url, None) if known is not None else await self._service(tenant)
        mri = (known.data or {}).get("mri") if known is not None else None
        who = ChannelAccount(id=mri or member.teams_user_id, aad_object_id=member.teams_user_id)
        try:
            res = await self.connector.create(url, ConversationParameters(
                is_group=False, members=[who], tenant_id=tenant,
                channel_data={"tenant": {"id": tenant}} if tenant else None))
            await self.connector.send(url, res.id, activity)
        except ConnectorError as exc:
            if exc.status not in UNREACHABLE:
                raise
            await self._unreachable(member, context, exc.status)
        self._installs.pop(member.key, None)
        await self.refs.set_personal(member.teams_user_id, res.id, url, tenant)

    async def _unreachable(self, member: Member, context: dict[str, Any], status: int) -> None:
        """Teams refused a 1:1 chat with this person: almost always the app is not installed for them. Install it
        through Graph when that is configured and permitted (then retry: Teams takes a moment to set up the chat);
        otherwise tell the Business Unit, once, who cannot be reached and how to fix it. Always raises."""
        tries = self._installs.get(member.key, 0)
        if self.graph is not None and self.cfg.teams_app_id and tries < INSTALL_TRIES and self._home(member):
            try:
                await self.graph.install_app_for_user(member.teams_user_id, self.cfg.teams_app_id)
                self._installs[member.key] = tries + 1
                raise DeliveryError(f"installed the Teams app for member {member.key}; the chat is retried shortly",
                                    retry_after=INSTALL_WAIT_SECONDS)
            except GraphError as exc:
                if exc.status in (0, 429) or exc.status >= 500:
                    raise graph_delivery_error(exc) from None
                log.warning("Teams: could not install the app for member %s (%s)", member.key, exc)
        self._installs.pop(member.key, None)
        await self._tell_business_unit(member, context)
        raise DeliveryError(f"member {member.key} cannot be reached in Teams ({status}): the app is not installed "
                            "for them", permanent=True)

    async def _tell_business_unit(self, member: Member, context: dict[str, Any]) -> None:
        """Best effort, straight to the Business Unit's existing chats (not through the outbox: a Business Unit
        member who cannot be reached either must not start a loop). The name is a professional's, never a child's."""
        if member.key in self._told:
            return
        text = (f"The bot cannot send direct messages to {member.name} ({member.key}) in Teams: the RapidReview app "
                "is not installed for them, so they miss their requests and approval cards. To fix it, ask them to "
                "open Teams, choose Apps, find RapidReview and select Add; or ask your Teams administrator to install "
                "it for them (an app setup policy), or to grant the bot TeamsAppInstallation.ReadWriteSelfForUser.All "
                "so it can install itself. Messages that could not be delivered are listed by `rapidreview outbox --dead`.")
        card = {"case_code": context.get("case_code") or "", "text": text}
        for bu in self.p.members_with(Role.BUSINESS_UNIT):
            if bu.key == member.key or not bu.teams_user_id:
                continue
            row = await self.refs.user(bu.teams_user_id)
            chat = (row.data or {}).get("personal") if row is not None else None
            if not chat:
                continue
            try:
                await self.connector.send(row.service_url, chat, await self._activity("notice", card, viewer=bu))
                self._told.add(member.key)
            except DeliveryError as exc:
                log.warning("Teams: could not tell Business Unit member %s that %s is unreachable (%s)",
                            bu.key, member.key, exc)
        if member.key not in self._told:
            log.warning("Teams: member %s cannot be reached and no Business Unit member could be told", member.key)

    async def archive_channel(self, channel_id: str) -> None:
        if self.graph is None or THREAD_MARK in channel_id:
            return  # a thread cannot be archived; the core has posted that the case is closed
        try:
            await self.graph.archive_channel(self.cfg.team_id, channel_id)
        except GraphError as exc:
            raise graph_delivery_error(exc) from None

    async def remove_members(self, channel_id: str, members: list[Member]) -> None:
        """Remove people from the private case channel through Graph (they stay in the team). A thread in a
        shared channel has no membership of its own: nothing to do there."""
        if self.graph is None or THREAD_MARK in channel_id:
            return
        try:
            present = await self.graph.channel_members(self.cfg.team_id, channel_id)
            for m in members:
                membership = present.get((m.teams_user_id or "").lower())
                if membership:
                    await self.graph.remove_channel_member(self.cfg.team_id, channel_id, membership)
        except GraphError as exc:
            raise graph_delivery_error(exc) from None

    async def purge_channel(self, channel_id: str, known_message_ids: list[str]) -> PurgeResult:
        """Retention. The bot deletes its own posts through the Bot Connector; Graph has no app-only delete for
        other people's messages (softDelete is delegated only), so those are hidden with a policy violation,
        which leaves them readable only to their sender; then the channel itself is deleted."""
        url, _ = await self._service()
        if self.graph is None or THREAD_MARK in channel_id:
            deleted = 0
            for mid in known_message_ids:  # only the bot's own cards are known here; people's replies stay
                conversation, _, activity = mid.rpartition("|")
                if conversation and activity:
                    await self.connector.delete(url, conversation, activity)
                    deleted += 1
            return PurgeResult(deleted=deleted, channel="left",
                               note="a thread in a shared channel: people's replies and the thread stay; "
                                    "apply a Teams retention policy to the channel")
        deleted = hidden = left = 0
        me = self.cfg.bot_id.removeprefix("28:").lower()
        try:
            try:
                messages = await self.graph.channel_messages(self.cfg.team_id, channel_id)
            except GraphError as exc:
                if exc.status != 404:
                    raise
                messages = []  # already deleted (a purge retried after its answer was lost)
            for m in messages:
                if m.get("deletedDateTime"):
                    continue
                app = (((m.get("from") or {}).get("application") or {}).get("id") or "").lower()
                root = m.get("replyToId") or m["id"]
                if app == me:
                    try:
                        await self.connector.delete(url, f"{channel_id}{THREAD_MARK}{root}", m["id"])
                        deleted += 1
                    except DeliveryError as exc:
                        if not exc.permanent:
                            raise
                        left += 1
                    continue
                try:
                    await self.graph.hide_message(self.cfg.team_id, channel_id, m["id"],
                                                  root if root != m["id"] else None)
                    hidden += 1
                except GraphError as exc:
                    if exc.status in (0, 408, 429) or exc.status >= 500:
                        raise
                    left += 1  # refused (e.g. 403 in an archived channel): the channel's deletion still follows
            await self.graph.delete_channel(self.cfg.team_id, channel_id)
        except GraphError as exc:
            raise graph_delivery_error(exc) from None
        return PurgeResult(deleted=deleted, hidden=hidden, left=left, channel="deleted",
                           note="people's messages are hidden, not deleted: Graph cannot delete them app-only"
                           if hidden or left else "")

    # -- readiness (GET /readyz) -------------------------------------------------------------------------
    async def check_credentials(self) -> tuple[bool, str]:
        """Whether Entra gives the bot a Bot Connector token, i.e. its app id and secret are accepted."""
        if self.cfg.anonymous:
            return True, "anonymous local mode: no credentials"
        from adapters.teams.auth import connector_token

        try:
            await connector_token(self.connector.manager)
        except Exception as exc:  # MSAL's message may echo configuration: the type only
            return False, f"no Bot Connector token ({type(exc).__name__})"
        return True, "Bot Connector token acquired"

    # -- the PII guard ---------------------------------------------------------------------------------
    async def hide_message(self, channel_id: str, message_id: str, root_id: str | None) -> bool:
        """Hide a message from a case channel through Graph; False when that is not possible here."""
        if self.graph is None or not self.cfg.team_id:
            return False
        try:
            await self.graph.hide_message(self.cfg.team_id, channel_id, message_id, root_id)
            return True
        except GraphError as exc:
            log.warning("Teams: could not hide a message flagged by the PII guard (%s)", exc)
            return False
