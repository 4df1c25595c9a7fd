"""Fact check of generated text against its source sentences: what the source does not support.

The verifier (`verify.py`) accepts copied text outright. Generated text (an LLM's sentence,
a system summary) is checked here piece by piece, with a reason for every piece the source
does not support:

- **number**: every figure must be in the source by normalised value and unit ("37bn" =
  "$37 billion", "7.1 per cent" = "7.1%"); other numbers as written; counts written as
  words ("two men") as their value;
- **quote**: words in quotation marks must be the source's own words, in prose quotes
  or in tokenised ones (``like this'', ` like this '; see `quoted.py`);
- **name** / **word**: every content word must occur in the source (case-insensitive, so
  lower-cased text is checked the same way; curly and straight apostrophes alike; plural,
  -ed, -ing and -ly endings stripped, "making" = "make"; irregular verb forms joined,
  "slept" = "sleep", see `lemmas.py`). A word written with a capital inside the sentence
  is reported as a name;
- **negation**: a sentence whose closest source sentence (by shared content words) has
  the opposite polarity ("did not approve" against "approved").

`assess` adds a decision: text has an error when it has an unsupported number, quote or
negation, or when more than MAX_ABSENT_SHARE of its content words are absent from the
source. A few absent content words are tolerated because faithful paraphrase uses them
("reported", "boosted"); an absent name or number is never a paraphrase, but in
lower-cased text a name cannot be told from a word, so the share rule covers both.

Pure functions, no model: the checks run on every generated sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from newsdesk.analyze.figures import extract_figures
from newsdesk.brief.lemmas import verb_base
from newsdesk.brief.quoted import unsupported_quoted
from newsdesk.brief.text import STOPWORDS
from newsdesk.brief.verify import (
    normalise,
    numbers,
    speaker_in,
    unsupported_figures,
)

Kind = Literal["number", "quote", "name", "word", "negation"]

# More than this share of a text's content words absent from the source is an error.
MAX_ABSENT_SHARE = 0.05
# A source sentence is the counterpart of a generated one (for polarity) when it holds at
# least this share of the generated sentence's content words.
ALIGN_SHARE = 0.6
# A negator governs the first content word at most this many words after it.
NEGATION_REACH = 3
# Placeholder tokens of sequence models ("UNK", "[UNK]") and the Penn Treebank names of
# brackets ("-LRB-" for "(", "-RSB-" for "]"): not words a source can hold.
PLACEHOLDERS = frozenset({"unk", "lrb", "rrb", "lsb", "rsb", "lcb", "rcb"})

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s+\.\s+")
_NEGATORS = frozenset(
    "not no never none nobody nothing neither nor without cannot n't".split()
)
_SPLIT_THOUSANDS = re.compile(r"(\d), (\d{3})\b")  # tokenised "50, 000"
_MEASURED = re.compile(
    r"[%$£€¥#]|\b(?:per ?cent|percent|bn|billion|million|trillion|thousand|m|k|tn)\b", re.I)
_SUFFIXES = ("ings", "ing", "edly", "ed", "es", "s", "ly")
# Endings that may have taken a final "e" with them ("making", "faced", "rises"), and the
# short stem they leave when they did: consonant, vowel, consonant other than w, x or y
# (Porter's condition for giving the "e" back: "mak", "fac", "ris"; not "employ").
_E_SUFFIXES = ("ings", "ing", "edly", "ed", "es")
_CVC = re.compile(r"[^aeiou][aeiou][^aeiouwxy]$")
_NUMBER_WORDS = {
    w: i for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}


@dataclass(frozen=True)
class Issue:
    """One piece of the text the source does not support, and why."""

    kind: Kind
    text: str
    reason: str


@dataclass(frozen=True)
class Assessment:
    """The issues of a text, the share of its content words absent from the source, and
    the decision `has_error` (see the module docstring)."""

    issues: list[Issue] = field(default_factory=list)
    content_words: int = 0
    absent_words: int = 0
    has_error: bool = False

    @property
    def absent_share(self) -> float:
        return self.absent_words / self.content_words if self.content_words else 0.0


def stem(word: str) -> str:
    """A light suffix strip: "reported" -> "report", "talks" -> "talk"; a final "e" goes
    too, so "approve" and "approved" meet at "approv"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def stem_forms(word: str) -> frozenset[str]:
    """The stem, and the stem with its "e" given back when an ending may have taken it:
    "making" -> {"mak", "make"}, "rises" -> {"ris", "rise"}. A four-letter word keeps
    its final "e" in `stem` ("make", "face", "rise": dropping it would join "care" and
    "car", "rate" and "rat"), so this is how its inflected forms meet it."""
    s = stem(word)
    if s != word and word.endswith(_E_SUFFIXES) and _CVC.search(s):
        return frozenset((s, s + "e"))
    return frozenset((s,))


def words(text: str) -> list[str]:
    """Word tokens, lower-cased, apostrophes unified, possessive "'s" dropped."""
    out = []
    for w in _WORD.findall(text.translate(_APOSTROPHES).lower()):
        if w.endswith("'s"):
            w = w[:-2]
        out.append(w)
    return out


def is_content(word: str) -> bool:
    """A word the source must hold: not a stopword, not a number (numbers are checked as
    figures)."""
    return (len(word) >= 3 and word not in STOPWORDS and word not in _NEGATORS
            and word not in PLACEHOLDERS and not any(c.isdigit() for c in word))


@dataclass(frozen=True)
class Source:
    """The source sentences, indexed once for many checks."""

    sentences: tuple[str, ...]
    text: str
    vocabulary: frozenset[str]
    stems: frozenset[str]
    sentence_stems: tuple[frozenset[str], ...]
    verb_bases: frozenset[str]  # irregular verbs of the source, as "take" for "took"

    @classmethod
    def of(cls, sentences: Sequence[str]) -> Source:
        return _source(tuple(sentences))

    def has(self, word: str) -> bool:
        if word in self.vocabulary or not self.stems.isdisjoint(stem_forms(word)):
            return True
        base = verb_base(word)
        return base is not None and base in self.verb_bases


@lru_cache(maxsize=256)
def _source(sentences: tuple[str, ...]) -> Source:
    per_sentence = [words(s) for s in sentences]
    vocabulary = frozenset(w for ws in per_sentence for w in ws)
    for ws in per_sentence:  # "U.S.-based" also gives "u", "s", "based"
        vocabulary |= {p for w in ws for p in w.split("'")}
    return Source(
        sentences=sentences,
        text=" ".join(sentences),
        vocabulary=vocabulary,
        stems=frozenset(f for w in vocabulary for f in stem_forms(w)),
        sentence_stems=tuple(frozenset(stem(w) for w in ws) for ws in per_sentence),
        verb_bases=frozenset(b for w in vocabulary if (b := verb_base(w)) is not None),
    )


def split_generated(text: str) -> list[str]:
    """Sentences of generated text, also in the tokenised " . " form of some systems."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip(" .")]


def is_negator(ws: Sequence[str], i: int) -> bool:
    """Whether word i negates: "not", "never", "didn't"...; but "no" before a number is
    the abbreviation of number ("No 2 under Johnston", "No. 10"), not a negation."""
    w = ws[i]
    if w == "no" and i + 1 < len(ws) and ws[i + 1][:1].isdigit():
        return False
    return w in _NEGATORS or w.endswith("n't")


def polarity(sentence_words: Sequence[str]) -> bool:
    """True when the sentence is negated an odd number of times."""
    count = sum(1 for i in range(len(sentence_words)) if is_negator(sentence_words, i))
    return count % 2 == 1


def _negated_words(ws: Sequence[str]) -> tuple[set[str], set[str]]:
    """(phrases a negator governs, phrases it does not), as stemmed content-word pairs.

    A negator governs the first content word within NEGATION_REACH words after it; the
    phrase is that word and the next content word (or the end): "did not approve the deal" ->
    ({"approve deal"}, set()). Pairs, not single words, so that "not the favourite
    team" does not clash with "the favourite baseball teams". Irregular verbs count as
    their base ("rose" as "rise"), or "did not rise" would never meet the "rose" it
    contradicts."""
    content: list[tuple[str, bool]] = []
    reach = 0
    for i, w in enumerate(ws):
        if is_negator(ws, i):
            reach = NEGATION_REACH
            continue
        if is_content(w):
            content.append((stem(verb_base(w) or w), reach > 0))  # "rose" meets "rise"
            reach = 0
        elif reach:
            reach -= 1
    negated: set[str] = set()
    plain: set[str] = set()
    for (w, neg), (nxt, _) in zip(content, [*content[1:], (".", False)], strict=True):
        (negated if neg else plain).add(f"{w} {nxt}")
    return negated, plain - negated


def negation_issue(sentence: str, source: Source) -> Issue | None:
    """A word negated in the sentence but affirmed in its closest source sentence, or the
    reverse ("did not approve" against "approved")."""
    ws = words(sentence)
    content = {stem(w) for w in ws if is_content(w)}
    if len(content) < 3 or not source.sentence_stems:
        return None
    best = max(range(len(source.sentences)),
               key=lambda i: len(content & source.sentence_stems[i]))
    if len(content & source.sentence_stems[best]) < ALIGN_SHARE * len(content):
        return None
    ours_neg, ours_plain = _negated_words(ws)
    theirs_neg, theirs_plain = _negated_words(words(source.sentences[best]))
    if flipped := sorted(ours_neg & theirs_plain - theirs_neg):
        return Issue("negation", sentence,
                     f"negates “{flipped[0]}”, affirmed in source sentence {best}")
    if flipped := sorted(theirs_neg & ours_plain - ours_neg):
        return Issue("negation", sentence,
                     f"affirms “{flipped[0]}”, negated in source sentence {best}")
    return None


def number_word_issues(text: str, source: Source) -> list[Issue]:
    """Counts written as words ("two men") must be in the source as word or digits."""
    out = []
    for w in words(text):
        value = _NUMBER_WORDS.get(w)
        if value is None or value < 2 or w in source.vocabulary:
            continue
        if not re.search(rf"(?<![\d.,]){value}(?![\d.,]*\d)", source.text):
            out.append(Issue("number", w, f"“{w}” ({value}) is not in the source"))
    return out


def _loosely_supported(written: str, source: Source) -> bool:
    """A figure without money, percent or scale ("17-year-old", "two teenagers", "4
    series") is supported when its numbers are in the source, as digits or as words;
    a vague amount ("dozens of") when its word is. Money, percentages and scaled amounts
    must match by value and unit."""
    if _MEASURED.search(written):
        return False
    values = [n.replace(",", "") for n in re.findall(r"\d+(?:[.,]\d+)*", written)]
    values += [str(_NUMBER_WORDS[w]) for w in words(written) if w in _NUMBER_WORDS]
    if not values:
        return any(w in source.vocabulary for w in words(written) if is_content(w))
    in_source = numbers(source.text) | {
        str(v) for w, v in _NUMBER_WORDS.items() if w in source.vocabulary}
    return all(v in in_source for v in values)


def check(text: str, sources: Sequence[str]) -> list[Issue]:
    """Every piece of `text` that `sources` does not support, with its reason."""
    return assess(text, sources).issues


def assess(text: str, sources: Sequence[str], max_absent: float = MAX_ABSENT_SHARE
           ) -> Assessment:
    """Issues of `text` against `sources`, and whether it has a factual error."""
    source = Source.of(sources)
    issues = [Issue("number", n, f"figure “{n}” is not in the source")
              for n in unsupported_figures(_SPLIT_THOUSANDS.sub(r"\1,\2", text), source.text)
              if not _loosely_supported(n, source)]
    issues += number_word_issues(text, source)
    issues += [Issue("quote", q, "quoted words are not the source's own")
               for q in unsupported_quoted(text, source.text)]
    content = absent = 0
    seen: set[str] = set()
    for sentence in split_generated(text):
        raw = _WORD.findall(sentence.translate(_APOSTROPHES))
        for i, token in enumerate(raw):
            w = token.lower()
            if w.endswith("'s"):
                w = w[:-2]
            if not is_content(w):
                continue
            content += 1
            if source.has(w):
                continue
            absent += 1
            if w in seen:
                continue
            seen.add(w)
            if i > 0 and token[:1].isupper():
                issues.append(Issue("name", token, f"name “{token}” is not in the source"))
            else:
                issues.append(Issue("word", w, f"“{w}” is not in the source"))
        if (neg := negation_issue(sentence, source)) is not None:
            issues.append(neg)
    hard = any(i.kind in ("number", "quote", "negation") for i in issues)
    has_error = hard or (content > 0 and absent / content > max_absent)
    return Assessment(issues=issues, content_words=content, absent_words=absent,
                      has_error=has_error)


def supported(text: str, sources: Sequence[str]) -> bool:
    """No factual error found: the verifier's test for a generated sentence."""
    return not assess(text, sources).has_error


# Reported speech in generated text: "Chen Mingyu said X", "X, Chen Mingyu said", "“X,”
# said Chen Mingyu", "according to Chen Mingyu, X" (a name of 1-4 capitalised words, with
# an appositive ", an economist," or "of the Yellow Sea Institute" before the verb).
_SPEECH = r"(?:said|says|told|added|warned|stated|noted|argued|explained|insisted|claimed)"
_NAME = r"(?<![\w'’-])[A-Z][\w'’-]++(?: [A-Z][\w'’-]++){0,3}"  # from word starts, no
# backtracking into a word: linear time (a 20,000-letter "word" took 13 s without)
_SPEAKER_FIRST = re.compile(
    rf"(?P<who>{_NAME})(?:,[^,]{{1,80}},| of (?:the )?{_NAME})? {_SPEECH}\b(?: that\b)?")
_SPEAKER_AFTER = re.compile(rf"\b{_SPEECH} (?P<who>{_NAME})")
_ACCORDING = re.compile(rf"\b(?i:according to)(?: the)? (?P<who>{_NAME}),?")
# Capitalised words that say nothing about who spoke ("He said", "The ..."): not checked.
_NOT_SPEAKERS = frozenset("he she they it we i you this that these those there the a an "
                          "his her their its".split())


def attribution(text: str) -> tuple[str, str] | None:
    """(speaker, the words given to them) when `text` reports speech, else None. The words
    are one side of the attribution, never both joined (that would make "cannot" govern
    the speaker's job title for the negation check)."""
    for pattern, words_first in ((_ACCORDING, True), (_SPEAKER_FIRST, False),
                                 (_SPEAKER_AFTER, True)):
        if m := pattern.search(text):
            first, second = (text[:m.start()], text[m.end():])[::1 if words_first else -1]
            return m["who"], first if any(is_content(w) for w in words(first)) else second
    return None


def misattribution(text: str, sources: Sequence[str]) -> str | None:
    """Why the words `text` gives a speaker are not theirs, None when they are (or when it
    reports no speech). A text citing one person's sentence and another's has both names
    and all the words in its evidence, so word checks pass a swapped quote: the words must
    be supported by the cited sentences that name the speaker."""
    found = attribution(text)
    if found is None:
        return None
    who, said = found
    if who.split()[0] in ("The", "A", "An"):  # "The Northern Rail Company said"
        who = who.split(" ", 1)[1] if " " in who else ""
    if not who or who.split()[0].lower() in _NOT_SPEAKERS or not any(
            is_content(w) for w in words(said)):
        return None
    naming = [s for s in sources if speaker_in(who, s)]
    if not naming:
        return f"speaker {who} is not named in the cited sentences"
    if len(naming) < len(sources) and not supported(said, naming):
        return f"the words given to {who} are not in a cited sentence naming {who}"
    return None


def misbound_figure(text: str, sources: Sequence[str]) -> str | None:
    """Why a figure of `text` is said of something the cited sentences holding it do not
    speak of; None when every figure's subject is theirs. A text citing two sentences can
    give the subject of one the figure of the other ("Western sanctions on Russian banks
    rose 12%", where 12% is rail freight's): every word and figure is in its evidence, so
    the word checks pass it. So at least half the content words of each figure's subject
    must be in the cited sentences that hold the figure."""
    if len(sources) < 2:
        return None
    for f in extract_figures([text]):
        subject = [w for w in words(f.subject or "") if is_content(w)]
        if f.role != "figure" or not subject:
            continue
        holding = [s for s in sources if not unsupported_figures(f.text, [s])]
        if not holding or len(holding) == len(sources):
            continue  # in none (the figure check says so) or in all: nothing to bind
        held = Source.of(holding)
        missing = [w for w in subject if not held.has(w)]
        if 2 * len(missing) > len(subject):
            return (f"figure {f.text} is given to “{f.subject}”, which the cited sentences "
                    f"holding it do not speak of")
    return None


def reason(text: str, sources: Sequence[str]) -> str | None:
    """None when `text` is supported, else why not, for a dropped sentence's report."""
    result = assess(text, sources)
    if not result.has_error:
        return None
    hard = [i.reason for i in result.issues if i.kind in ("number", "quote", "negation")]
    if hard:
        return "; ".join(hard)
    absent = ", ".join(i.text for i in result.issues if i.kind in ("name", "word"))
    return (f"{result.absent_words} of {result.content_words} content words are not in the "
            f"source: {absent}")


__all__ = ["Assessment", "Issue", "Source", "assess", "attribution", "check", "misattribution",
           "misbound_figure", "normalise", "reason", "supported"]
