"""The verifier: no source, no sentence.

Every sentence of a brief is checked against the source sentences it cites:
- it must cite sentences that exist;
- copied text (summary, background, bullets) must be found in its cited sentences after
  normalising case, quotes and spacing, i.e. copied or minimally trimmed;
- every number in it must appear in the cited sentences;
- every country or bloc it names must be named (by any alias) in the cited sentences.
A sentence that fails is dropped and the drop is listed in the brief's report. The facts
issue extends this with figure normalisation, quotes and speakers, and people.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from newsdesk.analyze.places import Gazetteer
from newsdesk.models import Brief, Citation, CitedSentence, Drop, Insight, VerificationReport

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
    if copied and normalise(sentence.text).rstrip(".") not in normalise(evidence):
        return "text is not found in the cited sentences"
    missing = numbers(sentence.text) - numbers(evidence)
    if missing:
        return f"number(s) {', '.join(sorted(missing))} not in the cited sentences"
    named = gazetteer.names_in(sentence.text)
    unsupported = named - gazetteer.names_in(evidence) if named else frozenset()
    if unsupported:
        return f"names {', '.join(sorted(unsupported))}, absent from the cited sentences"
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
    summary = keep("summary", brief.summary, copied=True)
    background = keep("background", brief.background, copied=True)
    insights: list[Insight] = []
    for insight in brief.insights:
        question = keep("insight question", [insight.question], copied=False)
        bullets = keep("insight bullet", insight.bullets, copied=True)
        if question and bullets:
            insights.append(Insight(question=question[0], bullets=bullets))
        elif question:
            report.dropped.append(
                Drop(section="insight question", text=insight.question.text,
                     reason="no supported bullet left to answer it")
            )
    return brief.model_copy(
        update={
            "summary": summary, "background": background, "insights": insights,
            "key_figures": key_figures,
            "verification": report,
        }
    )
