"""What of an agency return may reach the report (issue 15; RAPID_REVIEW.md §3.4, §5.2).

An agency return is written about the child, so it may well name the family, give a date of birth or
describe injuries. It is kept in the store as written (the store is the authoritative record), but it
never reaches the report, the briefing or any card as written unless its author confirmed that it should:

- every free-text field is read by the PII guard when the report is built (with the case's watch list as
  it is then);
- a flagged field is first made safe where that can be done mechanically: names on the watch list become
  the pseudonym (the first name on the list, by the Business Unit's convention, is the child's) or
  "[name removed]", and a date of birth becomes an age at the date the council became aware;
- if the guard still finds something, the field is withheld from the report with a note saying what kind of
  thing it holds, unless the return's author ticked "confirm identifying details" when submitting.

Medical, injury and investigation detail is not withheld: it is what the report is about, and the report is
an access-controlled document (§5.2 rules 2-3 keep it out of the chat). The author is told, privately and by
field label and kind only, which fields were flagged when they submit (`flag_message`). The functions here
are pure: the report stays deterministic.
"""
from __future__ import annotations

import copy
import re
from datetime import date
from typing import Any, Iterator

from bot import pii
from bot.agency_return import FIELD_LABELS
from bot.pii_normal import normalise, strip_bidi

CONFIRM_FIELD = "confirm_identifying"  # the form's tick box: "the identifying details may go in the report"
_NOT_TEXT = ("signoff_date",)
_ROW_TEXT = ("source", "event", "action", "outcome")
_ROW_LABELS = {"source": "source", "event": "event", "action": "action", "outcome": "outcome"}


def text_fields(data: dict) -> Iterator[tuple[tuple, str]]:
    """(path, text) for every free-text field of a stored or submitted return."""
    for key, value in data.items():
        if key in _NOT_TEXT or key == "chronology":
            continue
        if isinstance(value, str) and value.strip():
            yield (key,), value
    for i, row in enumerate(data.get("chronology") or []):
        if isinstance(row, dict):
            for key in _ROW_TEXT:
                value = row.get(key)
                if isinstance(value, str) and value.strip():
                    yield ("chronology", i, key), value


def label(path: tuple) -> str:
    if path[0] == "chronology":
        return f"{FIELD_LABELS['chronology']}, row {path[1] + 1} ({_ROW_LABELS[path[2]]})"
    return FIELD_LABELS.get(path[0], path[0])


def flags(data: dict, watch: list[str] | tuple = ()) -> dict[str, list[str]]:
    """Field label -> kinds the guard found (labels and fixed kinds only: safe for the audit trail)."""
    out: dict[str, list[str]] = {}
    for path, text in text_fields(data):
        finding = _identifying(text, watch)
        if finding:
            out[label(path)] = sorted(finding.kinds)
    return out


def flag_message(found: dict[str, list[str]], confirmed: bool) -> str:
    if not found:
        return ""
    parts = "; ".join(f"{where}: {pii.describe(pii.PiiFinding(frozenset(kinds)))}" for where, kinds in found.items())
    if confirmed:
        return (f" You confirmed that identifying details may go in the report ({parts}). Names on the watch list "
                "still show as the pseudonym and dates of birth as ages.")
    return (f" Kept in the store, but not shown in the report as written: {parts}. Names on the watch list will "
            "show as the pseudonym and dates of birth as ages; anything else identifying is left out of the report. "
            "If the report needs it as written, ask the Business Unit to raise a query on the return and submit it "
            "again with \"confirm identifying details\" ticked.")


# --- making a field safe for the report -------------------------------------------------------------------
_DATE_RX = re.compile(pii._DATE, re.IGNORECASE)
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"), start=1)}
_ORDINALS = {w: i for i, w in enumerate((
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth").split(), start=1)}
_ORDINALS.update({"thirtieth": 30})
for _n, _w in enumerate(("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"), 1):
    _ORDINALS[f"twenty-{_w}"] = _ORDINALS[f"twenty {_w}"] = _ORDINALS[f"twenty{_w}"] = 20 + _n
_ORDINALS["thirty-first"] = _ORDINALS["thirty first"] = _ORDINALS["thirtyfirst"] = 31


def _year(raw: str, on: date) -> int:
    y = int(raw)
    if len(raw) == 2:
        y += 2000 if y <= on.year % 100 else 1900
    return y


def parse_date(text: str, on: date) -> date | None:
    """The date a DOB expression gives, or None when it has no year or does not parse."""
    t = text.lower().strip()
    m = re.fullmatch(r"([0-3]?[0-9])([/.\- ])([01]?[0-9])\2((?:19|20)?[0-9]{2})", t)
    try:
        if m:
            return date(_year(m.group(4), on), int(m.group(3)), int(m.group(1)))
        m = re.fullmatch(r"((?:19|20)[0-9]{2})([/.\- ])([01]?[0-9])\2([0-3]?[0-9])", t)
        if m:
            return date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        year = re.search(r"(?<![0-9])((?:19|20)[0-9]{2}|[0-9]{2})$", t)
        month = re.search(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", t)
        if not year or not month:
            return None
        day = (re.match(r"(?:the\s+)?([0-3]?[0-9])(?:st|nd|rd|th)?\b", t)
               or re.search(r"\b([0-3]?[0-9])(?:st|nd|rd|th)?,?\s+'?[0-9]{2,4}$", t))
        if day:
            d = int(day.group(1))
        else:
            words = re.match(r"(?:the\s+)?([a-z]+(?:[ \-][a-z]+)?)\s+(?:of\s+)?[a-z]+", t)
            d = _ORDINALS.get(words.group(1), 0) if words else 1
            if d == 0:
                d = _ORDINALS.get(words.group(1).split()[-1], 1) if words else 1
        return date(_year(year.group(1), on), _MONTHS[month.group(1)], d)
    except ValueError:
        return None


def age(dob: date, on: date) -> str:
    if dob > on:
        return "[date of birth removed]"
    years = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
    if years >= 2:
        return f"aged {years}"
    months = (on.year - dob.year) * 12 + on.month - dob.month - (on.day < dob.day)
    return f"aged {months} month{'s' if months != 1 else ''}"


def _dob_as_age(text: str, on: date) -> str:
    """Every date of birth (with its cue: 'DOB 03/02/2019', 'born on 3 Feb 2019') becomes an age."""
    out, last = [], 0
    for cue in pii._DOB_CUE_ANY.finditer(text):
        if cue.start() < last:
            continue
        m = pii._DOB_AFTER_CUE.match(text, cue.start()) or pii._BORN_ON.match(text, cue.start())
        if not m:
            continue
        found = None
        for found in _DATE_RX.finditer(m.group()):
            pass
        dob = parse_date(found.group(), on) if found else None
        out += [text[last:cue.start()], age(dob, on) if dob else "[date of birth removed]"]
        last = m.end()
    out.append(text[last:])
    text = "".join(out)
    # Initials with a date of birth ("JS 03/02/2019"): both go.
    return pii._INITIALS_DATE.sub(
        lambda m: m.group() if m.group(1).replace(".", "").replace(" ", "") in pii._NOT_INITIALS else
        (age(d, on) if (d := parse_date(m.group()[len(m.group(1)):].strip(" ,:-"), on)) else "[date of birth removed]"),
        text)


def _names_as_pseudonym(text: str, watch: list[str] | tuple, pseudonym: str) -> str:
    """Watch-list names become the pseudonym (the first entry: the child) or '[name removed]'. Full names go
    first; a name part shared by several entries (a family surname) is never the pseudonym."""
    replacement: dict[str, str] = {}
    owners: dict[str, set[int]] = {}
    fulls, parts = [], []
    for i, entry in enumerate(watch):
        tokens = re.findall(r"[^\W\d_]+(?:['\-][^\W\d_]+)*", normalise(entry))
        if len(tokens) > 1:
            fulls.append(tokens)
            replacement[" ".join(tokens).lower()] = pseudonym if i == 0 else "[name removed]"
        for t in tokens:
            if len(t) >= 3:
                owners.setdefault(t.lower(), set()).add(i)
                parts.append(t)
    for t, who in owners.items():
        replacement.setdefault(t, pseudonym if who == {0} else "[name removed]")
    forms = [r"\s+".join(map(re.escape, tokens)) for tokens in sorted(fulls, key=len, reverse=True)]
    forms += [re.escape(t) for t in sorted(set(parts), key=len, reverse=True)]
    if not forms:
        return text

    def swap(m: re.Match) -> str:
        name = " ".join(m.group(1).split()).lower()
        return replacement.get(name, "[name removed]") + ("'s" if m.group(2) else "")
    return re.sub(r"(?<!\w)(" + "|".join(forms) + r")('s)?(?!\w)", swap, text, flags=re.IGNORECASE)


# The report is an access-controlled document about what happened, sent to the Panel: medical, injury and
# investigation detail is its substance (§5.2 rules 2-3 keep it out of the chat, not out of the report).
# What identifies the child or family (§5.2 rule 1, and people's names) is what a return may not carry into it.
REPORT_MAY_SHOW = frozenset({"medical", "investigation"})


def _identifying(text: str, watch: list[str] | tuple) -> pii.PiiFinding:
    return pii.PiiFinding(pii.scan(text, watch).kinds - REPORT_MAY_SHOW)


def for_report(text: str, *, watch: list[str] | tuple, pseudonym: str, on: date, confirmed: bool) -> str:
    """The text of one return field as the report may show it."""
    if not text or not _identifying(text, watch):
        return strip_bidi(text)
    safe = _names_as_pseudonym(_dob_as_age(normalise(text), on), watch, pseudonym)
    left = _identifying(safe, watch)
    if not left or confirmed:
        return safe
    return f"[withheld from the report: this part of the return holds {pii.describe(left)}; it is in the store]"


def report_copy(data: dict[str, Any], *, watch: list[str] | tuple, pseudonym: str, on: date) -> dict[str, Any]:
    """A copy of a stored return with every free-text field as the report may show it."""
    out = copy.deepcopy(data)
    confirmed = bool(data.get(CONFIRM_FIELD))
    for path, text in list(text_fields(data)):
        safe = for_report(text, watch=watch, pseudonym=pseudonym, on=on, confirmed=confirmed)
        if len(path) == 1:
            out[path[0]] = safe
        else:
            out["chronology"][path[1]][path[2]] = safe
    return out
