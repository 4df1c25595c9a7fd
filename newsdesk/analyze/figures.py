"""Figures: every quantity in a sentence as a normalised, explained record.

"Chinese exports to Russia rose 12.5% in the first two months of 2024, eclipsing a
forecast of 1.9%" gives 12.5 percent (kind change, direction up, subject "Chinese
exports to Russia", period first two months of 2024) with the 1.9 percent forecast as
its baseline. Dates, years, times, ordinals, ages given as bare numbers and numbers in
names ("G7", "Boeing 737") are not figures. A number written without a unit is kept only
when its form says it is an amount (a decimal point, thousands separators, a scale word)
or when it is one end of "from X to Y", whose other end lends it its unit; the change is
then one figure, Y, with X as its `previous` baseline. Fractions of a group ("two-thirds
of sales") have the unit `fraction`; vague amounts ("tens of thousands of students") are
ranges of one order of magnitude.

Rules, not a model: they are fast (the ingest path budgets ~1 ms an article), and when
one is wrong a reader can see why. The unit and currency vocabulary is data
(`data/units.yaml`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from newsdesk.analyze.sentences import join_sentences, sentence_at
from newsdesk.config import packaged_data, read_yaml
from newsdesk.models import Baseline, Figure, Period, Span

WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100, "a hundred": 100, "a dozen": 12,
    "dozen": 12, "a thousand": 1000,
}
MONTHS = {
    m: i for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")], start=1)
    for m in names
}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3,
            "4th": 4}
PERCENT = "percent"
FRACTION = "fraction"  # a share of a group written as a fraction: value 0.5 for "half"
MAX_LINKED = 40

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_SCALE_WORDS = r"thousand|million|billion|trillion|mln|bln|bn|mn|tn|trn|crore|lakh"
_UP = (r"rose|rise|rises|rising|risen|increased?|increases|increasing|grew|grow|grows|"
       r"growing|grown|up|jump(?:ed|s|ing)?|surged?|surges|surging|climb(?:ed|s|ing)?|"
       r"gain(?:ed|s|ing)?|soar(?:ed|s|ing)?|higher|expand(?:ed|s|ing)?|advanced?|"
       r"rebound(?:ed|s)?|boost(?:ed|s)?|accelerated|added|widened|spiked|doubled|tripled|"
       r"skyrocket(?:ed|ing|s)?|rall(?:ied|ies|y)|raised|lifted|topped")
_DOWN = (r"fell|fall|falls|falling|fallen|declined?|declines|declining|drop(?:ped|s|ping)?|"
         r"dip(?:ped|s|ping)?|down|slump(?:ed|s|ing)?|slid|slides?|sliding|shrank|shrinks?|"
         r"shrinking|contract(?:ed|s|ing)|decreased?|decreases|decreasing|lower|"
         r"plunged?|plunges|plunging|tumbled?|tumbles|sank|sinks?|lost|loses|cut|halted|"
         r"halved|eased|eases|weakened|retreated|narrowed|slowed|dwindled|"
         r"plummet(?:ed|ing|s)?|crash(?:ed|ing)?|collapsed|slashed|reduced|lowered|shed")
_UP_RE = re.compile(rf"\b(?:{_UP})\b", re.I)
_DOWN_RE = re.compile(rf"\b(?:{_DOWN})\b", re.I)
_AFTER_DIR = re.compile(
    r"\s*(?:(?:year[- ]on[- ]year|year[- ]over[- ]year|on the year|annually)\s+)?"
    r"(?P<w>increase|rise|jump|gain|surge|growth|climb|higher|rally|more|"
    r"decrease|decline|drop|fall|dip|slump|slide|lower|contraction|plunge|loss|cut|less)\b",
    re.I,
)
_APPROX = re.compile(
    r"\b(?:about|around|roughly|nearly|almost|approximately|approx\.|some|an estimated|"
    r"estimated|close to|circa|just under|just over|upwards of)\s*$|~\s*$", re.I)
_MORE = re.compile(r"\b(?:more than|over(?: than)?|above|at least|exceeding|in excess of|"
                   r"upwards of|greater than|higher than|beyond)\s*$", re.I)
_LESS = re.compile(r"\b(?:less than|under|below|fewer than|up to|at most|no more than|"
                   r"lower than|as little as)\s*$", re.I)
_SHARE = re.compile(r"\b(?:share|stake|proportion|accounted for|accounting for|"
                    r"percent of|% of|portion|owned)\b", re.I)
_LEVEL_VERB = re.compile(
    r"\b(?:is|was|were|are|reached|hit|hits|totall?ed|totals|stood at|stands at|"
    r"amounted to|came to|came in at|was worth|valued at)\b", re.I)
_TIME_AFTER = re.compile(r"^(?::\d|\s?(?:a\.m\.|p\.m\.|am\b|pm\b|GMT|UTC|[ECMP][SD]T\b|h\b))")
_ORDINAL_AFTER = re.compile(r"^(?:st|nd|rd|th)\b")
_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTH_WORDS})\.?\s*$", re.I)
_MONTH_AFTER = re.compile(rf"^\s*(?:{_MONTH_WORDS})\b", re.I)
_COUNT_NOUN = re.compile(r"\s(?P<noun>[a-z][a-z]+(?:-[a-z]+)?)\b")
_NOT_COUNT = frozenset(
    """
    of to in and or the a an per from by at on for with than as is was were are be been
    said says percent times time more less other others years year months month days day
    such which that who this these those its their his her old so if but not also
    up down over under about into onto after before since until while when where what
    am pm a.m p.m out off all each both any across through between among against without
    within via around behind toward towards like near they we it he she you i them us me
    him her or nor yet
    """.split()
)
_CLAUSE_BREAK = re.compile(r"(?:[,;:(]\s|\s[-–—]\s|\b(?:while|whereas|but|as|after|"
                           r"when|although|though|because|which|and then)\s)", re.I)
_SUBJECT_TRIM = re.compile(r"^(?:the|a|an|its|their|his|her|this|that|these|those|"
                           r"meanwhile|however|overall|also|and|but|so)\s+", re.I)
_LEADING_TIME = re.compile(
    r"^(?:(?:last|this|next)\s+(?:year|month|week|quarter)|in\s+(?:19|20)\d\d|"
    r"(?:on|in)\s+\w+day|meanwhile|overall|separately)\s*,?\s*", re.I)
_PRONOUNS = frozenset({"it", "they", "this", "that", "which", "these", "those", "he", "she",
                       "we", "there"})
_FORECAST_CUE = re.compile(
    r"\b(?P<src>(?:[A-Z][\w&.'-]*\s){0,3})?(?P<w>poll|survey|consensus|forecasts?|"
    r"forecasters|expectations?|estimates?|projections?|predictions?|expected|"
    r"predicted|projected|pencil(?:l)?ed in|had expected|anticipated)\b[^.;]{0,40}$")
_PREVIOUS_CUE = re.compile(
    r"\b(?P<w>from|compared with|compared to|versus|vs\.?|against|than|up from|above|below|"
    r"down from|after)\s+(?:an?\s+|the\s+)?(?:(?!(?:and|or|but|while|with)\b)[\w-]+\s+){0,2}$",
    re.I)
_ECONOMISTS = re.compile(r"\b(economists|analysts|traders|markets?)\b", re.I)


# --- unit vocabulary ----------------------------------------------------------------------


@dataclass(frozen=True)
class Units:
    symbol_re: re.Pattern[str]          # currency symbols/codes before a number
    symbols: dict[str, str]             # symbol -> currency code
    after_re: re.Pattern[str]           # unit or currency word right after a number
    after_ci: dict[str, tuple[str, float, str | None]]  # lower form -> (unit, scale, ccy)
    after_cs: dict[str, tuple[str, float, str | None]]  # exact abbr -> (unit, scale, ccy)
    word_num_re: re.Pattern[str]        # "five-year", "two percent"
    scales: dict[str, float]
    garbled: frozenset[str] = frozenset()  # "PS" for £: only before an unambiguous amount


def _alt(forms: list[str]) -> str:
    return "|".join(re.escape(f) for f in sorted(set(forms), key=len, reverse=True))


def load_units(path: Path | None = None) -> Units:
    data = read_yaml(path or packaged_data("units.yaml"), "units")
    after_ci: dict[str, tuple[str, float, str | None]] = {}
    after_cs: dict[str, tuple[str, float, str | None]] = {}
    for form in data["percent"]["forms"] + data["percent"]["symbols"]:
        after_ci[form.lower()] = (PERCENT, 1.0, None)
    for unit in data["units"]:
        scale = float(unit.get("scale", 1.0))
        for form in unit.get("forms", []):
            after_ci.setdefault(form.lower(), (unit["name"], scale, None))
        for abbr in unit.get("abbr", []):
            after_cs.setdefault(
                abbr, (unit["name"], float(unit.get("scale_abbr", {}).get(abbr, 1.0)), None)
            )
    symbols: dict[str, str] = {}
    garbled: set[str] = set()
    for ccy in data["currencies"]:
        for sym in ccy.get("symbols", []) + ccy.get("garbled", []):
            symbols[sym] = ccy["code"]
        garbled.update(ccy.get("garbled", []))
        for word in ccy.get("words", []):
            after_ci.setdefault(word.lower(), (ccy["code"], 1.0, ccy["code"]))
        # The ISO code after an amount, as written ("110 JPY"; not "try" or "won").
        after_cs.setdefault(ccy["code"], (ccy["code"], 1.0, ccy["code"]))
    ci_forms = [f for f in after_ci if f != "%"]
    after_re = re.compile(
        rf"(?:(?P<pct>\s?%)|[\s-]?(?P<ci>(?i:{_alt(ci_forms)}))(?![\w])|"
        rf"[\s-]?(?P<cs>{_alt(list(after_cs))})(?![\w]))"
    )
    symbol_re = re.compile(rf"(?:{_alt(list(symbols))})\s?$")
    word_num_re = re.compile(
        rf"\b(?P<w>{_alt(list(WORD_NUMBERS))})(?=[\s-](?i:{_alt(ci_forms)})\b)", re.I
    )
    scales = {k.lower(): float(v) for k, v in data["scales"].items()}
    return Units(symbol_re, symbols, after_re, after_ci, after_cs, word_num_re, scales,
                 frozenset(garbled))


@lru_cache(maxsize=2)
def default_units() -> Units:
    return load_units()


# --- extraction ---------------------------------------------------------------------------

_P_SLASH = re.compile(r"^[/.]\d")
_P_YEAR = re.compile(r"1[89]\d\d|20\d\d")
_P_BY = re.compile(r"\bby\s+$")
_P_CAPBEFORE = re.compile(r"([A-Z][\w&]*)\s$")
_P_UPTO = re.compile(r"\bup\s+to\b", re.I)
_P_CLAUSE = re.compile(r"[,;:]|\band\b|\bwhile\b")
_P_DIGIT = re.compile(r"\d")
_P_CONVERSION = re.compile(r"\s*[(/]\s*|\s*\(\s*[^()\d]{0,12}")
_P_ELLIPSIS = re.compile(r",\s+(?:and\s+)?(?:[A-Z][\w&.'-]*\s+){1,4}by\s+")
_P_MINUS = re.compile(r"\bminus[\s-]$", re.I)
_P_SIGN_WORD = re.compile(r"\b(?:minus|sub|over|under|near)-$", re.I)
_P_LATER = re.compile(r"\s(?:earlier|ago|before|later|previously)\b")
_P_TO_LEVEL = re.compile(
    r"\b(?:to|at)\s+(?:[$€£¥]\s?)?(?:about\s|around\s|roughly\s|nearly\s|almost\s|just\s|"
    r"only\s|some\s|a\s+record\s|a\s+new\s+\w+\s|an\s+estimated\s)?$", re.I)
_MONEY_CONTEXT = re.compile(
    r"£|\b(?:sterling|GBP|paid|pay|pays|cost|costs|price[sd]?|worth|fees?|salary|wages?|"
    r"budget|spent|spend|bill|fined?|sold|bought|raised|revenue|profit|loss|tax|rent|"
    r"funding|fund|invest(?:ed|ment)?)\b", re.I)
_CAPS_UNIT = re.compile(
    r"\s?(?P<u>[A-Z][A-Za-z]{0,3}[A-Z](?:/[A-Za-z]+\d?)?|[A-Z]/[a-z]+\d?)(?![\w=-])"
    r"(?!\s+(?!(?:to|and|or|of|in|on|at|per|for|from|with|than|by)\b)[a-z])")
_NOT_UNITS = frozenset("AM PM GMT UTC BST CET CEST EST EDT CST CDT MST MDT PST PDT ET PT ZIP "
                       "US UK EU UN USA NATO".split())
_PER_TIME = re.compile(r"\s(?:per|a|an|each)\s(?P<t>century|decade|year|month|week|day|hour|"
                       r"minute|second)\b", re.I)
_P_NOUN_OF = re.compile(
    r"(?:^|\s)(?P<n>[a-z][a-z-]+(?:\s[a-z][a-z-]+)?)\s+of\s+(?:only\s|just\s|about\s|around\s|"
    r"some\s|nearly\s|almost\s|roughly\s)?(?:[$€£¥]\s?)?$")
_NOT_SUBJECT_NOUNS = frozenset(
    "record total sum amount value figure average high low level rate peak tally number "
    "height depth length part share most all some one each none any".split())
_P_LEAD_VERB = re.compile(
    r"\s(?:has|have|had|is|are|was|were|will|would|could|can|may|might|rose|fell|grew|"
    r"expanded|shrank|jumped|reached|hit|climbed|dropped|declined|increased|decreased)\b")
_VERSION_BEFORE = re.compile(r"(?:\b(?:version|release|v)\s?|[A-Z][\w-]*[a-z][\w-]*\s)$")
_P_RELATIVE = re.compile(r"(?<=\w)\s+(?:that|which|who)\s.*$")
_P_AUX_END = re.compile(r"\s+(?:has|have|had|was|were|is|are|will|would|could|also|"
                        r"reportedly)(?:\s+(?:still|also|already|now|just|only|reportedly|"
                        r"then))?$")
_NUMBER_RE = re.compile(
    rf"(?P<num>{_NUM})(?:\s?(?P<scale>(?i:(?:hundred\s)?(?:{_SCALE_WORDS})|hundred))\b|"
    rf"(?P<short>[kmbKMB]n?)\b)?"
)
_RANGE_RE = re.compile(
    rf"\s?(?:-|–|to|and|or)\s?(?P<sym>(?:[^\w\s]|[A-Z]){{0,3}}\s?)"
    rf"(?P<num>{_NUM}|(?P<word>(?i:{'|'.join(w for w in WORD_NUMBERS if ' ' not in w)}))\b)")
_WORD_SCALE = re.compile(r"\s(?P<s>(?:hundred\s)?(?:thousand|million|billion|trillion)|hundred)\b",
                         re.I)
_DURATIONS = frozenset({"year", "month", "week", "day", "hour", "minute", "decade"})
_ADJECTIVE_AFTER = re.compile(r"\s+[A-Za-z$€£]")


@dataclass
class _Raw:
    start: int
    end: int
    value: float
    value_high: float | None
    unit: str | None
    currency: str | None
    counted: bool = False
    scale: float = 1.0  # the scale word's multiplier ("billion"), 1.0 when none

    @property
    def scaled(self) -> bool:
        return self.scale != 1.0


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _scale(units: Units, scale: str | None, short: str | None, money: bool) -> float | None:
    if scale:
        factor = 1.0
        for word in scale.lower().split():
            factor *= 100.0 if word == "hundred" else units.scales.get(word, 1.0)
        return factor
    if short:
        if not money and not short.isupper():
            return None  # "5m" without a currency is metres or a model name; "4.3M" is not
        return units.scales.get(short.lower(), 1.0)
    return 1.0


def _excluded(
    sentence: str, start: int, end: int, num: str, has_unit: bool, counted: bool = False,
    symbol: bool = False,
) -> bool:
    """Dates, years, times, ordinals and numbers inside names are not figures."""
    before = sentence[max(0, start - 12):start]
    after = sentence[end:end + 8]
    if symbol:
        return False  # "$US55,931,000": the letters before are the currency
    if start > 0 and (sentence[start - 1].isalpha() or sentence[start - 1] in "#/"):
        return True  # "G7", "#3", "24/7"
    if start > 0 and sentence[start - 1] == ":" and sentence[start - 2:start - 1].isdigit():
        return True  # "10:27"
    if start > 1 and sentence[start - 1] in "-.−" and sentence[start - 2].isalnum() and not (
            _P_SIGN_WORD.search(before)):
        return True  # "Covid-19", "F-35", "v2.0"; not "minus-5", "sub-7"
    if sentence[max(0, start - 1):start] in ("×", "^", "−") or re.search(
        r"\b[A-Z]{2,}\s[-−–]$", before
    ):
        return True  # "10−30", "COVID -19"
    if _ORDINAL_AFTER.match(after) or _TIME_AFTER.match(after):
        return True
    if _P_SLASH.match(after):
        return True  # "9/11", "1.2.3"
    if has_unit:
        return False
    if _MONTH_BEFORE.search(before) or _MONTH_AFTER.match(after):
        return True  # "July 4", "4 July"
    if _P_YEAR.fullmatch(num):
        return True  # a year
    # Five or more digits with no separator and no unit: a code, not an amount.
    return not counted and len(num) >= 5 and num.isdigit()


def _singular(noun: str) -> str:
    if noun.endswith("ies") and len(noun) > 4:
        return noun[:-3] + "y"
    if noun.endswith(("ruses", "buses", "nuses", "sses", "shes", "ches", "xes")):
        return noun[:-2]
    if noun.endswith("s") and not noun.endswith(("ss", "us", "is")) and len(noun) > 3:
        return noun[:-1]
    return noun


_PER_UNIT = re.compile(
    r"\s?(?:U\.?S\.?\s)?(?:(?P<per>per|/)\s?|(?P<a>a|an)\s)"
    r"(?P<w>[A-Za-z][\w-]*(?:\s(?:foot|feet|metre|meter|mile|kilometre|kilometer|m|ft|km)\b)?)"
)
_PER_A_OK = frozenset({"year", "month", "week", "day", "hour", "share", "barrel", "tonne", "ton",
                       "gallon", "litre", "liter", "head", "person", "unit", "kilogram", "kg",
                       "ounce", "pound"})
_PLURAL_IRREGULAR = {"people": "people", "men": "man", "women": "woman", "children": "child",
                     "feet": "foot", "mice": "mouse", "teeth": "tooth"}
# No leading \b: a pattern that starts with a word lets the regex engine skip ahead by
# first letter; the left word boundary is checked by the caller.
_NUMBER_WORDS = tuple(sorted((w for w in WORD_NUMBERS if " " not in w), key=len, reverse=True))
_WORD_NUM_RE = re.compile(rf"(?P<w>{'|'.join(_NUMBER_WORDS)})\b", re.I)
_NOUN_WORD = re.compile(r"\s(?P<w>[A-Za-z][a-z]+(?:-[a-z]+)*|[A-Z]{2,4})\b")


def _count_phrase(
    sentence: str, pos: int, value: float, names: bool = True
) -> tuple[str, int] | None:
    """The counted noun after a number: '14 first-team players' -> ('player', end).

    Up to three lower-case words; the head is the first plural one (or, for one of
    something, the first word). None when nothing there reads as a counted noun."""
    words: list[tuple[str, int]] = []
    at = pos
    of = None
    if value == 1:
        of = re.compile(r"\sof\sthe(?:ir|se)?").match(sentence, at)
        if of:
            at = of.end()
    for _ in range(3):
        m = _NOUN_WORD.match(sentence, at)
        if not m or m.group("w").lower() in _NOT_COUNT:
            break
        if not words and not names and not m.group("w").islower():
            return None  # "737 Max jets", "3 Series": a number in a product name
        words.append((m.group("w"), m.end()))
        at = m.end()
    if value == 1 and words and not of:
        # "one proposal asks": the noun right after "one"; "One Direction" is a name.
        return words[0] if words[0][0].islower() else None
    for w, end in words:
        if w.isupper():
            continue  # "four FA Cup finals": an acronym qualifies the noun
        if w in _PLURAL_IRREGULAR:
            return _PLURAL_IRREGULAR[w], end
        if w.endswith("s") and not w.endswith(("ss", "us", "is", "ous")) and len(w) > 3:
            return _singular(w), end
        if w.endswith("men") and len(w) > 4:
            return w[:-3] + "man", end
    if value == 1 and words and words[0][0].islower():
        return words[0][0], words[0][1]
    return None


def _read(sentence: str, m: re.Match[str], units: Units, in_range: bool = False) -> _Raw | None:
    """The quantity starting at number match `m`, its unit possibly None (bare)."""
    start, num = m.start("num"), m.group("num")
    sym = units.symbol_re.search(sentence, max(0, start - 6), start - (1 if sentence[
        start - 1:start] == "-" and start > 1 and sentence[start - 2] in "$€£¥" else 0))
    if sym and sym.group(0).strip() in units.garbled and not (
            "," in num or "." in num or m.group("scale") or m.group("short")):
        sym = None  # "PS4" is a console, "PS4.5bn" is £4.5bn
    currency = units.symbols[sym.group(0).strip()] if sym else None
    signed = start > 0 and sentence[start - 1] in "-−–"
    negative = (signed and not in_range and (start == 1 or sentence[start - 2] in " ($")
                ) or bool(_P_MINUS.search(sentence[max(0, start - 6):start]))
    scale = _scale(units, m.group("scale"), m.group("short"), currency is not None)
    end = m.end() if scale is not None else m.end("num")
    value = _number(num) * (scale or 1.0) * (-1 if negative else 1)
    unit: str | None = None
    counted = False
    um = units.after_re.match(sentence, end)
    if um:
        if um.group("pct"):
            unit = PERCENT
        elif um.group("ci"):
            unit, mult, ccy = units.after_ci[um.group("ci").lower()]
            if (ccy == "GBP" and not currency and not m.group("scale")
                    and um.group("ci").lower().startswith("pound")
                    and not _MONEY_CONTEXT.search(sentence)):
                unit, ccy = "pound-mass", None  # "dropping from 208 pounds": a weight
            value *= mult
            currency = currency or ccy
        else:
            unit, mult, ccy = units.after_cs[um.group("cs")]
            value *= mult
            currency = currency or ccy  # "110 JPY", "60,000INR"
        end = um.end()
    if currency:
        if unit not in (None, currency, PERCENT):
            unit = f"{currency} per {unit}"
        elif unit is None or unit == currency:
            unit = currency
            pm = _PER_UNIT.match(sentence, end)
            later = _P_LATER.match(sentence, pm.end()) if pm else None
            if pm and not later and (pm.group("per") or pm.group("w").lower() in _PER_A_OK):
                word = pm.group("w").lower()
                known = units.after_ci.get(word)
                per = known[0] if known and known[2] is None else _singular(word)
                unit, end = f"{currency} per {per}", pm.end()
    if unit is not None and unit != PERCENT and not currency:
        tm = _PER_TIME.match(sentence, end)
        if tm:
            unit, end = f"{unit} per {tm.group('t').lower()}", tm.end()  # "11 feet per century"
    whole = "." not in num or m.group("scale") is not None
    if unit is None and not _capitalised_before(sentence, start):
        phrase = _count_phrase(sentence, end, value,
                               names="," in num or m.group("scale") is not None)
        if phrase is not None and (whole or phrase[0] != sentence[end:phrase[1]].strip()):
            unit, end = phrase  # decimals count only plural nouns: "3.7 rebounds"
            counted = True
            tm = _PER_TIME.match(sentence, end)
            if tm:
                unit, end = f"{unit} per {tm.group('t').lower()}", tm.end()
    if unit is None and not currency:
        cm = _CAPS_UNIT.match(sentence, end)
        if cm and cm.group("u") not in units.symbols and cm.group("u") not in _NOT_UNITS:
            unit, end = cm.group("u"), cm.end()  # "0.5 WAR", "1.3 A/cm2": a unit we lack
    if unit is None and "." in num and _VERSION_BEFORE.search(sentence, max(0, start - 24), start):
        return None  # "Minetest 0.4", "version 2.1": a release, not an amount
    q_start = sym.start() if sym else (start - 1 if negative and signed else start)
    raw = _Raw(q_start, end, value, None, unit, currency, counted, scale or 1.0)
    if not in_range and _excluded(sentence, start, m.end("num"), num,
                                  unit is not None and not counted, counted, sym is not None):
        return None
    if counted and _P_YEAR.fullmatch(num):
        return None  # "the 2022 invasion"
    return raw


def _extend_range(sentence: str, q: _Raw, units: Units) -> _Raw:
    """'$750,000 to $1 million', '15 to 22 miles per hour', '5-10W': one ranged figure."""
    if q.unit is not None and _P_BY.search(sentence[max(0, q.start - 6):q.start]):
        return q  # "increased by $43.6 billion to $419.2 billion": a change, then a level
    rm = _RANGE_RE.match(sentence, q.end)
    if rm is None or q.counted:
        return q
    if rm.group(0).strip().startswith("and") and not re.search(
        r"\bbetween\s+\S*$", sentence[max(0, q.start - 12):q.start]
    ):
        return q
    if rm.group("word"):
        y = _read_word(sentence, rm.start("num"), units)
        y_scale = 1.0
    else:
        m2 = _NUMBER_RE.match(sentence, rm.start("num"))
        if m2 is None:
            return q
        y = _read(sentence, m2, units, in_range=True)
        y_scale = _scale_of(sentence, m2, units)
    if y is None or y.counted or (y.currency or None) != (q.currency or None) and not (
            q.unit is None and q.currency is None):
        return q
    if q.unit is None:
        if y.unit is None:
            return q
        unit = y.unit
        low = q.value * y_scale
        if y.currency:
            # "33-35 billion euros"
            return _Raw(q.start, y.end, low, y.value, unit, y.currency, scale=y.scale)
    elif y.unit == q.unit or (y.unit is None and rm.group(0).strip()[:1] in "-–"):
        unit, low = q.unit, q.value
        if q.currency and not q.scaled and y.scaled and q.value * y.scale <= y.value:
            low = q.value * y.scale  # "$89 to $93 billion"
    elif q.currency and y.unit and y.unit.startswith(f"{q.currency} per "):
        unit, low = y.unit, q.value  # "$62 and $68 per share"
    else:
        return q
    return _Raw(q.start, y.end, low, y.value, unit, q.currency, scale=y.scale)


def _scale_of(sentence: str, m: re.Match[str], units: Units) -> float:
    """'1 to 2 million': the scale written after the second number applies to both."""
    s = _scale(units, m.group("scale"), m.group("short"), True)
    return s or 1.0


def _raw_quantities(sentence: str, units: Units) -> list[_Raw]:
    lowered = sentence.lower()
    found: list[_Raw] = []
    taken_until = -1
    for m in _NUMBER_RE.finditer(sentence):
        if m.start("num") < taken_until:
            continue
        q = _read(sentence, m, units)
        if q is None:
            continue
        q = _extend_range(sentence, q, units)
        if q.start == 0 and q.counted and q.value != 1:
            continue
        found.append(q)
        taken_until = q.end
    starts = sorted(
        at for w in _NUMBER_WORDS if w in lowered
        for at in _occurrences(lowered, w)
        if not (at and lowered[at - 1].isalnum())
    )
    for extra in _fractions(sentence, lowered) + _vague_amounts(sentence, lowered, units):
        found = [r for r in found if not extra.start <= r.start < extra.end]
        found.append(extra)
    for at in starts:
        if any(r.start <= at < r.end for r in found):
            continue
        raw = _read_word(sentence, at, units)
        if raw is None:
            continue
        if raw.unit is None:
            raw = _extend_range(sentence, raw, units)  # "seven to 10 years"
            if raw.unit is None:
                continue
        elif not raw.counted:
            raw = _extend_range(sentence, raw, units)  # "five per cent to 20 per cent"
        found = [r for r in found if not raw.start <= r.start < raw.end]
        found.append(raw)
    found.sort(key=lambda r: r.start)
    return _settle_bare(sentence, found)


_P_FROM = re.compile(r"\bfrom\s+(?:up\s+to\s+|about\s+|around\s+|roughly\s+|nearly\s+)?$",
                     re.I)
_P_FROM_TO = re.compile(
    r"(?:\s[^,;()]{0,40}?)?\s+to\s+(?:about\s+|around\s+|roughly\s+|nearly\s+)?", re.I)


_P_OF_THE = re.compile(r"\s+of\s+(?:the|its|their|his|her)\s+(?:\w+\s+)?")


def _from_to(sentence: str, a: tuple[int, int], b: tuple[int, int]) -> int | None:
    """Where "from" starts when `a` and `b` read "from A ... to B", else None."""
    m = _P_FROM.search(sentence, max(0, a[0] - 20), a[0])
    if m and _P_FROM_TO.fullmatch(sentence, a[1], b[0]):
        return m.start()
    return None


def _settle_bare(sentence: str, raws: list[_Raw]) -> list[_Raw]:
    """Keep a number written without a unit only where it reads as an amount.

    "from 208 pounds to 193" and "from 24.2 to 33 billion euros": the bare end of a
    from-to takes the unit (and scale) of the other end. Otherwise a bare number is kept
    when its form says it is an amount rather than a label: a scale word ("280 million"),
    a decimal point ("rose 8% to 3.65") or thousands separators ("estimates of 64,900").
    """
    out: list[_Raw] = []
    for i, r in enumerate(raws):
        if r.unit is not None:
            out.append(r)
            continue
        prev = raws[i - 1] if i else None
        nxt = raws[i + 1] if i + 1 < len(raws) else None
        written = sentence[r.start:r.end]
        if prev is not None and _from_to(sentence, (prev.start, prev.end), (r.start, r.end)) \
                is not None:
            if prev.unit is not None and not prev.counted:
                r.unit, r.currency = prev.unit, prev.currency
        elif nxt is not None and _from_to(sentence, (r.start, r.end), (nxt.start, nxt.end)) \
                is not None:
            if nxt.unit is not None and not nxt.counted:
                r.unit, r.currency = nxt.unit, nxt.currency
                if nxt.scaled and not r.scaled:
                    r.value *= nxt.scale
        elif nxt is not None and nxt.unit is not None and not nxt.counted and _P_OF_THE.fullmatch(
                sentence, r.end, nxt.start):
            r.unit, r.currency = nxt.unit, nxt.currency  # "280 million of the 1.5 billion shekels"
        elif not (r.scaled or "." in written or "," in written):
            continue
        out.append(r)
    return out


_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
                 "fifth": 5, "fifths": 5, "tenth": 10, "tenths": 10}
_FRACTION = re.compile(
    r"\b(?:(?P<n>an?|one|two|three|four|nine)[\s-](?P<d>half|thirds?|quarters?|fifths?|tenths?)"
    r"|(?<!first )(?<!second )(?<!the )(?P<half>half))\s+of\b"
    r"|\b(?P<a>one|two|three|four|\d{1,2})\s+(?:out\s+of|in)\s+(?:every\s+)?"
    r"(?P<b>two|three|four|five|six|seven|eight|nine|ten|\d{1,3})\s+(?=[A-Za-z])", re.I)
_VAGUE = re.compile(
    r"\b(?:(?P<mult>tens|hundreds)\s+of\s+)?(?P<w>dozens|hundreds|thousands|millions|billions)"
    r"\s+of\b", re.I)
_VAGUE_BASE = {"dozens": 12.0, "hundreds": 100.0, "thousands": 1e3, "millions": 1e6,
               "billions": 1e9}


def _fractions(sentence: str, lowered: str) -> list[_Raw]:
    """"two-thirds of sales", "half of which", "one in five Americans": shares of a group."""
    if not (any(w in lowered for w in _FRACTION_WORDS) or (
            " in " in lowered and _IN_EVERY.search(lowered))):
        return []
    out = []
    for m in _FRACTION.finditer(sentence):
        if m.group("a"):
            a, b = m.group("a").lower(), m.group("b").lower()
            top = float(WORD_NUMBERS.get(a) or a)
            bottom = float(WORD_NUMBERS.get(b) or b)
            if not 0 < top < bottom:
                continue
            value, end = top / bottom, m.end("b")
        elif m.group("half"):
            value, end = 0.5, m.end("half")
        else:
            n = m.group("n").lower()
            top = 1.0 if n in ("a", "an") else float(WORD_NUMBERS[n])
            value, end = top / _DENOMINATORS[m.group("d").lower()], m.end("d")
            if value >= 1:
                continue
        out.append(_Raw(m.start(), end, value, None, FRACTION, None))
    return out


def _vague_amounts(sentence: str, lowered: str, units: Units) -> list[_Raw]:
    """"tens of thousands of students": a range of one order of magnitude."""
    if "s of " not in lowered or not any(f"{w} of" in lowered for w in _VAGUE_BASE):
        return []
    out = []
    for m in _VAGUE.finditer(sentence):
        low = _VAGUE_BASE[m.group("w").lower()]
        if m.group("mult"):
            low *= 10.0 if m.group("mult").lower() == "tens" else 100.0
        um = units.after_re.match(sentence, m.end())
        if um and um.group("ci"):
            unit, mult, ccy = units.after_ci[um.group("ci").lower()]
            out.append(_Raw(m.start(), um.end(), low * mult, low * mult * 10, unit, ccy))
            continue
        phrase = _count_phrase(sentence, m.end(), 2.0)
        if phrase is not None:
            out.append(_Raw(m.start(), phrase[1], low, low * 10, phrase[0], None, True))
    return out


def _read_word(sentence: str, at: int, units: Units) -> _Raw | None:
    """The quantity a number word starts at `at`: "three thousand tests per day",
    "five per cent", "two new jets"; unit None when only a range can give it one."""
    m = _WORD_NUM_RE.match(sentence, at)
    if m is None or (at and sentence[at - 1].isalnum()):
        return None  # inside a word: "money", "often"
    value = float(WORD_NUMBERS[m.group("w").lower()])
    end, scale = m.end(), 1.0
    sm = _WORD_SCALE.match(sentence, end)
    if sm:
        for word in sm.group("s").lower().split():
            scale *= 100.0 if word == "hundred" else units.scales[word]
        value, end = value * scale, sm.end()
    um = units.after_re.match(sentence, end)
    if um and um.group("ci"):
        unit, mult, ccy = units.after_ci[um.group("ci").lower()]
        if unit in _DURATIONS and sentence[end:end + 1] == "-" and _ADJECTIVE_AFTER.match(
                sentence, um.end()):
            return None  # "a five-year plan": a description, not a quantity
        return _Raw(at, um.end(), value * mult, None, unit, ccy, scale=scale)
    if _word_number_idiom(sentence, m):
        return None
    phrase = _count_phrase(sentence, end, value)
    if phrase is None:
        return _Raw(at, end, value, None, None, None, scale=scale)
    unit, end = phrase
    tm = _PER_TIME.match(sentence, end)
    if tm:
        unit, end = f"{unit} per {tm.group('t').lower()}", tm.end()
    return _Raw(at, end, value, None, unit, None, True, scale)


def _occurrences(text: str, word: str) -> list[int]:
    out, at = [], text.find(word)
    while at != -1:
        out.append(at)
        at = text.find(word, at + 1)
    return out


def _word_number_idiom(sentence: str, m: re.Match[str]) -> bool:
    """'one another', 'no one', 'one day' are not counts."""
    before = sentence[max(0, m.start() - 6):m.start()].lower()
    return m.group("w").lower() == "one" and (
        before.endswith(("no ", "any", "every")) or re.match(r"\s(?:another|day|time|way)\b",
                                                             sentence[m.end():]) is not None
    )


_OPENERS = frozenset(
    "in on about some over nearly the only just around almost roughly by at for with from of "
    "to up and but all another exactly more less fewer than".split()
)


def _capitalised_before(sentence: str, start: int) -> bool:
    """'Boeing 737 jets', 'S&P 500 companies': a number that is part of a name."""
    m = _P_CAPBEFORE.search(sentence[max(0, start - 20):start])
    return m is not None and m.group(1).lower() not in _OPENERS


def _direction(sentence: str, raw: _Raw) -> str:
    before = sentence[max(0, raw.start - 40):raw.start]
    if before.endswith("+"):
        return "up"
    if _P_TO_LEVEL.search(before):
        return "none"  # "rose to $7.36 billion": the new level, the change is elsewhere
    before = _P_UPTO.sub(" ", before)  # "up to" is a bound
    tail = _P_CLAUSE.split(before)[-1]
    words = tail.split()[-4:]
    window = " ".join(words)
    ups = [m.end() for m in _UP_RE.finditer(window)]
    downs = [m.end() for m in _DOWN_RE.finditer(window)]
    if ups or downs:
        last_up, last_down = max(ups, default=-1), max(downs, default=-1)
        return "up" if last_up > last_down else "down"
    after = _AFTER_DIR.match(sentence, raw.end)
    if after:
        return "up" if _UP_RE.match(after.group("w")) or after.group("w").lower() in (
            "increase", "rise", "jump", "gain", "surge", "growth", "climb", "higher", "rally",
            "more",
        ) else "down"
    return "none"


def _qualifier(sentence: str, raw: _Raw) -> str:
    before = sentence[max(0, raw.start - 30):raw.start]
    if _MORE.search(before):
        return "more_than"
    if _LESS.search(before):
        return "less_than"
    if _APPROX.search(before):
        return "approximate"
    if before.lower().endswith("sub-"):
        return "less_than"  # "sub-7 nanometer chips"
    return "exact"


def _subject(sentence: str, raw: _Raw, previous: str | None = None) -> str | None:
    """The noun phrase before the verb that governs the figure, in the same clause.

    "it"/"they" take the subject of the sentence before ("Bilateral commerce has grown.
    Last year it hit $240 billion."); with no verb, "growth of only 1.9%" gives "growth".
    """
    offset = max(0, raw.start - 160)
    before = sentence[offset:raw.start]
    verb = None
    near = max(0, len(before) - 70)  # the verb is at most ~40 characters before the figure
    for m in _UP_RE.finditer(before, near):
        verb = m
    for m in _DOWN_RE.finditer(before, near):
        if verb is None or m.start() > verb.start():
            verb = m
    for lv in _LEVEL_VERB.finditer(before, near):
        if verb is None or lv.start() > verb.end():
            verb = lv
    if verb is None or len(before) - verb.end() > 40:
        of = _P_NOUN_OF.search(before)
        if of is None:
            return _share_of(sentence, raw)
        words = of.group("n").split()
        if len(words) == 2 and words[0].lower() in _NOT_COUNT:
            words = words[1:]  # "in growth of" -> "growth"
        noun = " ".join(words)
        return None if noun.lower() in _NOT_SUBJECT_NOUNS or noun in _NOT_COUNT else noun
    head = before[:verb.start()]
    cut = 0
    for m in _CLAUSE_BREAK.finditer(head):
        cut = m.end()
    phrase = _clean_subject(head[cut:])
    if phrase is not None and phrase.lower() in _PRONOUNS:
        return _lead_subject(previous) if previous and phrase.lower() in ("it", "they") else None
    return phrase


# "more than 95% of bilateral payments already use roubles": a share names its whole
# after "of"; the noun phrase runs until a verb, a preposition or punctuation.
_P_SHARE_OF = re.compile(r"\s+of\s+(?:the\s+|all\s+|its\s+|their\s+)?(?P<np>[^,;:.()]{2,80})")
_NP_STOP = frozenset(
    """
    is are was were be been has have had will would could can may might must should do does
    did already now still also that which who whose whom to in on at from by for with as than
    into over under since after before during while and or but if when where because
    went came rose fell grew hit reached made took gave got saw showed paid held kept left
    sold bought spent won lost use uses go goes come comes remain remains
    """.split())


# A second predicate of the same subject between two figures: "... $245 billion in 2024
# before falling 9.1%", "..., rising 5%", "and then dropping 2%".
_P_SAME_SUBJECT = re.compile(
    r"(?:(?:\b(?:before|after|then|while)|,)\s+(?:then\s+)?[a-z]+ing\s+(?:by\s+|to\s+)?"
    r"|,\s+(?:an?\s+)?(?:[a-z]+\s+)?(?:decline|decrease|drop|fall|rise|increase|gain|jump|"
    r"slump|surge|contraction|expansion)\s+of\s+)"  # ", a decline of 9.1%"
    r"(?:some\s+|about\s+|around\s+|roughly\s+|nearly\s+|almost\s+|more\s+than\s+)?"
    r"(?:[$€£¥]\s?)?$")


def _share_of(sentence: str, raw: _Raw) -> str | None:
    if raw.unit not in ("percent", FRACTION):
        return None
    m = _P_SHARE_OF.match(sentence, raw.end)
    if m is None:
        return None
    words: list[str] = []
    for word in m.group("np").split():
        if word.lower() in _NP_STOP or word[:1].isdigit() or (
                words and word.lower().endswith(("ed", "ing")) and word[:1].islower()):
            break
        words.append(word)
        if len(words) == 6:
            break
    return _clean_subject(" ".join(words)) if words else None


def _clean_subject(phrase: str) -> str | None:
    phrase = phrase.strip(" ,;:\"“”'")
    phrase = _LEADING_TIME.sub("", phrase)
    for _ in range(3):
        phrase = _SUBJECT_TRIM.sub("", phrase)
    phrase = _P_AUX_END.sub("", phrase)
    phrase = _P_RELATIVE.sub("", phrase)  # "key interest rate that only recently came"
    words = phrase.split()
    if not words or len(words) > 10 or phrase.lower() in ("a", "an", "the"):
        return None
    if _P_DIGIT.search(phrase) and len(words) <= 2:
        return None
    return phrase


def _lead_subject(sentence: str) -> str | None:
    """The subject a sentence opens with: the words before its first verb."""
    verb = _P_LEAD_VERB.search(sentence, 0, 120)
    if verb is None:
        return None
    phrase = _clean_subject(sentence[:verb.start()])
    if phrase is None or phrase.lower() in _PRONOUNS or len(phrase.split()) > 6 or (
            _CLAUSE_BREAK.search(phrase)):
        return None
    return phrase


# --- periods ------------------------------------------------------------------------------

_PERIOD_RE = re.compile(
    r"\b(?:(?P<firstn>(?:the\s+)?first\s+(?P<n>two|three|four|five|six|seven|eight|nine|"
    r"ten|eleven|\d{1,2})\s+months(?:\s+of\s+(?:(?P<ny>(?:19|20)\d\d)|the\s+year|this\s+year|"
    r"last\s+year))?)"
    r"|(?P<quarter>(?:the\s+)?(?P<q>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter"
    r"(?:\s+of\s+(?P<qy>(?:19|20)\d\d))?)"
    r"|(?P<qshort>Q(?P<qs>[1-4])\s+(?P<qsy>(?:19|20)\d\d))"
    r"|(?P<halfp>(?:the\s+)?(?P<h>first|second)\s+half(?:\s+of\s+(?P<hy>(?:19|20)\d\d))?)"
    r"|(?P<months>(?P<m1>January|February|March|April|May|June|July|August|September|"
    r"October|November|December)(?:\s+(?:and|to|through)\s+(?P<m2>January|February|March|"
    r"April|May|June|July|August|September|October|November|December))?"
    r"(?:\s+\d{1,2}(?:st|nd|rd|th)?\b)?(?:,?\s+(?P<my>(?:19|20)\d\d))?)"
    r"|(?P<rel>(?i:last|this|next)\s+year(?!\w)|(?i:last)\s+year|this\s+year|next\s+year|a\s+year\s+earlier|the\s+previous\s+year|"
    r"the\s+year\s+before|last\s+month|this\s+month|the\s+previous\s+month)"
    r"|(?:in|for|during|of|since|by)\s+(?P<year>(?:19|20)\d\d)(?!\d))"
)
_N_WORDS = {w: n for w, n in WORD_NUMBERS.items() if 2 <= n <= 11 and " " not in w}


def _period_of(m: re.Match[str], published: datetime | None) -> Period:
    text = m.group(0).strip()
    year = published.year if published else None
    if m.group("firstn"):
        n = m.group("n")
        ny = m.group("ny")
        y = int(ny) if ny else (year - 1 if year and "last year" in text else year)
        return Period(text=text, year=y, months=_N_WORDS.get(n) or int(n))
    if m.group("quarter") or m.group("qshort"):
        q = ORDINALS.get((m.group("q") or "").lower()) or int(m.group("qs") or 0) or None
        qy = m.group("qy") or m.group("qsy")
        return Period(text=text, year=int(qy) if qy else year, quarter=q)
    if m.group("halfp"):
        h = 1 if m.group("h").lower() == "first" else 2
        return Period(text=text, year=int(m.group("hy")) if m.group("hy") else year, half=h)
    if m.group("months"):
        month = MONTHS[m.group("m1").lower()]
        if m.group("my"):
            y = int(m.group("my"))
        elif published and year is not None:
            y = year if month <= published.month else year - 1
        else:
            y = None
        months = None
        if m.group("m2"):
            months = MONTHS[m.group("m2").lower()] - month + 1
        return Period(text=text, year=y, month=month, months=months)
    if m.group("rel"):
        rel = " ".join(m.group("rel").lower().split())
        if "month" in rel:
            if published is None:
                return Period(text=text)
            back = 0 if rel == "this month" else 1
            mm, yy = published.month - back, published.year
            if mm == 0:
                mm, yy = 12, yy - 1
            return Period(text=text, year=yy, month=mm)
        offset = {"this year": 0, "next year": 1}.get(rel, -1)
        return Period(text=text, year=year + offset if year is not None else None)
    return Period(text=text, year=int(m.group("year")))


# "up 2.2% from a year earlier", "than the year before": what a change is measured
# against, not the time the figure covers.
# "from the same period last year" too.
_BASELINE_TIME = re.compile(r"(?:a\s+year\s+(?:earlier|ago|before)|the\s+(?:previous|prior)\s+"
                            r"year|the\s+year\s+before|last\s+year)$", re.IGNORECASE)
_BASELINE_BEFORE = re.compile(
    r"\b(?:from|than|over|on|versus|vs\.?|against|with)\s+(?:the\s+same\s+(?:period|month|"
    r"months|quarter|half|time|week|weeks|day)\s+(?:of\s+)?)?$", re.IGNORECASE)


def _periods(sentence: str, published: datetime | None) -> list[tuple[int, int, Period]]:
    return [(m.start(), m.end(), _period_of(m, published))
            for m in _PERIOD_RE.finditer(sentence)
            if not (_BASELINE_TIME.search(m.group(0))
                    and _BASELINE_BEFORE.search(sentence, max(0, m.start() - 40), m.start()))]


# "over the same two months", "in the same period": the time the article stated just
# before. Not "the same period last year" or "the same month a year earlier": those name
# a year-ago comparison, left unresolved.
_SAME_PERIOD = re.compile(
    r"\bthe\s+same\s+(?:(?P<n>two|three|four|five|six|seven|eight|nine|ten|eleven|\d{1,2})"
    r"\s+months|(?P<unit>period|quarter|half|month|year))\b"
    r"(?!\s+(?:a\s+year|last\s+year|the\s+(?:previous|prior)\s+year|(?:of|in)\s+"
    r"(?:(?:19|20)\d\d|last\s+year|the\s+(?:previous|prior)\s+year)))",
    re.IGNORECASE,
)


def _span_months(period: Period) -> int | None:
    if period.months:
        return period.months
    if period.month:
        return 1
    if period.quarter:
        return 3
    if period.half:
        return 6
    return 12 if period.year else None


def _same_periods(
    same: list[re.Match[str]], periods: list[tuple[int, int, Period]], carried: Period | None
) -> list[tuple[int, int, Period]]:
    """The sentence's "the same two months" resolved to the period they point back to:
    the last one stated earlier in the sentence, else the one carried over from the
    article's previous figures; kept only when the lengths agree ("the same two
    months" after "January and February", not after "the first quarter")."""
    out: list[tuple[int, int, Period]] = []
    for m in same:
        before = [p for _, end, p in periods if end <= m.start()]
        antecedent = before[-1] if before else carried
        if antecedent is None:
            continue
        n, unit = m.group("n"), (m.group("unit") or "").lower()
        span = _span_months(antecedent)
        if n:
            fits = span == (_N_WORDS.get(n.lower()) or int(n))
        else:
            fits = unit == "period" or span == {"month": 1, "quarter": 3, "half": 6,
                                                "year": 12}[unit]
        if fits:
            out.append((m.start(), m.end(), antecedent.model_copy(
                update={"text": f"{m.group(0)} ({antecedent.text})"})))
    return out


# ", and large stocks of unsold cars shipped in 2024": after a figure, a comma and a
# conjunction open the next item, whose period is its own. (Before a figure they do
# not: "rose 5% in May, while imports fell 3%" is May for both.)
_NEXT_ITEM = re.compile(r",\s+(?:and|but|while|whereas|with)\s")


def _nearest_period(
    sentence: str, raw: _Raw, periods: list[tuple[int, int, Period]]
) -> Period | None:
    best: Period | None = None
    best_d = 1e9
    for start, end, period in periods:
        if start < raw.end and end > raw.start:
            continue  # the period is the figure itself ("2024")
        d = start - raw.end if start >= raw.end else (raw.start - end) * 1.5
        between = sentence[raw.end:start] if start >= raw.end else sentence[end:raw.start]
        if start >= raw.end and (";" in between or _NEXT_ITEM.search(between)):
            continue  # the period of the next item or clause, not this figure's
        if "," in between:
            d += 60  # another clause
        if d < best_d and d < 140:
            best, best_d = period, d
    return best


# --- the stage ----------------------------------------------------------------------------


def _kind(sentence: str, raw: _Raw, direction: str) -> str:
    if raw.counted or raw.unit == "people":
        return "count"
    if raw.unit == FRACTION:
        return "share"
    around = sentence[max(0, raw.start - 40):raw.end + 25]
    if raw.unit == PERCENT and _SHARE.search(around) and direction == "none":
        return "share"
    if direction != "none" and raw.unit in (PERCENT, "percentage point", "basis point",
                                             "point"):
        before = sentence[max(0, raw.start - 24):raw.start].lower()
        to_level = re.search(r"\bto\s+(?:about\s+|around\s+|roughly\s+|nearly\s+|almost\s+|"
                             r"some\s+|an estimated\s+)?$", before)
        return "level" if to_level else "change"
    if direction != "none" and _P_BY.search(sentence[max(0, raw.start - 8):raw.start]):
        return "change"
    return "level"


def _baseline(sentence: str, prev: Figure, raw: _Raw, text: str) -> Baseline | None:
    """Is `raw` what `prev` is compared with? Then the baseline record, else None."""
    between = sentence[prev.span.end:raw.start]
    if len(between) > 90 or prev.unit != raw.unit:
        return None
    fc = _FORECAST_CUE.search(between)
    if fc:
        src = (fc.group("src") or "").strip()
        word = fc.group("w").lower()
        if not src:
            eco = _ECONOMISTS.search(between) or _ECONOMISTS.search(sentence[:prev.span.start])
            src = eco.group(1) if eco else ""
        elif word in ("poll", "survey", "consensus"):
            src = f"{src} {word}"
        span_text = sentence[prev.span.end + fc.start():raw.end].strip()
        return Baseline(kind="forecast", value=raw.value, value_high=raw.value_high,
                        unit=raw.unit, source=src or None, text=span_text)
    pc = _PREVIOUS_CUE.search(between)
    if pc:
        previous = pc.group("w").lower() in ("from", "up from", "down from", "after")
        return Baseline(kind="previous" if previous else "comparison", value=raw.value,
                        value_high=raw.value_high, unit=raw.unit,
                        text=sentence[prev.span.end + pc.start():raw.end].strip())
    return None


def extract_figures(
    sentences: list[str], published: datetime | None = None, units: Units | None = None
) -> list[Figure]:
    """Every figure of every sentence, in reading order."""
    units = units or default_units()
    joined, starts = join_sentences(sentences)
    # Only sentences that can hold a quantity: a digit, or a number word. A substring
    # test per number word is far cheaper than a regex over the text.
    hits = {sentence_at(starts, m.start()) for m in _DIGIT.finditer(joined)}
    lowered = joined.lower()
    for word in _NUMBER_WORDS + _AMOUNT_WORDS:
        hits.update(sentence_at(starts, at) for at in _occurrences(lowered, word))
    candidates = sorted(hits)
    out: list[Figure] = []
    carried: Period | None = None  # the period of the latest figure that stated one
    anaphora = "the same" in lowered  # only then can a period be pointed back to
    for i in candidates:
        found = sentence_figures(sentences[i], i, published, units,
                                 sentences[i - 1] if i else None, carried)
        out.extend(found)
        if found:
            carried = next((f.period for f in reversed(found) if f.period), carried)
        elif anaphora and (spans := [
                p for _, _, p in _periods(sentences[i], published)
                if p.months or p.quarter or p.half]):
            # "fell by roughly half in the first seven months" states no figure we keep,
            # but the next sentence's "over the same period" means those months.
            carried = spans[-1]
    return out


_DIGIT = re.compile(r"\d")
# Fractions and vague amounts need no digit or number word: "a third of", "dozens of".
_AMOUNT_WORDS = ("half", "third", "quarter", "fifth", "tenth", "dozens", "hundreds",
                 "thousands", "millions", "billions")
_FRACTION_WORDS = ("half", "third", "quarter", "fifth", "tenth", "out of")
_IN_EVERY = re.compile(r" in (?:every )?(?:\d|two|three|four|five|six|seven|eight|nine|ten)\b")
_P_CONVERSION = re.compile(r"\s*[(/]\s*|\s*\(\s*[^()\d]{0,12}")
_P_ELLIPSIS = re.compile(r",\s+(?:and\s+)?(?:[A-Z][\w&.'-]*\s+){1,4}by\s+")


def sentence_figures(
    sentence: str, index: int, published: datetime | None, units: Units,
    previous: str | None = None, carried: Period | None = None,
) -> list[Figure]:
    """The figures of one sentence; `carried` is the period the article's figures stated
    last, which "the same two months" here may point back to."""
    raws = _raw_quantities(sentence, units)
    if not raws:
        return []
    # A pasted table or transcript can hold thousands of numbers in one "sentence":
    # periods are then left out rather than matched pairwise (quadratic).
    periods = _periods(sentence, published) if len(raws) <= MAX_LINKED else []
    if "same" in sentence and len(raws) <= MAX_LINKED:
        same = list(_SAME_PERIOD.finditer(sentence))
        if same:  # "the same two months": a period, never a quantity of months
            raws = [r for r in raws if not any(
                m.start() <= r.start and r.end <= m.end() for m in same)]
            periods = sorted(periods + _same_periods(same, periods, carried),
                             key=lambda p: p[0])
    # "the first two months" is a period, not a quantity of months.
    raws = [r for r in raws if not any(
        start <= r.start and r.end <= end for start, end, _ in periods
    )]
    figures: list[Figure] = []
    for raw in raws:
        direction = _direction(sentence, raw)
        qualifier = _qualifier(sentence, raw)
        if figures:
            prev = figures[-1]
            if _P_CONVERSION.fullmatch(sentence[prev.span.end:raw.start]):
                # "7.5 million crowns (US $1.1 million)": the same amount in another unit.
                direction, qualifier = prev.direction, prev.qualifier
            elif direction == "none" and prev.direction != "none" and _P_ELLIPSIS.fullmatch(
                    sentence[prev.span.end:raw.start]):
                direction = prev.direction  # "were down 2.3%, Burlington by 2.6%"
        text = sentence[raw.start:raw.end].strip()
        subject = _subject(sentence, raw, previous)
        if figures and figures[-1].subject and (
                subject is None or figures[-1].text in subject) and _P_SAME_SUBJECT.search(
                sentence, figures[-1].span.end, raw.start):
            subject = figures[-1].subject  # "reached $245 billion before falling 9.1%"
        figure = Figure(
            text=text, value=raw.value, value_high=raw.value_high, unit=raw.unit,
            currency=raw.currency, kind=_kind(sentence, raw, direction),  # type: ignore[arg-type]
            direction=direction,  # type: ignore[arg-type]
            qualifier=qualifier,  # type: ignore[arg-type]
            subject=subject,
            period=_nearest_period(sentence, raw, periods),
            span=Span(sentence=index, start=raw.start, end=raw.end),
        )
        last = figures[-1] if figures else None
        origin = None if last is None else _from_to(
            sentence, (last.span.start, last.span.end), (raw.start, raw.end))
        if last is not None and origin is not None and last.role == "figure":
            # "fell from $75 to $45.88": $45.88 is the figure, $75 what it was before.
            figures[-1] = last.model_copy(update={"role": "baseline", "direction": "none"})
            if raw.currency and raw.unit == raw.currency and (last.unit or "").startswith(
                    f"{raw.currency} per "):
                figure = figure.model_copy(update={"unit": last.unit})
            figure = figure.model_copy(update={
                "baseline": Baseline(kind="previous", value=last.value,
                                     value_high=last.value_high, unit=last.unit,
                                     text=sentence[origin:raw.end].strip()),
                "direction": last.direction if figure.direction == "none" else figure.direction,
                "subject": figure.subject or last.subject,
            })
            figures.append(figure)
            continue
        for prev in reversed(figures):
            if prev.role == "figure" and prev.baseline is None:
                base = _baseline(sentence, prev, raw, text)
                if base is not None:
                    figures[figures.index(prev)] = prev.model_copy(update={"baseline": base})
                    figure = figure.model_copy(update={
                        "role": "baseline", "subject": prev.subject, "direction": "none",
                        "kind": prev.kind if prev.kind != "change" else "change",
                    })
                break
        figures.append(figure)
    return figures
