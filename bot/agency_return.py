"""The structured agency return (domain §3.4), validated the same way whichever form it came from.

What an agency writes is stored for the report and never posted to a channel; only its status is.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

MAX_TEXT = 3000


class ChronologyRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: date
    source: str = Field(min_length=1, max_length=200, description="source / service")
    event: str = Field(min_length=1, max_length=MAX_TEXT, description="event or contact")
    action: str = Field(default="", max_length=MAX_TEXT, description="action taken")
    outcome: str = Field(default="", max_length=MAX_TEXT, description="outcome / decision")


class AgencyReturn(BaseModel):
    """Fields of §3.4 (the agency-internal reference and attachments stay in the document store)."""

    model_config = ConfigDict(extra="forbid")

    completed_by_role: str = Field(min_length=1, max_length=200)
    senior_signoff_role: str = Field(min_length=1, max_length=200)
    signoff_date: date
    involvement_period: str = Field(default="", max_length=200)
    nature_of_involvement: str = Field(default="", max_length=MAX_TEXT)
    chronology: list[ChronologyRow] = Field(default_factory=list, max_length=200)
    lived_experience: str = Field(default="", max_length=MAX_TEXT)
    went_well: str = Field(default="", max_length=MAX_TEXT)
    could_be_different: str = Field(default="", max_length=MAX_TEXT)
    information_sharing: str = Field(default="", max_length=MAX_TEXT)
    single_agency_learning: str = Field(default="", max_length=MAX_TEXT)
    immediate_actions: str = Field(default="", max_length=MAX_TEXT)
    parallel_processes: str = Field(default="", max_length=MAX_TEXT)
    equality_considerations: str = Field(default="", max_length=MAX_TEXT)

    @field_validator("chronology")
    @classmethod
    def _sorted(cls, rows: list[ChronologyRow]) -> list[ChronologyRow]:
        return sorted(rows, key=lambda r: r.date)


FIELD_LABELS = {
    "completed_by_role": "Completed by (role)", "senior_signoff_role": "Senior sign-off (role)",
    "signoff_date": "Sign-off date", "involvement_period": "Period of involvement",
    "nature_of_involvement": "Nature of involvement with the child and family (by role)",
    "chronology": "Chronology of key events", "lived_experience": "The child's lived experience and voice",
    "went_well": "What went well", "could_be_different": "What could have been done differently",
    "information_sharing": "Information sharing with other agencies",
    "single_agency_learning": "Single-agency learning already identified",
    "immediate_actions": "Immediate actions taken or needed", "parallel_processes": "Parallel processes known",
    "equality_considerations": "Equality and diversity considerations",
}


def validate_return(fields: dict[str, Any]) -> tuple[AgencyReturn | None, dict[str, str]]:
    """The return, or field-level errors (field name -> plain-English message) for the form to show."""
    try:
        return AgencyReturn.model_validate(fields), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            loc = [str(p) for p in err["loc"]]
            name = loc[0] if loc else "form"
            label = FIELD_LABELS.get(name, name)
            msg = err["msg"]
            if err["type"] in ("date_from_datetime_parsing", "date_parsing", "date_type"):
                msg = "use a date like 2026-09-14"
            elif err["type"] == "missing":
                msg = "this is required"
            elif err["type"] == "string_too_short":
                msg = "this is required"
            elif err["type"] == "extra_forbidden":
                msg = "not a field of the agency return"
            if len(loc) > 2:
                msg = f"row {int(loc[1]) + 1}, {loc[2]}: {msg}"
            errors.setdefault(name, f"{label}: {msg}")
        return None, errors


def free_text(ret: AgencyReturn) -> list[str]:
    """Every text the agency wrote, for the PII guard."""
    out = [v for k, v in ret.model_dump().items() if isinstance(v, str)]
    for row in ret.chronology:
        out += [row.source, row.event, row.action, row.outcome]
    return [t for t in out if t]
