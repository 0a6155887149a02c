"""The PII guard's context rules (RAPID_REVIEW.md §5.2 rules 1–3): identifying data that has no fixed
shape, recognised by the words a professional puts around it.

Each `has_*` function takes text already passed through `pii_normal.normalise` and answers yes or no.
Patterns are compiled once at import, every repetition is bounded, and each rule first looks for its
cue word, so a message without cues costs one search per rule.

Why hand-written rules and not a library: Presidio's recognisers for free-text names and places need a
spaCy language model (a large download at install or run time, which this service may not do), and its
pattern recognisers cover only shapes we already match (emails, phones, NHS numbers, UK postcodes).
A names list (e.g. `names-dataset`) is hundreds of megabytes in memory and still cannot tell a
colleague's name ("thanks Sarah", allowed) from a family member's ("mum Sarah", not allowed); what
decides that here is the word in front of the name, which is what these rules read.
"""
from __future__ import annotations

import re
from functools import lru_cache

# --- cues first ------------------------------------------------------------------------------------------
# Python's regex engine tries every alternative of a long word list at every word start, so each rule first
# asks whether any of its cue words occurs at all (one tokenising pass per message, shared by the rules).
_TOKEN = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=4)
def words(text: str) -> frozenset[str]:
    """The lower-case words and numbers of a message (cached: every rule asks for the same message)."""
    return frozenset(_TOKEN.findall(text.lower()))


def _any_prefix(text: str, prefixes: tuple[str, ...]) -> bool:
    return any(w.startswith(prefixes) for w in words(text))


# --- words that are capitalised but never a person's name in this register ------------------------
_NOT_A_NAME = frozenset("""
    the a an and or but nor so if then than as at by for from in into of on onto to up with without via
    is was are were be been being has have had do does did will would can could should may might must
    i it he she they we you his her their our your its my me him them us this that these those there
    here who whom which what when where why how not no yes ok okay thanks thank please also only just
    all any each every both either neither other another same new old next last first second third
    police panel health education council services service team manager agency agencies partner partners
    partnership meeting review court school nursery hospital ward unit centre center hub board home house
    trust care social early help children child family adult baby sibling siblings young person people
    mother father mum dad mam mom stepfather stepmother stepdad stepmum parent parents carer carers
    grandmother grandfather grandma grandad gran nan nana aunt auntie uncle brother sister son daughter
    cousin partner boyfriend girlfriend husband wife friend neighbour lodger suspect perpetrator
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december christmas easter
    mosaic teams slack zoom gp nhs icb csc yjs yas dsl sw tm hv iro lado bu pm rrm icdm sin spoc
    chair exec lead leads report pack return returns store tracker channel minutes agenda draft version
    unknown none nil tbc tba na n/a mr mrs ms miss dr
    protection programme development exploitation minder minding benefit safeguarding practice
    practitioner line support contact group guardian guardianship arrangements trafficking death deaths
    abuse neglect poverty centred focused friendly health's led voice nurse doctor midwife visitor worker
    officer professional
""".split())

_NAME = r"[A-Z][a-z]+(?:[\-'][A-Z]?[a-z]+)?"
_FULL = _NAME + r"(?:\s+" + _NAME + r"){0,2}"

# --- people introduced by a relationship or a role ---------------------------------------------------------
# "mum Kelly", "stepdad Dean Brown", "aunt, Shannon Moore,", "nan (Pauline)", "siblings are Mason and
# Lily-Mae", "suspect is partner Lee Carter", "AP - Kyle Brennan". A colleague's name ("thanks Sarah",
# "DS Khan", "Dr Shah") has no such word in front of it, so it passes.
_REL = (r"(?:mum|mom|mam|mummy|mother|dad|daddy|father|step-?(?:dad|father|mum|mom|mother|son|daughter"
        r"|brother|sister|sibling)|partner|ex-partner|boyfriend|girlfriend|husband|wife|fianc[eé]e?"
        r"|grandmother|grandfather|grandma|grandmum|grandad|granddad|grandpa|granny|gran|nanna|nana|nan"
        r"|great-grandmother|great-grandfather|aunt|auntie|aunty|uncle|cousin|niece|nephew"
        r"|(?:half-|twin\s+)?(?:brother|sister|sibling)s?|son|daughter|baby|infant|child|toddler"
        r"|(?:kinship\s+|foster\s+)?carer|lodger|friend|neighbour|neighbor"
        r"|suspect|perpetrator|abuser|offender|nominal|person\s+of\s+interest)")
_CONNECT = (r"(?:\s*[,:(\-]\s*|\s+(?:is|was|are|were|=|named|called)\s+|\s+)"
            r"(?:(?:is|was|named|called)\s+)?(?:(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+)?")
_REL_NAME = re.compile(r"(?<![\w-])(?i:" + _REL + r")(?:'s)?" + _CONNECT + r"(" + _NAME + r")")
_AP = re.compile(r"\bAP\s*[:\-(]?\s*(" + _NAME + r")")  # AP = alleged perpetrator (capitals only)
_TITLE_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+(" + _NAME + r")")
# "the child's first name is Noah", "baby's name is Amelia-Rose", "named Liam Sykes as a suspect"
_NAMED = re.compile(r"(?i:\b(?:(?:first|middle|last|sur|full|real|maiden|given)\s*)?name(?:'s)?\s*(?:is|was|=|:)"
                    r"|\bknown\s+as|\bcall\s+(?:him|her|them))\s+(" + _NAME + r")"
                    # lower-case "named" only: "Named Nurse", "Named GP" are safeguarding roles
                    r"|\bnamed\s+(?!(?i:nurse|doctor|gp|professional|midwife|person|lead|officer|practitioner)\b)(" + _NAME + r")")
# "Jason Pratt, 34", "Chloe (17)": a capitalised name with an age after it.
_NAME_AGE = re.compile(r"\b(" + _NAME + r")(?:\s+" + _NAME + r")?(?:,\s*|\s*\(\s*)(?:aged\s+)?[0-9]{1,2}"
                       r"(?=\s*(?:$|[),.;!?\-]|(?:years?|yrs?|yo|y/o|and|is|was|lives|has|who|at)\b))")
# "Lee Carter is the suspect", "Martin Cole as the abuser"
_NAME_ROLE = re.compile(r"\b(" + _NAME + r")\s+" + _NAME + r"\s+(?:is|was|as)\s+(?:the|a|an)\s+(?:main\s+|prime\s+|alleged\s+)?"
                        r"(?i:suspect|perpetrator|abuser|offender|person\s+of\s+interest)")
# "suspect: Carter, L." (surname, initial)
_SURNAME_INITIAL = re.compile(r"(?i:suspect|perpetrator|abuser|offender|nominal)\s*[:\-]\s*(" + _NAME + r"),\s*[A-Z]\.?(?!\w)")


_AGE_CUE = re.compile(r"[,(]\s*(?:aged\s+)?[0-9]")


def _is_name(word: str) -> bool:
    return len(word) >= 2 and word.lower() not in _NOT_A_NAME


_REL_CUES = ("mum", "mom", "mam", "moth", "dad", "fath", "step", "partner", "ex", "boyf", "girlf", "husb", "wife",
             "fianc", "grand", "gran", "nan", "great", "aunt", "uncle", "cousin", "niece", "nephew", "half", "twin",
             "brother", "sister", "sibling", "son", "daughter", "baby", "infant", "child", "toddler", "kinship",
             "foster", "carer", "lodger", "friend", "neighbo", "suspect", "perpetrator", "abuser", "offender",
             "nominal", "person")


def has_person(text: str) -> bool:
    if not any(c.isupper() for c in text):
        return False  # every rule here needs a capitalised name
    rel = _any_prefix(text, _REL_CUES)
    for m in (_REL_NAME.finditer(text) if rel else ()):
        # "Child Programme", "Baby Unit": a capitalised role word straight before another capitalised
        # word mid-sentence is one proper noun, not a relationship and a name.
        compound = m.group()[0].isupper() and not _SENTENCE_START_WORD(text, m.start()) \
            and text[m.start():m.start(1)].rstrip(" ")[-1:].isalpha()
        if _is_name(m.group(1)) and not compound:
            return True
    w = words(text)
    checks = ((_AP, "AP" in text), (_TITLE_NAME, bool(w & {"mr", "mrs", "ms", "miss", "mx"})),
              (_NAMED, _any_prefix(text, ("name", "known", "call"))), (_NAME_ROLE, rel), (_SURNAME_INITIAL, rel))
    for rx, cue in checks:
        if cue and any(_is_name(m.group(m.lastindex or 1)) for m in rx.finditer(text)):
            return True
    if not _AGE_CUE.search(text):
        return False
    for m in _NAME_AGE.finditer(text):
        # At the start of a sentence any word is capitalised; there only "Chloe (17)" counts.
        if _is_name(m.group(1)) and (not _SENTENCE_START_WORD(text, m.start(1)) or "(" in m.group()):
            return True
    return False


def _SENTENCE_START_WORD(text: str, start: int) -> bool:  # noqa: N802 - reads as a predicate
    """A capitalised word at the start of a message or sentence may just be capitalised."""
    before = text[:start].rstrip(" \"'([")
    return not before or before[-1] in ".!?:\n"


# --- schools, nurseries, colleges, GP practices ---------------------------------------------------------
# An institution word with a proper name in front of it: "St Mary's CE Primary", "Little Acorns Nursery",
# "Derwent Medical Centre", "The Crescent Surgery". "the school", "primary school age", "the GP practice"
# and "Virtual School" have no proper name, so they pass.
_SCHOOL_WORDS = (r"Primary(?:\s+School|\s+Academy)?|Academy|School|Nursery|College|Infants?(?:\s+School)?"
                 r"|Juniors?(?:\s+School)?|Pre-?[Ss]chool|Pupil\s+Referral\s+Unit|PRU|Sixth\s+Form|High"
                 r"|Grammar|Montessori|Playgroup|Pre-school")
_GP_WORDS = (r"Surgery|Medical\s+Centre|Medical\s+Center|Health\s+Centre|Medical\s+Practice|Group\s+Practice"
             r"|Family\s+Practice|Medical\s+Group|Practice")
_INSTITUTION = re.compile(r"(?<=\s)(?:(" + _SCHOOL_WORDS + r")|(" + _GP_WORDS + r"))(?![a-z])")
_NOT_AN_INSTITUTION_NAME = _NOT_A_NAME | frozenset("""
    primary secondary high junior infant infants nursery local virtual special independent free forest
    boarding day sixth form mainstream catholic grammar academy college university good best clinical
    social work nursing reflective named designated head deputy medical practice learning year reception
    post pre further higher children's county city district north south east west central general
    family gp's dental dentist surgery hospital community group national private state village
""".split())
_NAME_TOKEN = re.compile(r"(?:St\.?|Saint|CE|RC|C|E|of|and|on|upon|the|[A-Z][A-Za-z'\-]+)$")  # "C of E" word by word
_PREV_TOKEN = re.compile(r"(\S+)\s*$")
_LOWER_INSTITUTION = re.compile(
    r"\b(?:attends?|attended|attending|at|goes\s+to|went\s+to|pupil\s+at|on\s+roll\s+at|registered\s+(?:at|with)"
    r"|moved\s+to|excluded\s+from|from|nursery\s+is|school\s+is|gp\s+is)\s+(?:the\s+)?"
    r"([a-z][a-z'\-]+(?:\s+[a-z][a-z'\-]+){0,2})\s+"
    r"(?:primary|academy|school|nursery|college|infants|juniors|pre-?school|surgery|medical\s+centre"
    r"|health\s+centre|medical\s+practice|practice)\b", re.IGNORECASE)


def _named_institution(text: str) -> set[str]:
    """'school' and/or 'gp' for each institution word that has a proper name in front of it."""
    found: set[str] = set()
    for m in _INSTITUTION.finditer(text):
        kind = "school" if m.group(1) else "gp"
        if kind in found:
            continue
        before = text[max(0, m.start() - 60):m.start()]
        proper = False
        # Walk back over the words in front while they can be part of the name.
        for _ in range(5):
            prev = _PREV_TOKEN.search(before)
            if not prev:
                break
            token = prev.group(1).rstrip(",")
            if prev.group(1).endswith(",") or not _NAME_TOKEN.match(token):
                break
            if token[0].isupper() and token.lower().rstrip("'s") not in _NOT_AN_INSTITUTION_NAME \
                    and token.lower() not in _NOT_AN_INSTITUTION_NAME and len(token) > 2:
                proper = True
            before = before[:prev.start()]
        if proper:
            found.add(kind)
    for m in _LOWER_INSTITUTION.finditer(text):
        words = m.group(1).lower().split()
        if words[0] not in _NOT_AN_INSTITUTION_NAME and not all(w in _NOT_AN_INSTITUTION_NAME for w in words):
            tail = m.group(0).lower().split()[-1]
            found.add("gp" if tail in ("surgery", "practice", "centre") else "school")
    return found


_INSTITUTION_CUES = ("primary", "academy", "school", "nursery", "college", "infant", "junior", "preschool", "pre",
                     "pupil", "pru", "sixth", "high", "grammar", "montessori", "playgroup", "surgery", "medical",
                     "health", "practice", "group", "family")


def institution_kinds(text: str) -> set[str]:
    return _named_institution(text) if _any_prefix(text, _INSTITUTION_CUES) else set()


# --- police references and case-system IDs ---------------------------------------------------------------
_REF_TOKEN = r"([A-Z]{0,4}[-/]?[0-9][0-9A-Z/\-]*)"
_CRIME_CUE = re.compile(
    r"(?i:\b(?:crime|occurrence|occ|incident|cad|niche|ppn|crn|urn|storm|athena)(?:\s+(?:ref(?:erence)?|no|number|num|log|id))?"
    r"|\bpolice\s+(?:ref(?:erence)?|no|number|log|incident|occurrence)|\blog\s+(?:no|number|ref))\.?"
    r"(?:\s*(?:is|was|[:#=\-]))*\s*" + _REF_TOKEN)
# Police crime numbers without a cue: 12/34567/26 (a date has at most four digits in the middle).
_CRIME_SHAPE = re.compile(r"(?<![\w/])[0-9]{2}/[0-9]{4,7}/[0-9]{2}(?![\w/])")
_SYSTEMS = r"(?:mosaic|lcs|ehm|liquid\s?logic|eclipse|carefirst|care\s?first|azeus|controcc|systmone|emis|paris|frameworki)"
_SYSTEM = re.compile(r"(?i:\b" + _SYSTEMS + r"\b)")
_ID_NUMBER = re.compile(r"#?(?<![\w/])[0-9]{4,}(?![\w/])")
_GENERIC_ID = re.compile(r"(?i:\b(?:person|client|case|child|subject|family|pupil|patient|upn|ulnr?)\s*(?:id|ref(?:erence)?|no|number)?"
                         r"\.?\s*[:#=\-]?\s*#?)(?<![\w])[0-9]{5,}(?![\w/])")


# "log 1123 of 4 March", "incident 0712 of 30/11": the UK police log format (serial "of" a date).
_LOG_OF = re.compile(r"(?i:\b(?:log|incident|serial|cad|call)\s*(?:no\.?|number|ref)?\s*)[0-9]{2,5}\s+of\s+"
                     r"(?:[0-3]?[0-9](?:st|nd|rd|th)?(?:[/.][01]?[0-9]\b|\s+[A-Za-z]{3})|(?i:jan|feb|mar|apr|may|jun|jul"
                     r"|aug|sep|oct|nov|dec))")


_CRIME_CUES = frozenset("crime occurrence occ incident cad niche ppn crn urn storm athena police log serial call".split())
_SYSTEM_CUES = ("mosaic", "lcs", "ehm", "liquid", "eclipse", "carefirst", "care", "azeus", "controcc", "systmone", "emis",
                "paris", "frameworki")


def has_crime_ref(text: str) -> bool:
    if "/" in text and _CRIME_SHAPE.search(text):
        return True
    w = words(text)
    cues = w & _CRIME_CUES
    # "police", "log" and "call" are everyday words: they count only with a reference word beside them.
    if not cues or (cues <= {"police", "log", "call"} and not w & {"ref", "reference", "no", "number"}
                    and not (cues & {"log", "call"} and "of" in w) and not {"police", "log"} <= cues):
        return False
    if _LOG_OF.search(text):
        return True
    return any(sum(c.isdigit() for c in m.group(1)) >= 3 for m in _CRIME_CUE.finditer(text))


def has_case_id(text: str) -> bool:
    if not any(w.isdigit() and len(w) >= 4 for w in words(text)):
        return False
    for m in (_SYSTEM.finditer(text) if _any_prefix(text, _SYSTEM_CUES) else ()):
        window = text[max(0, m.start() - 40):m.end() + 40]
        if _ID_NUMBER.search(window):
            return True
    return bool(_GENERIC_ID.search(text))


# --- social media ----------------------------------------------------------------------------------------
_PLATFORM = (r"(?:snap(?:chat)?|insta(?:gram)?|ig|tik\s?tok|fb|facebook|twitter|x/twitter|discord|whatsapp"
             r"|telegram|kik|youtube|twitch|threads|onlyfans|roblox|xbox|psn|steam|yubo|wizz|bereal)")
_SOCIAL_URL = re.compile(r"(?i:\b(?:instagram|tiktok|facebook|fb|twitter|x|youtube|snapchat|threads|linkedin|twitch)\.com/\S+)")
_AT_HANDLE = re.compile(r"(?<![\w<@.])@(?!(?:channel|here|everyone)\b)([A-Za-z0-9_.]{3,30})")
_PLATFORM_HANDLE = re.compile(
    r"(?i:\b" + _PLATFORM + r"\b(?:\s+(?:name|user(?:name)?|handle|account|profile|id|tag|is|as|under|was|called))*"
    r"\s*(?:([:\-]|name|handle|user(?:name)?)\s*)?)"
    r"(@?[A-Za-z0-9_.#]{3,30}|'[^'\n]{3,40}'|\"[^\"\n]{3,40}\")")
_PLATFORM_NEAR = re.compile(r"(?i:\b" + _PLATFORM + r"\b)")
_HANDLE_WORDS = frozenset("well a an the and but or is was as on in at to for from with of it she he they was "
                          "account profile messages message group chat".split())


_PLATFORM_CUES = frozenset("""snap snapchat insta instagram ig tik tiktok fb facebook twitter x discord whatsapp telegram
    kik youtube twitch threads onlyfans roblox xbox psn steam yubo wizz bereal""".split())


def has_social(text: str) -> bool:
    platform = bool(words(text) & _PLATFORM_CUES)
    if "/" in text and _SOCIAL_URL.search(text):
        return True
    for m in (_AT_HANDLE.finditer(text) if "@" in text else ()):
        handle = m.group(1).rstrip(".")
        if any(c in handle for c in "._0123456789") or platform:
            return True
    for m in (_PLATFORM_HANDLE.finditer(text) if platform else ()):
        token = m.group(2)
        if token[0] in "'\"@" or any(c in token for c in "_.#0123456789"):
            if token[0] in "'\"" or len(token.strip("._#")) >= 3:
                return True
        elif m.group(1) and token.lower() not in _HANDLE_WORDS:
            return True
    return False


# --- medical and injury detail; criminal investigation detail -------------------------------------------
# §5.2 rule 2: the chat may say whether there is a police investigation, nothing more; rule 3: no medical
# details, cause of death or injury descriptions. These are the words that carry such detail. Generic words
# ("medical evidence", "health chronology", "neglect", "designated doctor for child deaths") are not here.
_MEDICAL = re.compile(r"(?i:\b(?:"
    r"fractur\w*|bruis\w*|burns?\b|scald\w*|haemorrhag\w*|hemorrhag\w*|ha?ematoma\w*|subdural|retinal"
    r"|head\s+injur\w*|brain\s+injur\w*|injur(?:y|ies)\s+to|non-accidental\s+injur\w*|NAI|bite\s+marks?"
    r"|cuts?\s+to|lacerat\w*|self[- ]?harm\w*|overdos\w*|toxicolog\w*|post[- ]?mortem|autopsy|cause\s+of\s+death"
    r"|SUDI|SUDC|SIDS|cot\s+death|co-?sleep\w*|rape|raped|sexual(?:ly)?\s+abus\w*|sexual\s+assault\w*"
    r"|sexually\s+assaulted|FGM|PICU|NICU|life\s+support|ventilated|centile|faltering\s+growth"
    r"|failure\s+to\s+thrive|skeletal\s+survey|cocaine|heroin|methadone|amphetamine|ketamine|spice|mdma"
    r"|diagnos(?:ed|is)\s+(?:with|of)|strangl\w*|suffocat\w*|asphyxi\w*|drowned|near[- ]drowning|found\s+hanging"
    r"|stab(?:bed|bing)?\s+wounds?|stabbed|gunshot|concussion|dislocat\w*|poison\w*|malnourish\w*"
    r"|dehydrat\w*|sepsis|seizures?|pregnan\w*|miscarr\w*|chlamydia|HIV|swelling|welts?|ligature"
    r"|blood\s+alcohol|intoxicat\w*|shaken\s+baby|shaking\s+injur\w*|abusive\s+head\s+trauma|intensive\s+care"
    r"|ICU|HDU|resuscitat\w*"
    r"|admitted\s+to\s+(?:hospital|a&e|picu|nicu|icu|ward|the\s+ward)|swallowed|ingest\w*|found\s+unresponsive|CPR"
    r")\b)")
_INVESTIGATION = re.compile(r"(?i:\b(?:"
    r"arrest\w*|charged|charges?\s+(?:of|against|brought|laid)|charge\s+of|charging\s+decision|CPS|bail(?:ed)?"
    r"|released\s+under\s+investigation|(?-i:RUI)|under\s+caution|no[- ]comment\s+interview|(?-i:ABE)"
    r"|achieving\s+best\s+evidence|remand\w*|in\s+custody|search\s+warrant|warrant\s+executed|seized"
    r"|trial\s+(?:date|listed|set|starts|begins|is\s+listed)|criminal\s+trial|plea\s+hearing|crown\s+court"
    r"|convicted|conviction|sentenced|pleaded"
    r"|suspicious\s+death|death\s+as\s+suspicious|murder|manslaughter|(?-i:GBH|ABH)|causing\s+or\s+allowing"
    r"|person\s+of\s+interest|no\s+further\s+action|(?-i:NFA)(?:'d)?|(?-i:PNC)|forensic\w*|interviewed\s+by\s+police"
    r"|police\s+interview\w*|(?:first|second|third|main|another|a|the)\s+suspect"
    r")\b)")


# The first letters of every term above (keep in step with _MEDICAL and _INVESTIGATION).
# A word from every term above, as the start of a token (keep in step with _MEDICAL and _INVESTIGATION): a
# message with none of them skips the long patterns. Each names the term's distinctive word ("injur" for
# "head injury", "mortem" for "post-mortem"), so everyday words ("County", "Police", "report") do not trigger.
_MEDICAL_CUES = ("fractur", "bruis", "burn", "scald", "haemorrhag", "hemorrhag", "haematoma", "hematoma", "subdural",
                 "retinal", "injur", "nai", "bite", "cut", "lacerat", "harm", "selfharm", "overdos", "toxicolog",
                 "mortem", "postmortem", "autopsy", "death", "sudi", "sudc", "sids", "sleep", "cosleep", "rape",
                 "sexual", "fgm", "picu", "nicu", "life", "ventilated", "centile", "faltering", "thrive", "skeletal",
                 "cocaine", "heroin", "methadone", "amphetamine", "ketamine", "spice", "mdma", "diagnos", "strangl",
                 "suffocat", "asphyxi", "drown", "hanging", "stab", "gunshot", "concussion", "dislocat", "poison",
                 "malnourish", "dehydrat", "sepsis", "seizure", "pregnan", "miscarr", "chlamydia", "hiv", "swelling",
                 "welt", "ligature", "alcohol", "intoxicat", "shaken", "shaking", "trauma", "intensive", "icu", "hdu",
                 "resuscitat", "admitted", "swallowed", "ingest", "unresponsive", "cpr")
_INVESTIGATION_CUES = ("arrest", "charg", "cps", "bail", "investigation", "rui", "caution", "comment", "abe",
                       "achieving", "remand", "custody", "warrant", "seized", "trial", "plea", "crown", "convict",
                       "sentenced", "pleaded", "suspicious", "murder", "manslaughter", "gbh", "abh", "causing",
                       "interest", "further", "nfa", "pnc", "forensic", "interview", "suspect")


def has_medical(text: str) -> bool:
    return _any_prefix(text, _MEDICAL_CUES) and bool(_MEDICAL.search(text))


def has_investigation(text: str) -> bool:
    return _any_prefix(text, _INVESTIGATION_CUES) and bool(_INVESTIGATION.search(text))
