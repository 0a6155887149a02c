"""The case lifecycle as one explicit table: (state, command) -> possible next states, guard, step.

A step returns the next state (None = stay). The table is data: tests enumerate it to prove every
state is reachable and every non-terminal state has a way out, and `help` uses it to say what can
happen next.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from bot.steps import report as report_steps
from bot.context import Ctx
from bot.states import RR_CLOCK_RUNNING
from bot.states import CaseState as S
from bot.steps import decision, delay, gathering, intake, learning, national, panel, revision
from bot.steps import lcspr_checks, safety, sin_details
from bot.steps import meeting as meeting_steps

Step = Callable[[Ctx], Awaitable[S | None]]
Guard = Callable[[Ctx], str | None]


@dataclass(frozen=True)
class Transition:
    source: S
    key: str  # the command, e.g. "approve", "triage notifiable"
    targets: tuple[S, ...]  # every state the step may lead to (itself included when it can stay)
    step: Step
    guard: Guard | None = None


def _rows(sources: Iterable[S], key: str, targets: Iterable[S] | None, step: Step,
          guard: Guard | None = None, stay: bool = False) -> list[Transition]:
    out = []
    for src in sources:
        tg = tuple(targets or ())
        if stay or not tg:
            tg = tg + (src,) if src not in tg else tg
        out.append(Transition(src, key, tg, step, guard))
    return out


GATHERING = (S.INFO_GATHERING, S.LOCAL_REVIEW)
RR_ACTIVE = (S.RR_INITIATED, S.SPRG_TRIAGE, S.INITIAL_CASE_DISCUSSION, S.INFO_GATHERING)
# A rapid review under way, from the SIN until the report goes to the executive leads: a report version
# carries both dates, so once one is up for approval a correction would leave it saying something else.
RR_RUNNING = (S.RR_INITIATED, S.SPRG_TRIAGE, S.INITIAL_CASE_DISCUSSION, S.INFO_GATHERING, S.PACK_CIRCULATED,
              S.RAPID_REVIEW_MEETING, S.REPORT_DRAFTING)
POST_APPROVAL = (S.SUBMITTED_TO_PANEL, S.AWAITING_PANEL, S.PANEL_RESPONDED, S.RESPONSE_SHARED, S.LEARNING_AND_ACTIONS)
AWAITING = (S.SUBMITTED_TO_PANEL, S.AWAITING_PANEL)
# The report's narrative and criteria can be written from the initial case discussion until approval.
REPORT_EDITING = (S.INITIAL_CASE_DISCUSSION, S.INFO_GATHERING, S.PACK_CIRCULATED, S.RAPID_REVIEW_MEETING,
                  S.REPORT_DRAFTING, S.EXEC_APPROVAL, S.EXEC_DISAGREEMENT)
REPORT_LINKS = (*REPORT_EDITING, S.APPROVED, *POST_APPROVAL, S.NATIONAL_REVIEW, S.LOCAL_REVIEW)

TABLE: tuple[Transition, ...] = tuple(
    # Intake: a case opens at the point the partnership has reached (referral, SIN decision, SIN sent).
    _rows([S.START], "new", [S.REFERRAL_RECEIVED, S.SIN_DECISION, S.RR_INITIATED, S.NOTIFICATION_ONLY, S.CONTRIBUTING],
          intake.new, intake.guard_new)
    + _rows([S.REFERRAL_RECEIVED], "aware", [S.SIN_DECISION, S.NOTIFICATION_ONLY], intake.aware)
    + _rows([S.NOTIFICATION_ONLY], "aware", [S.SIN_DECISION], intake.aware)
    + _rows([S.SIN_DECISION], "sin", [S.RR_INITIATED], intake.sin, intake.guard_sin)
    # Corrections of a mistyped date, while the deadlines it drives still matter (until the report is sent
    # to the executive leads).
    + _rows([S.SIN_DECISION, *RR_RUNNING], "aware", None, intake.correct_aware)
    + _rows(RR_RUNNING, "sin", None, intake.correct_sin)
    + _rows([S.SIN_DECISION], "sin not-met", [S.LOCAL_CONSIDERATION], intake.sin_not_met)
    # Immediate safety actions (issue 14 item 17): recorded from the SIN on, tracked until done.
    + _rows([*RR_RUNNING, S.EXEC_APPROVAL, S.EXEC_DISAGREEMENT, S.APPROVED, S.LOCAL_REVIEW], "safety add", None, safety.add)
    + _rows([*RR_RUNNING, S.EXEC_APPROVAL, S.EXEC_DISAGREEMENT, S.APPROVED, *POST_APPROVAL, S.LOCAL_REVIEW,
             S.NATIONAL_REVIEW], "safety done", None, safety.done)
    # The SIN details the Panel asks for, held in the store (issue 14 item 19), until the report is submitted.
    + _rows([*RR_RUNNING, S.EXEC_APPROVAL, S.EXEC_DISAGREEMENT, S.APPROVED], "sin details", None, sin_details.record)
    + _rows([S.RR_INITIATED], "informed", [S.SPRG_TRIAGE], intake.informed)
    + _rows([S.SIN_DECISION, S.SPRG_TRIAGE], "informed", None, intake.informed)
    + _rows([S.NOTIFICATION_ONLY], "notified", None, intake.notified)
    # SPRG triage (S3): notifiable, local review, or the SIN criteria turn out not to be met.
    + _rows([S.RR_INITIATED, S.SPRG_TRIAGE], "triage notifiable", [S.INITIAL_CASE_DISCUSSION], intake.triage_notifiable)
    # A local review only without a sent SIN (domain S3 as corrected, AS-11): once the SIN is sent the rapid
    # review is owed, and the case leaves it only by withdrawing the notification.
    + _rows([S.SIN_DECISION, S.LOCAL_CONSIDERATION, S.SIN_WITHDRAWN], "triage local", [S.LOCAL_REVIEW],
            intake.triage_local)
    + _rows(RR_ACTIVE, "triage withdrawn", [S.SIN_WITHDRAWN], intake.triage_withdrawn)
    # Initial case discussion and information gathering (S4, S5, §2.3).
    + _rows([S.INITIAL_CASE_DISCUSSION, S.INFO_GATHERING, S.LOCAL_REVIEW], "kloe", None, gathering.kloe)
    + _rows([S.SPRG_TRIAGE, S.INITIAL_CASE_DISCUSSION, S.INFO_GATHERING, S.LOCAL_REVIEW], "meeting icdm", None, gathering.meeting)
    # The Rapid Review Meeting: a future date schedules it; it is held (S7) only on or after its date, after the pack.
    + _rows([S.INITIAL_CASE_DISCUSSION, S.INFO_GATHERING, S.LOCAL_REVIEW], "meeting rrm", None, meeting_steps.rrm)
    + _rows([S.PACK_CIRCULATED], "meeting rrm", [S.RAPID_REVIEW_MEETING], meeting_steps.rrm, stay=True)
    + _rows([S.INITIAL_CASE_DISCUSSION], "request", [S.INFO_GATHERING], gathering.request, gathering.guard_request)
    + _rows(GATHERING, "request", None, gathering.request, gathering.guard_request)
    + [t for verb in ("ack", "return", "nil", "query", "accept", "waive")
       for t in _rows(GATHERING, verb, None, gathering.agency_step)]
    + _rows([S.INFO_GATHERING], "pack", [S.PACK_CIRCULATED], gathering.pack, gathering.guard_pack)
    # The meeting's views and the recommendation (S7, S8).
    + _rows([S.PACK_CIRCULATED, S.RAPID_REVIEW_MEETING, S.REPORT_DRAFTING], "vote", None, decision.vote)
    + _rows([S.RAPID_REVIEW_MEETING], "recommend", [S.REPORT_DRAFTING], decision.recommend)
    + _rows([S.REPORT_DRAFTING], "recommend", None, decision.recommend)
    # Reconsideration (issue 14 item 1): after a partner disagrees, or the Panel asks the partners to
    # reconsider, the chair revises the recommendation; the next version needs all three approvals again.
    + _rows([S.EXEC_DISAGREEMENT, S.EXEC_APPROVAL], "recommend", [S.REPORT_DRAFTING], revision.revise_recommendation,
            revision.guard_revise)
    + _rows([S.EXEC_DISAGREEMENT], "vote", None, decision.vote)
    # Report versions and executive approval (S8, S9): all three approve the same version.
    + _rows([S.REPORT_DRAFTING, S.EXEC_APPROVAL, S.EXEC_DISAGREEMENT], "report", [S.EXEC_APPROVAL], decision.report,
            decision.guard_report)
    + _rows([S.EXEC_APPROVAL], "approve", [S.APPROVED], decision.approve, stay=True)
    + _rows([S.EXEC_APPROVAL, S.APPROVED], "disagree", [S.EXEC_DISAGREEMENT], decision.disagree)
    # Submission and the Panel (S10-S12).
    + _rows([S.APPROVED], "submit", [S.SUBMITTED_TO_PANEL], decision.submit, decision.guard_submit)
    + _rows([S.PANEL_RESPONDED], "submit", [S.AWAITING_PANEL], decision.submit, decision.guard_submit)
    + _rows([S.SUBMITTED_TO_PANEL], "panel acknowledged", [S.AWAITING_PANEL], panel.acknowledged)
    + [t for outcome in ("agrees", "local", "information")
       for t in _rows(AWAITING, f"panel {outcome}", [S.PANEL_RESPONDED], panel.responded)]
    + _rows(AWAITING, "panel disagrees", [S.EXEC_APPROVAL], panel.disagrees)
    + _rows(AWAITING, "panel national", [S.NATIONAL_REVIEW], panel.national)
    # The national review (S16): the Panel's requests for information, and sending it.
    + _rows([S.NATIONAL_REVIEW], "panel information", None, national.information_requested)
    + _rows([S.NATIONAL_REVIEW], "submit", None, national.information_sent, national.guard_information_sent)
    # A rapid review running late: the Panel told of the delay, with the reason (issue 14 item 5).
    + _rows(sorted(RR_CLOCK_RUNNING), "panel delay", None, delay.panel_told_of_delay)
    # Sharing, learning and actions (S13, S14), the LCSPR child workflow (S15), national review (S16).
    + _rows([S.PANEL_RESPONDED], "shared", [S.RESPONSE_SHARED], panel.shared, panel.guard_shared, stay=True)
    + _rows([S.NATIONAL_REVIEW], "shared", None, panel.shared, panel.guard_shared)
    + _rows([S.RESPONSE_SHARED], "briefing done", [S.LEARNING_AND_ACTIONS], learning.briefing_done)
    + _rows([S.LEARNING_AND_ACTIONS, S.LOCAL_REVIEW, S.NATIONAL_REVIEW], "briefing done", None, learning.briefing_done)
    + _rows([S.RESPONSE_SHARED], "action add", [S.LEARNING_AND_ACTIONS], learning.action_add)
    + _rows([S.LEARNING_AND_ACTIONS, S.LOCAL_REVIEW, S.NATIONAL_REVIEW], "action add", None, learning.action_add)
    + _rows([S.RESPONSE_SHARED, S.LEARNING_AND_ACTIONS, S.LOCAL_REVIEW, S.NATIONAL_REVIEW], "action done", None,
            learning.action_done)
    + [t for step in ("decided", "reviewer", "planned", "published")
       for t in _rows((S.APPROVED, *POST_APPROVAL), f"lcspr {step}", None, learning.lcspr)]
    # The report: narrative sections, criteria answers, links to documents, the decision to publish.
    + _rows(REPORT_EDITING, "section", None, report_steps.section)
    + _rows(REPORT_EDITING, "criterion", None, report_steps.criterion)
    + _rows(REPORT_LINKS, "link", None, report_steps.link)
    + _rows((S.APPROVED, *POST_APPROVAL), "lcspr publish", None, learning.lcspr)
    + _rows((S.APPROVED, *POST_APPROVAL), "lcspr copy-sent", None, lcspr_checks.copy_sent)
    # Closing (guarded where work must be finished first).
    + _rows([S.REFERRAL_RECEIVED, S.NOTIFICATION_ONLY, S.LOCAL_CONSIDERATION, S.SIN_WITHDRAWN, S.LOCAL_REVIEW,
             S.LEARNING_AND_ACTIONS, S.NATIONAL_REVIEW, S.CONTRIBUTING], "close", [S.CLOSED], intake.close, intake.guard_close)
)

_INDEX: dict[tuple[S, str], Transition] = {}
for _t in TABLE:
    assert (_t.source, _t.key) not in _INDEX, f"duplicate transition {_t.source} {_t.key}"
    _INDEX[(_t.source, _t.key)] = _t


def find(state: S, key: str) -> Transition | None:
    return _INDEX.get((state, key))


def keys_from(state: S) -> list[str]:
    """What can be done from a state, in table order (for refusals and help)."""
    return [t.key for t in TABLE if t.source == state]


# Refusals that deserve more than "not now": the domain says why.
EXPLANATIONS: dict[tuple[S, str], str] = {
    (S.SIN_DECISION, "triage notifiable"): "A rapid review requires a submitted SIN. Record it with `sin DATE`, "
                                          "or choose `triage local` (local review) or `close`.",
    (S.LOCAL_CONSIDERATION, "triage notifiable"): "A rapid review requires a submitted SIN, and the SIN criteria were "
                                                 "not met. Choose `triage local` (local review) or `close`.",
    (S.REFERRAL_RECEIVED, "sin"): "Record when the council became aware first, for example: aware 2026-12-18",
    (S.EXEC_DISAGREEMENT, "approve"): "A partner disagreed with this version: wait for the next version (`report`).",
    (S.EXEC_APPROVAL, "submit"): "All three partners must approve the same version before it goes to the Panel.",
    (S.EXEC_DISAGREEMENT, "submit"): "A partner disagreed: a new version must be approved by all three first.",
    (S.LOCAL_REVIEW, "submit"): "A local review is not submitted to the Panel.",
    (S.PACK_CIRCULATED, "recommend"): "The recommendation follows the Rapid Review Meeting, which is not recorded as "
                                      "held yet: on or after its date, `meeting rrm held`.",
    **{(state, "triage local"): "A SIN has been sent to the Panel, so a rapid review is owed (domain S3). Two paths: "
                                "continue the rapid review (`triage notifiable`), or, if the SIN criteria turn out not "
                                'to be met, withdraw the notification with its reason (triage withdrawn reason="…"; '
                                "the Panel is told), after which a local review may follow (`triage local`)."
       for state in (S.RR_INITIATED, S.SPRG_TRIAGE, S.INITIAL_CASE_DISCUSSION, S.INFO_GATHERING)},
    **{(S.NATIONAL_REVIEW, f"lcspr {step}"): "A national review was commissioned: no LCSPR runs for this case (AS-16)."
       for step in ("decided", "reviewer", "planned", "published")},
}
