"""The verifier: no source, no sentence.

Every sentence of a brief is checked against the source sentences it cites:
- it must cite sentences that exist;
- copied text (summary, background, bullets) must be found in its cited sentences after
  normalising case, quotes and spacing, i.e. copied or minimally trimmed (by words: a
  fragment cutting a word is not a trim);
- every figure in it must be in the cited sentences, compared by normalised value and
  unit ("$37bn" = "$37 billion"), and every other number as written;
- words it puts in quotation marks must be the source's own words;
- every country or bloc it names must be named (by any alias) in the cited sentences,
  and every multi-word proper name (a person, an organisation) must appear there too.
A sentence that fails is dropped and the drop is listed in the brief's report. The facts
engine "llm" (issue 5) relies on exactly these checks for generated text.

Text a language model wrote (`CitedSentence.generated`, engine "llm") is composed text and
is also checked word by word by `factcheck.reason`: a content word its cited sentences do
not hold ("lifted" where the source never says so), or a flipped negation, drops it; and
words it gives a speaker ("Li said X") must be in the cited sentences naming that speaker
(`factcheck.misattribution`), not merely somewhere in its evidence.

Insight bullets may be composed (`CitedSentence.composed`): they are then checked piece by
piece, like generated text. A quote must be the words of its cited sentences, its
speaker must be named there (in full or by surname), and so must the role shown with it.
Risks are copied evidence sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from newsdesk.analyze.figures import extract_figures
from newsdesk.analyze.places import Gazetteer
from newsdesk.models import (
    Brief,
    BriefQuote,
    Citation,
    CitedSentence,
    Drop,
    Insight,
    Risk,
    VerificationReport,
)

Lookup = Callable[[Citation], str | None]

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "«": '"', "»": '"'})
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@lru_cache(maxsize=16384)
def normalise(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip().casefold()


@lru_cache(maxsize=16384)
def numbers(text: str) -> frozenset[str]:
    return frozenset(n.replace(",", "") for n in _NUMBER.findall(text))


def check(
    sentence: CitedSentence, lookup: Lookup, gazetteer: Gazetteer, copied: bool
) -> str | None:
    """None when the sentence is supported, else the reason it is not."""
    cited: list[str] = []
    for c in sentence.citations:
        text = lookup(c)
        if text is None:
            return f"cites sentence {c.sentence} of article {c.article_id}, which does not exist"
        cited.append(text)
    evidence = " ".join(cited)
    if not any(ch.isalnum() for ch in sentence.text):
        return "has no words"  # "..." is found in any evidence, and says nothing
    if sentence.generated:
        from newsdesk.brief.factcheck import is_content, words

        if not any(is_content(w) for w in words(sentence.text)):
            return "says nothing: no word of content"  # "the", "y": found anywhere
    if contains_words(normalise(sentence.text).rstrip("."), normalise(evidence)):
        return None  # copied or trimmed: every figure, quote and name is the source's own
    if copied:
        return "text is not found in the cited sentences"
    if missing := unsupported_figures(sentence.text, cited):
        return f"figure(s) {', '.join(missing)} not in the cited sentences"
    if missing := unsupported_quotes(sentence.text, evidence):
        return f"quoted words “{missing[0]}” not in the cited sentences"
    if (said := _ATTRIBUTED.match(sentence.text)) and not speaker_in(
            said.group("who").split(",")[0], evidence):
        return f"speaker {said.group('who').split(',')[0]} is not named in the cited sentences"
    named = gazetteer.names_in(sentence.text)
    unsupported = named - gazetteer.names_in(evidence) if named else frozenset()
    if unsupported:
        return f"names {', '.join(sorted(unsupported))}, absent from the cited sentences"
    if missing := unsupported_names(sentence.text, evidence):
        return f"names {', '.join(missing)}, absent from the cited sentences"
    if sentence.generated:
        from newsdesk.brief.factcheck import (  # they build on this module
            misattribution,
            misbound_figure,
            reason,
        )

        return (misattribution(sentence.text, cited) or misbound_figure(sentence.text, cited)
                or reason(sentence.text, cited))
    return None


def contains_words(text: str, evidence: str) -> bool:
    """`text` occurs in `evidence` beginning and ending on word boundaries: trimmed by
    words, not letters ("il freight between China and Rus" is no trim of "Rail freight
    between China and Russia")."""
    if not text:
        return True
    check_before, check_after = _is_word(text[0]), _is_word(text[-1])
    at = evidence.find(text)
    while at >= 0:  # each occurrence: no regex compiled per sentence (briefs check many)
        end = at + len(text)
        if not (check_before and at and _is_word(evidence[at - 1])) and not (
                check_after and end < len(evidence) and _is_word(evidence[end])):
            return True
        at = evidence.find(text, at + 1)
    return False


def _is_word(ch: str) -> bool:
    """A character of a word, as the regex class \\w has it."""
    return ch.isalnum() or ch == "_"


@lru_cache(maxsize=16384)
def _figures(text: str) -> tuple[tuple[float, float | None, str | None, str], ...]:
    return tuple((f.value, f.value_high, f.unit, f.text) for f in extract_figures([text]))


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= max(1e-9, 0.005 * max(abs(a), abs(b)))


def unsupported_figures(text: str, evidence: str | Sequence[str]) -> list[str]:
    """Figures of `text` whose value (and unit, when both state one) is not in `evidence`
    (a text, or the cited sentences one by one: their figures are then read from a cache,
    since the same source sentences back many brief sentences).

    Values are compared normalised, so "$37bn" is supported by "$37 billion" and "7.1
    per cent" by "7.1%"; numbers that are not figures (years, dates) must appear as
    written."""
    ours = _figures(text)
    if not ours:  # nothing to look for (most composed sentences: questions, quotes)
        theirs: tuple[tuple[float, float | None, str | None, str], ...] = ()
    elif isinstance(evidence, str):
        theirs = _figures(evidence)
    else:
        theirs = tuple(f for part in evidence for f in _figures(part))
    if not isinstance(evidence, str):
        evidence = " ".join(evidence)
    missing = []
    for value, high, unit, written in ours:
        if not any(
            _same(value, v) and (high is None or (h is not None and _same(high, h)))
            and (unit is None or u is None or unit == u)
            for v, h, u, _ in theirs
        ):
            missing.append(written)
    covered = " ".join(w for *_, w in ours)
    loose = numbers(text) - numbers(covered) - numbers(evidence)
    return missing + sorted(loose)


# "Speaker, role: “words”" or "Speaker: words", as composed quote bullets read.
_ATTRIBUTED = re.compile(r"^(?P<who>[A-Z][^:“”\"]{1,150}): ")
_QUOTED = re.compile(r"[“\"]([^“”\"]{3,})[”\"]")


def unsupported_quotes(text: str, evidence: str) -> list[str]:
    """Words a sentence puts in quotation marks must be the source's own words."""
    source = normalise(evidence)
    return [q for q in _QUOTED.findall(text) if normalise(q).strip(" ,.") not in source]


_CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?"
                          r"(?: [A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?){1,3}(?![\w'’-])")
_FUNCTION_WORDS = frozenset("The A An In On At By For From To Of And But What Who How Why "
                            "Which When Where Is Are Was Were Will Would Could Should".split())


def unsupported_names(text: str, evidence: str) -> list[str]:
    """Multi-word proper names ("Chen Mingyu", "Yellow Sea Institute") must appear in the
    evidence: this catches an invented source and a quote given to the wrong person."""
    missing = []
    for m in _CAPITALISED.finditer(text):
        words = [w for w in m.group(0).split() if w not in _FUNCTION_WORDS]
        if len(words) < 2:
            continue
        name = " ".join(words)
        if name not in evidence and words[-1] not in evidence:
            missing.append(name)
    return missing


_NAME_WORD = re.compile(r"[\w'’-]+")


@lru_cache(maxsize=4096)
def _name_patterns(speaker: str) -> tuple[str, re.Pattern[str], str | None]:
    name = normalise(speaker)
    parts = name.split()
    whole = re.compile(rf"(?<![\w'-]){re.escape(name)}(?![\w'-])")
    return name, whole, parts[-1] if len(parts) >= 2 else None


def speaker_in(speaker: str, evidence: str) -> bool:
    """True when `evidence` names the speaker: in full ("Chen Mingyu", "analysts"), or by
    the last word of a name of two or more words ("Chen Mingyu" -> "Mingyu" as a word)."""
    name, whole, last = _name_patterns(speaker)
    if not name:
        return False
    text = normalise(evidence)
    if name in text and whole.search(text):
        return True
    return last is not None and last in text and last in _NAME_WORD.findall(text)


def check_quote(quote: BriefQuote, lookup: Lookup) -> str | None:
    """None when the quote is its cited sentences' words and their speaker, else why not."""
    cited: list[str] = []
    for c in quote.citations:
        text = lookup(c)
        if text is None:
            return f"cites sentence {c.sentence} of article {c.article_id}, which does not exist"
        cited.append(text)
    evidence = " ".join(cited)
    words = normalise(quote.text).strip(" ,.;:")
    if not words or words not in normalise(evidence):
        return "quoted words are not in the cited sentences"
    if quote.speaker is not None and not speaker_in(quote.speaker, evidence):
        return f"speaker {quote.speaker} is not named in the cited sentences"
    if quote.speaker_role and normalise(quote.speaker_role) not in normalise(evidence):
        return f"role “{quote.speaker_role}” is not in the cited sentences"
    return None


def verify_brief(brief: Brief, lookup: Lookup, gazetteer: Gazetteer) -> Brief:
    """A copy of the brief keeping only supported sentences, with the report filled in."""
    report = VerificationReport()

    def keep(section: str, sentences: list[CitedSentence], copied: bool) -> list[CitedSentence]:
        kept = []
        for s in sentences:
            report.checked += 1
            reason = check(s, lookup, gazetteer, copied)
            if reason is None:
                report.passed += 1
                kept.append(s)
            else:
                report.dropped.append(Drop(section=section, text=s.text, reason=reason))
        return kept

    key_figures = []
    for kf in brief.key_figures:
        report.checked += 1
        cited = lookup(kf.citation)
        if cited is not None and kf.figure.text in cited:
            report.passed += 1
            key_figures.append(kf)
        else:
            report.dropped.append(Drop(section="key figure", text=kf.figure.text,
                                       reason="figure not found in the cited sentence"))
    summary = [s for s in brief.summary if keep("summary", [s], copied=not s.composed)]
    background = [
        s for s in brief.background if keep("background", [s], copied=not s.composed)]
    insights: list[Insight] = []
    for insight in brief.insights:
        question = keep("insight question", [insight.question], copied=False)
        bullets = [
            b for b in insight.bullets
            if keep("insight bullet", [b], copied=not b.composed)
        ]
        if question and bullets:
            insights.append(Insight(question=question[0], bullets=bullets))
        elif question:
            report.passed -= 1  # the question itself was fine, but it is dropped now
            report.dropped.append(
                Drop(section="insight question", text=insight.question.text,
                     reason="no supported bullet left to answer it")
            )
    quotes: list[BriefQuote] = []
    for q in brief.quotes:
        report.checked += 1
        reason = check_quote(q, lookup)
        if reason is None:
            report.passed += 1
            quotes.append(q)
        else:
            report.dropped.append(Drop(section="quote", text=q.text, reason=reason))
    risks: list[Risk] = [
        r for r in brief.risks if keep("risk", [r.evidence], copied=not r.evidence.composed)
    ]
    return brief.model_copy(
        update={
            "summary": summary, "background": background, "insights": insights,
            "key_figures": key_figures, "quotes": quotes, "risks": risks,
            "verification": report,
        }
    )
