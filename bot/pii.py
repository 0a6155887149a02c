"""PII guard for case channels (RAPID_REVIEW.md §5.2).

Every message posted in a case channel goes through `scan()` before anything else happens. If it
finds something, the platform hides the message, DMs the poster (wording from `describe()`), and
writes an audit event holding only the *kinds* of what was found. So a finding must never carry the
matched text or its position: the audit log and DM would otherwise copy the very data we are
keeping out of the channel.

Pure and stdlib-only (`re`, `unicodedata`), so every adapter can call it in-process. Text is first
read the way a person would (`bot.pii_normal.normalise`: NFKC, zero-width and bidi characters removed,
Cyrillic/Greek look-alikes and digits of any script folded, spelled-out words joined). The shapes
(dates of birth, postcodes, NHS numbers, phones, emails, addresses, watch-list names) are here; the
kinds recognised by the words around them (people by relationship or role, schools, GP practices,
social handles, police references, case-system IDs, medical and investigation detail) are in
`bot.pii_context`. The fixed patterns are compiled once at import. Each one is linear: no nested
unbounded quantifiers, and every repeated group must consume a delimiter the next item cannot
match. The pattern for a watch list is built once per distinct list and cached.

The guard leans towards blocking: a false alarm costs the poster a retype, but a leak cannot be
taken back. It still has to stay quiet on ordinary review chatter (dates, case codes, pseudonyms,
agency names), or people will learn to ignore it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from bot import pii_context as ctx
from bot.pii_normal import normalise

# Fixed order; describe() lists the kinds in this order.
KINDS = ("name", "dob", "address", "postcode", "nhs_number", "phone", "email",
         "person", "school", "gp", "social", "crime_ref", "case_id", "medical", "investigation")
_KIND_SET = frozenset(KINDS)
_PHRASES = {
    "name": "a name on this case's watch list",
    "dob": "a date of birth",
    "address": "a street address",
    "postcode": "a UK postcode",
    "nhs_number": "an NHS number",
    "phone": "a phone number",
    "email": "an email address",
    "person": "a person's name with their relationship or role",
    "school": "a school or nursery name",
    "gp": "a GP practice name",
    "social": "a social media account",
    "crime_ref": "a police reference",
    "case_id": "a case-system ID",
    "medical": "a medical or injury detail",
    "investigation": "a detail of a police investigation",
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
_ORDINAL_WORD = (r"(?:(?:twenty|thirty)[ \-]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
                 r"|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth"
                 r"|nineteenth|twentieth|thirtieth")
_YEAR_WORDS = r"(?:(?:19|20)[0-9]{2}|two\s+thousand(?:\s+and)?(?:\s+[a-z]+){0,2})"
# Numeric dates use the same separator twice (03/02/2019, 3.2.19, 03 02 2019, 3-2-19); after
# normalisation every look-alike slash or dash is plain.
_DATE = (r"(?:(?<![0-9])(?:[0-3]?[0-9](?P<s1>[/.\- ])[01]?[0-9](?P=s1)(?:19|20)?[0-9]{2}"        # 03/02/2019, 3.2.19
         r"|(?:19|20)[0-9]{2}(?P<s2>[/.\- ])[01]?[0-9](?P=s2)[0-3]?[0-9])(?![0-9])"       # 2019-02-03, 2019/02/03
         r"|(?<![0-9])[0-3]?[0-9](?:st|nd|rd|th)?(?:\s+|[\-/.])(?:of\s+)?" + _MONTH +  # 3rd (of) Feb (2019), 03-Feb-19
         r"(?:,?(?:\s+|[\-/.])'?(?:19|20)?[0-9]{2}(?![0-9]))?"
         r"|" + _MONTH + r"\s+[0-3]?[0-9](?:st|nd|rd|th)?,?\s+(?:19|20)[0-9]{2}(?![0-9])"  # Feb 3rd 2019
         r"|" + _MONTH + r"\s+(?:19|20)[0-9]{2}(?![0-9])"                                # March 2019
         r"|(?:the\s+)?(?:" + _ORDINAL_WORD + r")\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+" + _YEAR_WORDS + r")?)")
# "D-O-B", "d.o.b", "DOB", "date of birth", "birth date", "birthdate", "birthday", "born", "b."
_DOB_CUE = (r"(?:\bd[.\-]?\s?o[.\-]?\s?b\b\.?|\bdate[\s\-]+of[\s\-]+birth\b|\bbirth[\s\-]?date\b|\bbirth[\s\-]?day\b"
            r"|\bborn\b|\bb\.)")
_FILLER = (r"(?:(?:is|was|of|on|in|at|as|per|the|a|sin|form|record|recorded|given|listed|shown|his|her|their"
           r"|says|reads|should|be|now|actually|child|baby|mum|dad|sibling)\s+){0,4}")
# "DOB (age 4) 03/02/2019": a short bracketed aside between the cue and the date.
_ASIDE = r"(?:\([^()\n]{0,20}\)\s*)?"
# Free words are allowed too, but only when a colon, "is" or "=" introduces the date:
# "DOB on health records: 28/02/2018"; and "born in Scarborough on 19/04/2020".
_DOB_CUE_ANY = re.compile(_DOB_CUE, re.IGNORECASE)
_DOB_AFTER_CUE = re.compile(
    _DOB_CUE + r"(?:[\s:=\-(,*_]*" + _ASIDE + r"[\s:=\-,*_]*" + _FILLER
    + r"|(?:\s+[A-Za-z']+){1,4}\s*(?::|\sis\b|\swas\b|=)[\s:]*"
    + r"|(?:\s+(?:in|at)(?:\s+[A-Z][A-Za-z']+){1,3})\s+(?:on\s+)?)"
    r"(?:" + _DATE + r")",
    re.IGNORECASE,
)
# "born 2 weeks early on 3 March 2020": only "born" may have free words before an "on" and the date.
_BORN_ON = re.compile(r"\bborn(?:\s+[A-Za-z0-9']+){1,4}\s+on\s+(?:the\s+)?(?:" + _DATE + r")", re.IGNORECASE)
_DATE_BEFORE_CUE = re.compile(r"(?:" + _DATE + r")\s*[(\[,\-]?\s*$", re.IGNORECASE)
# Initials right before a full date are a child's identity: "JS 03/02/2019", "T.W. 9/6/11", "RA 2019-08-30".
# The review's own abbreviations are not initials ("SIN sent 22/12/2026", "RRM 14/01/2027").
_INITIALS_DATE = re.compile(
    r"(?<![\w.])([A-Z]{2,3}|(?:[A-Z]\.){2,3}|[A-Z](?: [A-Z]){1,2})\s*[,:\-]?\s*"
    r"(?:[0-3]?[0-9]([/.\-])[01]?[0-9]\2(?:19|20)?[0-9]{2}|(?:19|20)[0-9]{2}([/.\-])[01]?[0-9]\3[0-3]?[0-9])(?![0-9])")
_NOT_INITIALS = frozenset("""SIN RR RRM ICDM CSPR LCSPR SPRG BU PM TM SW DS WD COB EH CP CIN LAC YJS YAS CSC ICB
    HV GP DSL IRO LADO KLOE NHS DOB RE FYI QA TBC TBA AM MON TUE WED THU FRI SAT SUN DUE ON BY AT TO OF IN ETA EOD
    NB PS UK LA DCI DI PC PS MTG CAD REF NO ID V1 V2 V3 PPN MASH LSCP SCP NYP YO ICS RAG DFE ALL AND THE FOR WAS""".split())


_DOB_CUE_WORDS = frozenset("dob d b date birth birthdate birthday born".split())
_DATE_LIKE = re.compile(r"[0-9][/.\-][0-9]|[0-9]-[0-9]")


def _has_dob(text: str) -> bool:
    if not ctx.words(text) & _DOB_CUE_WORDS:
        return _has_initials_date(text)
    for cue in _DOB_CUE_ANY.finditer(text):
        if _DOB_AFTER_CUE.match(text, cue.start()) or _BORN_ON.match(text, cue.start()):
            return True
        # Reverse order ("03/02/2019 (DOB)") only for the explicit cues, not "born"/"b.".
        window = text[max(0, cue.start() - 30):cue.start()]
        if cue.group()[0] in "dD" and any(c.isdigit() for c in window) and _DATE_BEFORE_CUE.search(window):
            return True
    return _has_initials_date(text)


def _has_initials_date(text: str) -> bool:
    if not _DATE_LIKE.search(text):
        return False
    return any(m.group(1).replace(".", "").replace(" ", "") not in _NOT_INITIALS for m in _INITIALS_DATE.finditer(text))

# --- postcodes ------------------------------------------------------------------------------------
# Full postcodes follow the Royal Mail letter rules: no Q/V/X first, no I/J/Z second, and the
# inward letters never use C, I, K, M, O or V. That rules out times ("5pm") and version numbers.
# Any short separator counts, as a reader would read it: "YO17-7LX", "TS14.6JJ", "YO17 / 7LX".
# A lower-case ordinal inward part ("A64 2nd") is a road plus an ordinal, not a postcode.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])[A-PR-UWYZ][A-HK-Y]?[0-9][A-Z0-9]?(?:[ .\-/_]{0,3}|\n)([0-9][ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])",
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
    # "flat 12, Dundas House": a flat number and a named building
    r"|" + _FLAT + _CAP_NAME + r"[ \t]+(?:House|Lodge|Tower|Towers|Mansions|Buildings|Block|Hall)(?![A-Za-z])"
    # "caravan 14", "Sandy Bay holiday park": a home with no street
    r"|\b(?i:caravan|chalet|static|mobile[ \t]+home|houseboat|narrowboat)[ \t]+(?i:no\.?[ \t]*)?[0-9]{1,4}[A-Za-z]?\b"
    r"|" + _CAP_NAME + r"[ \t]+(?i:holiday|caravan|mobile[ \t]+home|leisure|travellers'?)[ \t]+(?i:park|site|village)\b"
)

# --- NHS numbers, phones, email ------------------------------------------------------------------
# Digits as a reader groups them: runs of digit groups separated by a space, dot, dash or slash
# ("943 476 5919", "943.476.5919", "NHS 97865 79755"). Each window of whole groups is a candidate.
_DIGIT_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9]+(?:[ .\-/]{1,3}[0-9]+)*(?![0-9])")
_DIGIT_GROUP = re.compile(r"[0-9]+|[^0-9]+")
# Groupings an unlabelled NHS number is written in. Anything else must carry the label (dates,
# meeting IDs and booking references are grouped differently).
_NHS_SHAPES = {(10,), (3, 3, 4), (5, 5), (4, 3, 3), (3, 4, 3)}
# "NHS no", "NHS number", "nhs#", "NHS943 …": the label makes any ten digits an NHS number, checksum or
# not (a mistyped NHS number is still one), and nine or eleven digits a mistyped one.
_NHS_CUE = re.compile(r"(?<![A-Za-z])nhs(?![a-z]{2})", re.IGNORECASE)
_NHS_GLUED = re.compile(r"(?<![A-Za-z])(nhs(?:no|#)?)(?=[0-9])", re.IGNORECASE)
_NHS_LABEL_GAP = re.compile(r"[^0-9\n.!?]{0,30}")
# UK numbers: 0 (or +44 / 0044, optionally "(0)") then 1/2/3/7 and nine more digits. Spaces,
# hyphens, dots and a bracketed area code may separate the digits. Slashes never do, so dates such
# as 07/01/2027 don't match. Case codes (rr-2026-014) have no leading 0 run of eleven digits.
_PHONE = re.compile(r"(?<![0-9A-Za-z/+])(?:\+44[ \t]?(?:\(0\)[ \t]?)?|0044[ \t]?|\(?0)[1237](?:[ \t\-.)]{0,2}[0-9]){9}(?![0-9])")
# Any email address is a risk in a case channel: professional addresses are kept out too.
# The look-behind stops the engine retrying from every character of a long word, which keeps it linear.
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# Spelled out: "jo at example dot com", "dean.b [at] example [dot] net", "x (at) example.org".
_AT = re.compile(r"(?i:[(\[{] ?at ?[)\]}]|(?<=\s)at(?=\s))")
_DOT = r"(?:\s*[(\[{]\s*dot\s*[)\]}]\s*|\s+dot\s+|\.)"
_DOMAIN_AFTER_AT = re.compile(r"(?i:[a-z0-9\-]+(?:" + _DOT + r"[a-z0-9\-]+){0,3}" + _DOT
                              + r"(?:com|org|net|uk|gov|nhs|sch|ac|io|me|info|biz|edu|co)\b)")
_WORD_BEFORE = re.compile(r"([\w.+\-]+)$")
_SPACE = re.compile(r"\s*")
_EMAIL_CUE = re.compile(r"(?i:e-?mail|contact|address|mailto)")


def _has_email(text: str) -> bool:
    if "@" in text and _EMAIL.search(text):
        return True
    if "at" not in text.lower():
        return False
    for m in _AT.finditer(text):
        dom = _DOMAIN_AFTER_AT.match(text, _SPACE.match(text, m.end()).end())
        end = m.start()
        while end and text[end - 1].isspace():
            end -= 1
        before = _WORD_BEFORE.search(text[max(0, end - 64):end])
        if not dom or not before:
            continue
        deliberate = "at" not in m.group().strip().lower()[:2] or re.search(r"(?i)dot", dom.group())
        # " at " is an everyday word: the local part must look like one, or an email cue be near.
        if deliberate or any(c in before.group(1) for c in "._-0123456789") \
                or _EMAIL_CUE.search(text, max(0, m.start() - 40), m.start()):
            return True
    return False


def _digit_windows(run: str):
    """Each window of whole digit groups in a run: (digits, group lengths, separators used)."""
    parts = _DIGIT_GROUP.findall(run)
    groups, seps = parts[0::2], parts[1::2]
    for i in range(len(groups)):
        digits = ""
        for j in range(i, len(groups)):
            digits += groups[j]
            if len(digits) > 11:
                break
            yield digits, tuple(len(g) for g in groups[i:j + 1]), set(seps[i:j])


def _numbers(text: str) -> set[str]:
    kinds: set[str] = set()
    text = _NHS_GLUED.sub(r"\1 ", text)  # "NHS943 476 5919" reads as "NHS 943 476 5919"
    labelled_at = [m.end() for m in _NHS_CUE.finditer(text)]
    for run in _DIGIT_RUN.finditer(text):
        if run.end() - run.start() < 9:
            continue
        # Labelled: the run follows "NHS …" closely, or "… is the nhs no" follows the run.
        label = any(0 <= run.start() - end <= 30 and _NHS_LABEL_GAP.fullmatch(text, end, run.start())
                    for end in labelled_at) or bool(_NHS_CUE.search(text[run.end():run.end() + 20]))
        for digits, shape, seps in _digit_windows(run.group()):
            if label and 9 <= len(digits) <= 11:
                kinds.add("nhs_number")
            elif len(digits) == 10 and shape in _NHS_SHAPES and len(seps) <= 1 and _nhs_valid(digits):
                kinds.add("nhs_number")
            if len(digits) == 11 and digits[:2] in ("01", "02", "03", "07") and len(shape) <= 4 \
                    and not any("/" in s for s in seps):
                kinds.add("phone")
    if "phone" not in kinds and _PHONE.search(text):
        kinds.add("phone")
    return kinds


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
def scan(text: str, watch_names: Iterable[str] = ()) -> PiiFinding:
    """Return the kinds of identifying data in `text`. Never the matches themselves.

    The text is first normalised the way a reader sees it (bot.pii_normal): an evasion such as a
    zero-width space, a Cyrillic letter or full-width digits changes nothing."""
    text = normalise(text or "")
    kinds: set[str] = set()
    if _has_dob(text):
        kinds.add("dob")
    if any(not _ORDINAL.fullmatch(m.group(1)) for m in _POSTCODE.finditer(text)):
        kinds.add("postcode")
    for m in _ADDRESS.finditer(text):
        kinds.add("address")
        if _OUTWARD_AFTER_ADDRESS.match(text, m.end()):
            kinds.add("postcode")
    kinds |= _numbers(text)
    if _has_email(text):
        kinds.add("email")
    if ctx.has_social(text):
        kinds.add("social")
    if ctx.has_crime_ref(text):
        kinds.add("crime_ref")
    if ctx.has_case_id(text):
        kinds.add("case_id")
    kinds |= ctx.institution_kinds(text)
    if ctx.has_person(text):
        kinds.add("person")
    if ctx.has_medical(text):
        kinds.add("medical")
    if ctx.has_investigation(text):
        kinds.add("investigation")
    names = tuple(sorted({normalise(n).strip() for n in watch_names if n and n.strip()}))
    if names and _has_name(text, names):
        kinds.add("name")
    return PiiFinding(frozenset(kinds))
