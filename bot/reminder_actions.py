"""What a person can do with a reminder card: Done, Snooze until tomorrow, Not mine."""
from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot import audit, reminders as rem
from bot.calendar import at_london_time, format_human, london_date
from bot.casefile import load_case_file
from bot.context import Invocation, Reply
from bot.effects import direct_message
from bot.grammar import Command
from bot.partnership import Role
from bot.outbox import enqueue
from storage.models import Case, Reminder, ReminderPreference

if TYPE_CHECKING:  # for the annotation only: the core calls this module
    from bot.core import Core

ACTIONS = ("done", "snooze", "not_mine")
# Reminders that stop only when the thing itself is done: pressing Done cannot silence them.
_SELF_CLEARING = {
    "agency_return": "It stops by itself once the return is in: use *Submit return* (or *Nil return*) on the request card.",
    "executive_approval": "It stops by itself once you approve or disagree on the approval card.",
}


async def reminder_action(core: "Core", inv: Invocation, reminder_id: int, action: str) -> Reply:
    member = inv.member
    if member is None:
        return await core.refuse_stranger(inv, f"reminder {action}", inv.case_code)
    if action not in ACTIONS:
        return Reply(False, f"'{action}' is not something a reminder can do: use done, snooze or not_mine.")
    now = core.clock()
    today = london_date(now)
    follow_up: Command | None = None
    async with core.db.transaction() as s:
        r = (await s.execute(select(Reminder).where(Reminder.id == reminder_id))).scalar_one_or_none()
        if r is None:
            return Reply(False, "That reminder is no longer current (the case has moved on).")
        case = (await s.execute(select(Case).where(Case.id == r.case_id).with_for_update())).scalar_one()
        if member.key not in r.recipients and not member.has(Role.BUSINESS_UNIT):
            await audit.append(s, audit.AuditEntry("access_refused", case_code=case.code, actor_key=member.key,
                                                   platform=inv.platform, platform_user=inv.platform_user,
                                                   detail={"command": f"reminder {action}", "why": "not a recipient"}), now)
            return Reply(False, "That reminder was not sent to you.", case.code)
        fam = rem.family(r.context.get("kind", r.kind) if r.kind == rem.SNOOZED else r.kind)
        entry = dict(case_code=case.code, actor_key=member.key, platform=inv.platform, platform_user=inv.platform_user)
        if action == "snooze":
            on = core.calendar.next_working_day(today)
            due_at = at_london_time(on, time.fromisoformat(core.partnership.reminders.time))
            s.add(Reminder(case_id=case.id, kind=rem.SNOOZED, subject=r.subject, due_at=due_at, recipients=[member.key],
                           context={**r.context, "kind": fam}, created_at=now))
            await audit.append(s, audit.AuditEntry("reminder_snoozed", **entry, detail={"kind": fam, "until": on}), now)
            text = f"I'll remind you again on {format_human(on)} at {core.partnership.reminders.time}."
        elif action == "done" and fam == "action_item":
            follow_up = Command("action", "done", {"number": int(r.subject)})
            text = ""
        elif action == "done" and fam in _SELF_CLEARING:
            return Reply(True, _SELF_CLEARING[fam], case.code)
        else:
            pref = "dismissed" if action == "done" else "not_mine"
            existing = (await s.execute(select(ReminderPreference).where(
                ReminderPreference.case_id == case.id, ReminderPreference.member_key == member.key,
                ReminderPreference.family == fam, ReminderPreference.subject == r.subject))).scalar_one_or_none()
            if existing is None:
                s.add(ReminderPreference(case_id=case.id, member_key=member.key, family=fam, subject=r.subject,
                                         action=pref, created_at=now))
            else:
                existing.action = pref
            await s.flush()
            await rem.recompute(s, await load_case_file(s, case), core.partnership, core.calendar, now)
            await audit.append(s, audit.AuditEntry(f"reminder_{pref}", **entry, detail={"kind": fam, "subject": r.subject}), now)
            if pref == "not_mine":
                await enqueue(s, [direct_message(case.code, bu.key, "notice", {"case_code": case.code, "text":
                    f"{case.code} / {case.pseudonym}: a reminder ({fam.replace('_', ' ')}) was marked *not mine* by "
                    f"{member.name}. It now comes to the Business Unit."}) for bu in core.partnership.members_with(Role.BUSINESS_UNIT)],
                        case, now)
                text = "Thanks: this reminder now goes to the Business Unit instead of you."
            else:
                text = "Done: you won't get this reminder again for this case."
    if follow_up is not None:
        return await core.handle(Invocation(platform=inv.platform, platform_user=inv.platform_user, member=member,
                                            command=follow_up, case_code=case.code))
    core.on_commit()
    return Reply(True, text, case.code)
