"""Read text the way a person would, before the PII guard matches anything (RAPID_REVIEW.md §5.2).

A reader sees `YO17 7LX` whether it was typed with a Cyrillic О, full-width digits, zero-width spaces
between the letters or a hyphen for the space; the guard has to see the same thing. `normalise()` turns
every such spelling into one plain form:

- Unicode NFKC (full-width `０７７００` and `＠` become ASCII, ligatures and compatibility forms fold);
- format characters removed: zero-width space/joiner, word joiner, soft hyphen, BOM and the bidi
  embedding/override/isolate controls (all of Unicode category Cf);
- decimal digits of any script (Arabic-Indic `٠٣`, Devanagari …) become ASCII digits;
- Cyrillic and Greek letters that look like Latin ones fold to Latin (`Јаyden` → `Jayden`), and a
  capital I inside a lower-case word becomes l (`TyIer` → `Tyler`);
- look-alike slashes and dashes become `/` and `-`, curly quotes straight ones, every kind of space one
  space (line breaks stay, so a sentence boundary is still visible);
- a word spelled out letter by letter (`J.a.y.d.e.n`, `D e a n  B r o w n`, `0 7 7 0 0 …`) is joined up.

Why stdlib only: NFKC, category and digit data come from `unicodedata`. The confusable letters that matter
for English text are the few dozen Cyrillic and Greek capitals and small letters below; the full Unicode
confusables table (e.g. the `confusable-homoglyphs` package) would add a dependency and a data file to
fold a handful more symbols, and it maps many ordinary characters we must keep (digits to letters).
The result is used only for matching: nothing normalised is ever stored or shown.
"""
from __future__ import annotations

import re
import unicodedata

# Cyrillic and Greek letters that render like Latin ones in common fonts.
_CONFUSABLE = {
    # Cyrillic capitals
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K", "М": "M", "О": "O",
    "Р": "P", "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y", "Ү": "Y", "Ԁ": "D", "Ԍ": "G", "Ԛ": "Q", "Ԝ": "W",
    # Cyrillic small letters
    "а": "a", "в": "b", "с": "c", "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k", "м": "m", "н": "h",
    "о": "o", "р": "p", "ѕ": "s", "т": "t", "х": "x", "у": "y", "ү": "y", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "ӏ": "l", "ɡ": "g",
    # Greek capitals and small letters
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "α": "a", "ν": "v", "ρ": "p", "ι": "i", "κ": "k",
    "τ": "t", "υ": "u", "χ": "x",
}
_PUNCT = {
    # slashes and dashes that NFKC leaves alone
    "∕": "/", "⁄": "/", "╱": "/", "⧸": "/", "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-",
    "−": "-", "﹣": "-", "·": ".", "•": ".", "․": ".", "‧": ".",
    "’": "'", "‘": "'", "‛": "'", "′": "'", "ʼ": "'", "“": '"', "”": '"', "„": '"',
    "\t": " ", "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u3000": " ",
    "\r": "\n", "\u2028": "\n", "\u2029": "\n", "\x0b": "\n", "\x0c": "\n",
}
_TABLE: dict[int, str] = {ord(k): v for k, v in {**_CONFUSABLE, **_PUNCT}.items()}


def _build_slow_table() -> None:
    """Add every non-ASCII decimal digit and every format character (Cf) to the table once."""
    for cp in (*range(0x80, 0x1FC00), *range(0xE0000, 0xE0080)):  # where Nd and Cf live
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if cat == "Nd":
            _TABLE[cp] = str(unicodedata.decimal(ch))
        elif cat == "Cf":
            _TABLE[cp] = ""


_build_slow_table()

# Bidi controls are the ones that can reorder what a reader sees (U+202E shows "cba" for "abc").
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = {ord(c): None for c in BIDI_CONTROLS}

_CAPITAL_I_IN_WORD = re.compile(r"(?<=[a-z])I(?=[a-z])")
# Letters or digits one by one, separated by single spaces or dots: at least four, so "D.O.B" and
# "M.K." stay as they are. A double space between spelled-out words stays a word break.
_SPELLED_SPACED = re.compile(r"(?<![^\s(\[:])(?:[A-Za-z0-9] ){3,}[A-Za-z0-9](?![^\s)\],.:;!?'])")
_SPELLED_DOTTED = re.compile(r"(?<![\w.])(?:[A-Za-z]\.){3,}[A-Za-z](?![\w])")
_SPACES = re.compile(r"[ ]{2,}")


def strip_bidi(text: str) -> str:
    """Remove the bidi embedding/override/isolate controls (U+202E etc.) from text that reaches a report."""
    return text.translate(_BIDI) if text else text


def normalise(text: str) -> str:
    """One plain spelling of `text` for matching (see the module docstring)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_TABLE)
    if not text.isascii():
        # NFKC can produce characters the table folds (e.g. a full-width Cyrillic form); one more pass.
        text = text.translate(_TABLE)
    text = _CAPITAL_I_IN_WORD.sub("l", text)
    text = _SPELLED_SPACED.sub(lambda m: m.group().replace(" ", ""), text)
    text = _SPELLED_DOTTED.sub(lambda m: m.group().replace(".", ""), text)
    return _SPACES.sub(" ", text)
