"""Which deadline leads a case's status: the most urgent one that is still *open* (issue 14 item 6).

A met deadline never leads, and neither does one that belongs to a phase the case has left: the council's
report to the safeguarding partners (due with the SIN) is no headline once SPRG has triaged the case, however
it was recorded. Those still show in the full list of deadlines, where a late one keeps its note.
"""
from __future__ import annotations

from bot.states import RR_CLOCK_RUNNING, CaseState

_S = CaseState
# A deadline key -> the states in which it can still be acted on. Keys not listed are live whenever unmet.
LIVE_IN: dict[str, frozenset[CaseState]] = {
    # A SIN still owed stays live, except where the case has left the notification path.
    "sin_due": frozenset(CaseState) - {_S.LOCAL_CONSIDERATION, _S.LOCAL_REVIEW, _S.SIN_WITHDRAWN, _S.CONTRIBUTING,
                                       _S.NOTIFICATION_ONLY, _S.CLOSED},
    "partners_informed_due": frozenset({_S.REFERRAL_RECEIVED, _S.SIN_DECISION, _S.RR_INITIATED, _S.SPRG_TRIAGE}),
    "notification_due": frozenset({_S.REFERRAL_RECEIVED, _S.NOTIFICATION_ONLY}),
    "rapid_review_due": RR_CLOCK_RUNNING,
}


def is_open(key: str, met: bool, state: str) -> bool:
    if met:
        return False
    live = LIVE_IN.get(key)
    return live is None or CaseState(state) in live


def headline(deadlines: list, state: str):  # noqa: ANN001, ANN201
    """The earliest open deadline (an overdue one is the most urgent), or None. Takes Deadline objects or their
    dict form (`as_dict`)."""
    def field(d, name):  # noqa: ANN001, ANN202
        return d[name] if isinstance(d, dict) else getattr(d, name)

    live = [d for d in deadlines if is_open(field(d, "key"), field(d, "met"), state)]
    return min(live, key=lambda d: str(field(d, "date") if isinstance(d, dict) else field(d, "due"))) if live else None
