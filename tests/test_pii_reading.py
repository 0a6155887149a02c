"""The PII guard reads text as a person would (issue 15, item 1): every trick in the issue's list, the new
§5.2 categories on sentences written for these tests (not taken from either corpus), and the bot's own
wording, which must stay clean. Everything here is fictional (drama-range phones, example.* domains,
NHS numbers built with the published check digit)."""
from __future__ import annotations

import statistics
import time

import pytest

from bot.pii import scan
from bot.pii_normal import normalise, strip_bidi

FAMILY = ["Jayden Smith", "Kelly Smith", "Ben Ward"]


def kinds(text: str, watch=()) -> set[str]:
    return set(scan(text, watch).kinds)


# --- the list, each of which came back clean before ----------------------------------------------

@pytest.mark.parametrize("text", [
    "Birth date 03/02/2019", "birthdate 03/02/2019", "DOB:\n03/02/2019", "DOB (age 4) 03/02/2019",
    "dob 2019/02/03", "DOB 03 02 2019", "born on the third of February 2019", "D-O-B: 3-2-19",
    "DOB 03\u200b/02/2019", "D\u200dOB 03/02/2019", "DOB ０３/０２/２０１９", "d.o.b ٠٣/٠٢/٢٠١٩",
    "DOB 03\u221502\u22152019", "DOB 03-Feb-2019", "dob 3/Feb/19", "born 3rd Feb '19",
])
def test_dates_of_birth_however_written(text):
    assert "dob" in kinds(text)


@pytest.mark.parametrize("text", [
    "NHS 943.476.5919", "NHS no 943  476  5919", "NHS no 943\t476\t5919", "NHS 943/476/5919", "NHS943 476 5919",
    "943.476.5919", "nhs no 943\u200b476\u200b5919", "nhs ٩٤٣٤٧٦٥٩١٩", "NHS ９４３４７６５９１９",
    "9 4 3 4 7 6 5 9 1 9 is her NHS no", "NHS 943 - 476 - 5919", "943--476--5919 is hers", "943. 476. 5919",
])
def test_nhs_numbers_however_written(text):
    assert "nhs_number" in kinds(text)


def test_a_labelled_nhs_number_is_caught_even_when_its_check_digit_is_wrong():
    assert "nhs_number" in kinds("NHS number 943 476 5918")  # mistyped: still someone's NHS number
    assert "nhs_number" not in kinds("ref 943 476 5918")        # unlabelled and fails mod-11: not one


@pytest.mark.parametrize("text", ["YO17-7LX", "YO17  7LX", "YO17\t7LX", "YO17.7LX", "yo177lx", "Y\u200bO17 7LX",
                                  "Y\u041e17 7LX", "\u0423\u041e17 7L\u0425", "ＹＯ１７ ７ＬＸ"])
def test_postcodes_however_written(text):
    assert "postcode" in kinds(f"they live at {text} now")


@pytest.mark.parametrize("text", ["jo at example dot com", "jo [at] example [dot] com", "jo (at) example.org",
                                  "jo.b at example.co.uk", "jo＠example．com", "jo\u200b@example.com"])
def test_emails_however_written(text):
    assert "email" in kinds(text)


@pytest.mark.parametrize("text", ["call 07700\u200b900461", "call ０７７００ ９００４６１", "call 0 7 7 0 0 9 0 0 4 6 1",
                                  "call 07700.900.461", "call ٠٧٧٠٠٩٠٠٤٦١"])
def test_phone_numbers_however_written(text):
    assert "phone" in kinds(text)


@pytest.mark.parametrize("text", [
    "Jay\u200bden was upset", "J\u0430yden was upset", "J.a.y.d.e.n was upset", "J a y d e n was upset",
    "JAYDEN was upset", "jayden's nan rang", "Jay\u00adden was upset", "K\u0435lly rang", "Ke\u2060lly rang",
])
def test_watch_list_names_through_the_same_reading(text):
    assert "name" in kinds(text, FAMILY)


@pytest.mark.parametrize("text", ["forwarded the pack", "awkward timing", "benchmarking data", "the Smithson report",
                                  "Kellyanne from the ICB"])
def test_watch_list_names_do_not_match_inside_other_words(text):
    assert "name" not in kinds(text, FAMILY)


def test_normalise_folds_what_a_reader_would_not_see():
    assert normalise("Y\u041e17\u200b 7LX") == "YO17 7LX"
    assert normalise("０３/０２/２０１９") == "03/02/2019"
    assert normalise("٠٣") == "03"
    assert normalise("TyIer") == "Tyler"
    assert normalise("D e a n  B r o w n") == "Dean Brown"
    assert normalise("abc\u202edef") == "abcdef"
    assert normalise("D.O.B.") == "D.O.B."  # three letters: an abbreviation, left alone


def test_strip_bidi_removes_only_direction_controls():
    assert strip_bidi("Child V\u202e41-6202-rr\u202c") == "Child V41-6202-rr"
    assert strip_bidi("café – ok") == "café – ok"


# --- §5.2 categories, on sentences written for this test -----------------------------------------------------

@pytest.mark.parametrize("text,kind", [
    ("Nana Brenda has her most weekends", "person"),
    ("step-father Keith Mellor attended", "person"),
    ("her boyfriend, Jordan, is 19", "person"),
    ("Mr Ahmed dropped her off", "person"),
    ("kids are Alfie (6) and Poppy (3)", "person"),
    ("the suspect, Karl, is 28", "person"),
    ("She's at Westfield Community Primary", "school"),
    ("Year 9 at Lady Lumley's School", "school"),
    ("attends st peter's primary", "school"),
    ("Child V attends Ravensworth C of E Primary", "school"),
    ("J S 03/02/2019", "dob"),
    ("dad is Craig Wilson, 31, unemployed", "person"),
    ("Mosaic no. 552 1934", "case_id"),
    ("Kirkbymoorside Medical Practice returned", "gp"),
    ("registered with the millbrook surgery", "gp"),
    ("occurrence ref 26-4432189", "crime_ref"),
    ("crime no. 14/99812/25", "crime_ref"),
    ("log 1123 of 4 March", "crime_ref"),
    ("Mosaic: 8823341", "case_id"),
    ("LCS ID 445566", "case_id"),
    ("ig: kai.w.07", "social"),
    ("@jordan_99 on snap", "social"),
    ("burns to his hands", "medical"),
    ("skull fracture found on CT", "medical"),
    ("post-mortem: cause of death not yet known", "medical"),
    ("he was bailed until March", "investigation"),
    ("interviewed under caution yesterday", "investigation"),
    ("police have charged the father", "investigation"),
    ("caravan 14 at the holiday park", "address"),
])
def test_context_categories(text, kind):
    assert kind in kinds(text)


# --- the review's own words and the bot's own output stay clean ----------------------------------------------

@pytest.mark.parametrize("text", [
    "rr-2026-014 / Child V", "Rapid review: Child V (rr-2026-014) due Tue 29 Dec 2026", "RRM booked for Tue 29 Dec 2026",
    "report link https://rr.example/r/abcd2345efgh6789mnopqrst", "token mfrggzdfmztwq2lknnwg23tp", "v3 hash 9f2c1a",
    "Practice Manager at the ICB is covering", "Child Protection conference was held", "Partner Agency returns are in",
    "the child's school submitted", "the nursery has sent a nil return", "3 of 7 returns in, WD 12 of 15",
    "mum didn't attend the CP conference", "dad's partner was not known to services", "thanks Mark, much appreciated",
    "Family Court hearings this week", "Child V's mum has asked for a copy", "meeting 14.01.27 at 10:30 in room 2",
    "Baby Q, aged 6 weeks", "Police: nil return", "police investigation - yes", "the GP practice has been asked",
    "Virtual School Head is aware", "Dr Patel (named GP) sends apologies", "CSPRP notified on 22/12/2026",
    "review period 01/01/2025 to 30/09/2026", "Teams ID 348 921 774 165 passcode Xk7mQ2", "AGREES",
    "ICB return received 11/12/2026 at 16:05", "Practice review recommended - LCSPR", "Health visitor return in",
])
def test_review_wording_and_bot_output_stay_clean(text):
    assert not scan(text, FAMILY), text


# --- speed -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["a " * 1024, "a." * 1024, " at " * 512, "nhs 1 " * 340, "DOB (" * 400,
                                  "Mr " * 680, "mum " * 512, "1 2 3 4 5 " * 200, "\u200b" * 2048, "St " * 680])
def test_no_catastrophic_backtracking_in_the_new_rules(text):
    samples = []
    for _ in range(3):
        start = time.perf_counter()
        scan(text, FAMILY)
        samples.append(time.perf_counter() - start)
    assert statistics.median(samples) < 0.05
