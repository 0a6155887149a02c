"""PII guard for case channels (RAPID_REVIEW.md §5.2).

Every message posted in a case channel goes through `scan()` before anything else happens. If it
finds something, the platform hides the message, DMs the poster (wording from `describe()`), and
writes an audit event holding only the *kinds* of what was found. So a finding must never carry the
matched text or its position: the audit log and DM would otherwise copy the very data we are
keeping out of the channel.

Pure and stdlib-only (`re`), so every adapter can call it in-process. The fixed patterns are
compiled once at import. Each one is linear: no nested unbounded quantifiers, and every repeated
group must consume a delimiter the next item cannot match. The pattern for a watch list is built
once per distinct list and cached.

The guard leans towards blocking: a false alarm costs the poster a retype, but a leak cannot be
taken back. It still has to stay quiet on ordinary review chatter (dates, case codes, pseudonyms,
agency names), or people will learn to ignore it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

# Fixed order; describe() lists the kinds in this order.
KINDS = ("name", "dob", "address", "postcode", "nhs_number", "phone", "email")
_KIND_SET = frozenset(KINDS)
_PHRASES = {
    "name": "a name on this case's watch list",
    "dob": "a date of birth",
    "address": "a street address",
    "postcode": "a UK postcode",
    "nhs_number": "an NHS number",
    "phone": "a phone number",
    "email": "an email address",
}


@dataclass(frozen=True, slots=True)
class PiiFinding:
    """What kinds of identifying data a message holds. Never the data itself."""

    kinds: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Only the fixed labels are allowed, so no caller can smuggle message text into an audit
        # event through this type. The error deliberately does not echo the bad value.
        object.__setattr__(self, "kinds", frozenset(self.kinds))
        if not self.kinds <= _KIND_SET:
            raise ValueError("PiiFinding.kinds must be drawn from pii.KINDS")

    def __bool__(self) -> bool:
        return bool(self.kinds)

    def __repr__(self) -> str:  # kinds are fixed labels, so the repr is safe to log
        return f"PiiFinding(kinds={sorted(self.kinds)!r})"


def describe(finding: PiiFinding) -> str:
    """Plain English for the DM to the poster, e.g. 'a date of birth and a UK postcode'."""
    parts = [_PHRASES[k] for k in KINDS if k in finding.kinds]
    if not parts:
        return "nothing identifying"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# --- dates of birth -----------------------------------------------------------------------------
# Review chatter is full of dates (meetings, deadlines, due dates), so a date alone says nothing.
# It counts only when a DOB cue comes right before it, with a few filler words allowed
# ("DOB on the SIN 11.11.2018"), or right after it ("03/02/2019 (DOB)"). The filler words are a
# closed list, so "DOB corrected on the portal on 14/09/2026" does not count.
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?")
_DATE = (r"(?:(?<![0-9])(?:[0-3]?[0-9][/.\-][01]?[0-9][/.\-](?:19|20)?[0-9]{2}"  # 03/02/2019, 3.2.19
         r"|(?:19|20)[0-9]{2}-[01][0-9]-[0-3][0-9])(?![0-9])"                    # 2019-02-03
         r"|(?<![0-9])[0-3]?[0-9](?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?" + _MONTH +  # 3rd (of) Feb (2019)
         r"(?:,?[ \t]+(?:19|20)?[0-9]{2}(?![0-9]))?"
         r"|" + _MONTH + r"[ \t]+(?:19|20)[0-9]{2}(?![0-9]))")                     # March 2019
_DOB_CUE = r"(?:\bd\.?[ \t]?o\.?[ \t]?b\b\.?|\bdate[ \t]+of[ \t]+birth\b|\bborn\b|\bb\.)"
_FILLER = (r"(?:(?:is|was|of|on|in|at|as|per|the|a|sin|form|record|recorded|given|listed|shown"
           r"|says|reads|should|be|now|actually)[ \t]+){0,4}")
# Free words are allowed too, but only when a colon, "is" or "=" introduces the date:
# "DOB on health records: 28/02/2018".
# Every check is anchored at a cue found first. Most chatter has no cue, so no date pattern runs.
_DOB_CUE_ANY = re.compile(_DOB_CUE, re.IGNORECASE)
_DOB_AFTER_CUE = re.compile(
    _DOB_CUE + r"(?:[ \t:=\-–(,*_]*" + _FILLER + r"|(?:[ \t]+[A-Za-z']+){1,4}[ \t]*(?::|[ \t]is\b|[ \t]was\b|=)[ \t:]*)"
    r"(?:" + _DATE + r")",
    re.IGNORECASE,
)
_DATE_BEFORE_CUE = re.compile(r"(?:" + _DATE + r")[ \t]*[(\[,\-–]?[ \t]*$", re.IGNORECASE)


def _has_dob(text: str) -> bool:
    for cue in _DOB_CUE_ANY.finditer(text):
        if _DOB_AFTER_CUE.match(text, cue.start()):
            return True
        # Reverse order ("03/02/2019 (DOB)") only for the explicit cues, not "born"/"b.".
        window = text[max(0, cue.start() - 30):cue.start()]
        if cue.group()[0] in "dD" and any(c.isdigit() for c in window) and _DATE_BEFORE_CUE.search(window):
            return True
    return False

# --- postcodes ------------------------------------------------------------------------------------
# Full postcodes follow the Royal Mail letter rules: no Q/V/X first, no I/J/Z second, and the
# inward letters never use C, I, K, M, O or V. That rules out times ("5pm") and version numbers.
# A lower-case ordinal inward part ("A64 2nd") is a road plus an ordinal, not a postcode.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])[A-PR-UWYZ][A-HK-Y]?[0-9][A-Z0-9]?[ \t]?([0-9][ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_ORDINAL = re.compile(r"[0-9](?:st|nd|rd|th)")
# An outward code alone ("YO17") is too short to trust anywhere else, so it counts only straight
# after a street address, optionally after a town name.
_OUTWARD_AFTER_ADDRESS = re.compile(r"[ \t,]*(?:[A-Z][a-z]+[ \t,]+)?[A-Z]{1,2}[0-9][A-Z0-9]?(?![A-Za-z0-9])")

# --- street addresses -----------------------------------------------------------------------------
# A house number (or "Flat 3,", or "lives on") + street name + street suffix. Suffixes that are
# also ordinary words ("court", "way", "close", "park") count only when capitalised. A lower-case
# street name is allowed only before an unambiguous suffix ("16 church st").
_STRONG = r"(?i:street|st|road|rd|lane|ln|avenue|ave|crescent|cres|terrace|terr|gardens|gdns|grove|mews)\.?"
_WEAK = (r"(?:Close|Cl|Drive|Dr|Way|Court|Ct|Place|Pl|Walk|Row|Hill|View|Square|Sq|Parade|Park|Rise"
         r"|Green|Vale|Fold|Garth|Gate|Yard|Bank|Wynd|Chase|Croft|Mount|Villas|Heights|Meadows)")
_CAP_NAME = r"[A-Z][a-z'’]+(?:[ \t][A-Z][a-z'’]+){0,2}"
_NOT_FUNCTION = r"(?!(?:the|on|to|of|in|at|a|and|for|my|our|your|his|her|their|by|from)\b)"
_LOW_NAME = _NOT_FUNCTION + r"[a-z][a-z'’]+(?:[ \t]" + _NOT_FUNCTION + r"[a-z][a-z'’]+)?"
# "3 Family Court hearings" is a count of hearings, not an address.
_HOUSE = (r"(?<![0-9A-Za-z/.:\-])[0-9]{1,4}[A-Za-z]?,?[ \t]+"
          r"(?!(?:Family|Crown|County|Magistrates'?|Youth|Coroner'?s)[ \t]+Court\b)")
_FLAT = r"\b(?i:flat|apartment|apt|unit)[ \t]*[0-9]{1,4}[A-Za-z]?,?[ \t]+"
_LIVES = r"\b(?i:lives?|living|staying|resides?|residing|moved)[ \t]+(?i:at|on|in|to|into)[ \t]+"
# Many Yorkshire streets have no suffix: "-gate" is Old Norse for street (Kirkgate, Micklegate).
# After an explicit cue ("address is", "lives at"), a number and a capitalised word are enough.
_ADDRESS_CUE = r"\b(?i:address(?:[ \t]+is)?|lives?[ \t]+at|living[ \t]+at|staying[ \t]+at)[ \t:]*"
_ADDRESS = re.compile(
    r"(?=[0-9AaFfLlMmRrSsUu])"  # cheap first-character test before trying the alternatives
    r"(?:" + _FLAT + r"(?:" + _HOUSE + r")?|" + _HOUSE + r"|" + _LIVES + r")"
    r"(?:" + _CAP_NAME + r"[ \t]+(?:" + _STRONG + r"|" + _WEAK + r")|" + _LOW_NAME + r"[ \t]+" + _STRONG
    + r"|[A-Z][a-z]+gate)(?![A-Za-z])"
    r"|" + _ADDRESS_CUE + r"(?:" + _FLAT + r")?[0-9]{1,4}[A-Za-z]?,?[ \t]+[A-Z][a-z]+(?![A-Za-z])"
)

# --- NHS numbers, phones, email ------------------------------------------------------------------
# Ten digits, as 3-3-4 or run together. Not part of a longer run of digits (Teams meeting IDs are
# 3-3-3-3). The modulus-11 check digit then rejects about 10 in 11 other ten-digit numbers.
_NHS = re.compile(r"(?<![0-9A-Za-z])(?<![0-9][ \-])([0-9]{3})[ \-]?([0-9]{3})[ \-]?([0-9]{4})(?![ \-]?[0-9])(?![A-Za-z])")
# UK numbers: 0 (or +44 / 0044, optionally "(0)") then 1/2/3/7 and nine more digits. Spaces,
# hyphens, dots and a bracketed area code may separate the digits. Slashes never do, so dates such
# as 07/01/2027 don't match. Case codes (rr-2026-014) have no leading 0 run of eleven digits.
_PHONE = re.compile(r"(?<![0-9A-Za-z/+])(?:\+44[ \t]?(?:\(0\)[ \t]?)?|0044[ \t]?|\(?0)[1237](?:[ \t\-.)]{0,2}[0-9]){9}(?![0-9])")
# Any email address is a risk in a case channel: professional addresses are kept out too.
# The look-behind stops the engine retrying from every character of a long word, which keeps it linear.
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")


def _nhs_valid(digits: str) -> bool:
    """NHS modulus-11: weights 10..2 on the first nine digits, and 11 minus the remainder is the
    check digit (11 becomes 0; 10 is never issued). Repeated digits such as 0000000000 pass the
    arithmetic but are placeholders, so they are rejected."""
    if len(set(digits)) == 1:
        return False
    check = 11 - sum(w * int(d) for w, d in zip(range(10, 1, -1), digits)) % 11
    return (0 if check == 11 else check) == int(digits[9])


# --- names from the case's watch list ---------------------------------------------------------------
# Name parts that are also everyday words. Alone, such a part counts only if it is capitalised, does
# not start a sentence, and is not part of another proper noun ("County Hall", "Hope House",
# "Ward 12"). The calendar and RAG words are capitalised even in ordinary use ("in May", "rated
# Amber"), so capital letters tell us nothing. They count only in the full name, or when every part
# of the name appears in the message.
_COMMON = frozenset("""will grace hope faith joy rose ivy holly daisy lily dawn sky river brook mark
    frank bill jack pat sue rob don guy ray art bob dean chase hunter page baker cook brown white
    black grey gray young king hall wood hill field lane bell ward price marsh moss stone church rich
    sharp long short best little power day banks mills read nurse judge fox law lord waters court
    child miles victor major penny sunny star angel precious patience charity honor honour ruby jade
    pearl crystal summer autumn winter spring storm""".split())
_CALENDAR = frozenset("""january february march april may june july august september october
    november december amber green red""".split())
_TITLES = frozenset("mr mrs ms miss mx master".split())
# Capitalised words that can sit next to a name without making it part of another proper noun.
_FUNCTION = frozenset("""the a an and but or so if to of in on at for with from by is was has had did
    does do can could would should spoke told thanks thank hi hello dear mum dad nan grandma grandad
    aunt uncle baby sister brother""".split())
_WORD = r"[^\W\d_]+(?:['’\-][^\W\d_]+)*"
_SENTENCE_START = re.compile(r"(?:^|[.!?…:\n])[\s\"'“‘(\[*_•\-–]*$")
_PREV_WORD = re.compile(r"([^\W\d_]+)\.?[ \t]+$")
_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_]+)")
_NEAR_DIGIT_BEFORE = re.compile(r"[0-9](?:st|nd|rd|th)?[ \t]+$")
_NEAR_DIGIT_AFTER = re.compile(r"[ \t]+[0-9]")
_CONTRACTION = re.compile(r"[ \t]+(?:the|a|an|not|been|got|gone|going|just|very|really|so|also|all|still"
                          r"|in|on|at|off|out|up|over|back|here|there|fine|ok|okay)\b", re.IGNORECASE)
_POSSESSIVE = r"(?:['’]s|s['’]?)?(?!\w)"  # Jayden's, the Browns, the Smiths'


@lru_cache(maxsize=256)
def _watch(names: tuple[str, ...]):
    """Compile a watch list into (full-name regex, part regex, part tiers, multi-part entries)."""
    fulls, tiers, entries = [], {}, []
    for entry in names:
        tokens = re.findall(_WORD, entry)
        if len(tokens) > 1:
            fulls.append(r"\s+".join(map(re.escape, tokens)))
            entries.append(frozenset(t.lower() for t in tokens))
        for tok in tokens:
            for part in {tok, *tok.split("-")}:
                low = part.lower()
                if len(low) >= 3:  # "Jo", "Al": too short to trust alone, full-name only
                    tiers[low] = "calendar" if low in _CALENDAR else "common" if low in _COMMON else "plain"
    full = re.compile(r"(?<!\w)(?:" + "|".join(fulls) + r")" + _POSSESSIVE, re.IGNORECASE) if fulls else None
    parts = (re.compile(r"(?<!\w)(" + "|".join(map(re.escape, sorted(tiers, key=len, reverse=True)))
                        + r")" + _POSSESSIVE, re.IGNORECASE) if tiers else None)
    return full, parts, tiers, tuple(entries)


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and not (len(word) > 1 and word.isupper())


def _common_word_is_name(text: str, start: int, end: int, tiers: dict) -> bool:
    """Judge a common-word name part in context (see _COMMON)."""
    before, after = text[max(0, start - 40):start], text[end:end + 40]
    prev = _PREV_WORD.search(before)
    if prev and prev.group(1).lower() in _TITLES:
        return True  # "Mrs Brown", "Mr Ward"
    # Everyday words rarely take a possessive, so "Rose's school ..." counts even at a sentence start.
    # But "'s" is also "is"/"has" ("Sky's the limit", "Hope's been lost"), so the next word decides.
    possessive = after[:2] in ("'s", "’s") and not _CONTRACTION.match(after, 2)
    if (_SENTENCE_START.search(before) and not possessive) or _NEAR_DIGIT_BEFORE.search(before) \
            or _NEAR_DIGIT_AFTER.match(after):
        return False
    for near in (prev, _NEXT_WORD.match(after)):
        word = near.group(1) if near else ""
        if _capitalised(word) and word.lower() not in _FUNCTION and word.lower() not in tiers:
            return False  # part of another proper noun: "County Hall", "Hope House", "Wood Lane"
    return True


def _has_name(text: str, names: tuple[str, ...]) -> bool:
    full, parts, tiers, entries = _watch(names)
    if full is not None and full.search(text):
        return True
    if parts is None:
        return False
    capitalised_anywhere: set[str] = set()
    mid_sentence = False
    for m in parts.finditer(text):
        word = m.group(1)
        tier = tiers[word.lower()]
        if tier == "plain":
            return True
        if not _capitalised(word):
            continue
        capitalised_anywhere.add(word.lower())
        if not _SENTENCE_START.search(text[max(0, m.start() - 40):m.start()]):
            mid_sentence = True
        if tier == "common" and _common_word_is_name(text, m.start(1), m.end(1), tiers):
            return True
    # First name and surname split across the message ("Rang May today. Wood is her maiden name"): every part
    # present and capitalised, at least one of them mid-sentence.
    return mid_sentence and any(e <= capitalised_anywhere for e in entries)


# --- entry point --------------------------------------------------------------------------------------
# Phones and chat clients insert no-break spaces and curly apostrophes; the patterns expect plain ones.
_NORMALISE = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
                            "\u2019": "'", "\u2018": "'"})


def scan(text: str, watch_names: Iterable[str] = ()) -> PiiFinding:
    """Return the kinds of identifying data in `text`. Never the matches themselves."""
    text = (text or "").translate(_NORMALISE)
    kinds: set[str] = set()
    if _has_dob(text):
        kinds.add("dob")
    if any(not _ORDINAL.fullmatch(m.group(1)) for m in _POSTCODE.finditer(text)):
        kinds.add("postcode")
    for m in _ADDRESS.finditer(text):
        kinds.add("address")
        if _OUTWARD_AFTER_ADDRESS.match(text, m.end()):
            kinds.add("postcode")
    if any(_nhs_valid("".join(m.groups())) for m in _NHS.finditer(text)):
        kinds.add("nhs_number")
    if _PHONE.search(text):
        kinds.add("phone")
    if _EMAIL.search(text):
        kinds.add("email")
    names = tuple(sorted({n.translate(_NORMALISE).strip() for n in watch_names if n and n.strip()}))
    if names and _has_name(text, names):
        kinds.add("name")
    return PiiFinding(frozenset(kinds))
