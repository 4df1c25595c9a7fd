"""The facts a brief shows besides its prose: who said what (Quotes) and what could go
wrong (Risks), each traceable to the sentences that say so.

Quotes come from the enrichment (`analyze.quotes`). Each keeps the sentences it spans and,
when the speaker is named elsewhere (a quote continued in the next sentence, "he said"),
the sentence that names them, so the verifier can check the speaker against the text.
Risks come from the enrichment's signals, one line per evidence sentence: the sentence
that evidences the most signal kinds first, until every kind is shown.
"""

from __future__ import annotations

import re

from newsdesk.analyze.cues import sentence_roles
from newsdesk.analyze.entities import find_entities
from newsdesk.analyze.places import Gazetteer
from newsdesk.analyze.quotes import extract_quotes
from newsdesk.brief.text import trim_lead
from newsdesk.brief.verify import normalise, speaker_in
from newsdesk.models import (
    Article,
    BriefQuote,
    Citation,
    CitedSentence,
    Enrichment,
    Entity,
    Quote,
    Risk,
)

MAX_QUOTES = 8
MIN_QUOTE_WORDS = 3
MAX_RISKS = 4
SPEAKING = ("person", "organisation")
RISK_LABELS = {
    "sanctions": "Sanctions",
    "secondary_sanctions": "Secondary sanctions",
    "tariffs": "Tariffs",
    "export_controls": "Export controls",
    "conflict": "Conflict",
    "default": "Defaults",
    "payment_disruption": "Payment disruption",
}


def quotes_and_entities(
    article: Article, enrichment: Enrichment, gazetteer: Gazetteer
) -> tuple[list[Quote], list[Entity]]:
    """The article's quotes and named entities.

    An enrichment written before quotes were part of ingest (`speakers_scanned` false)
    has neither quotes nor people; then, and only when a sentence reads as an attributed
    quote (the cue roles), they are found here."""
    quotes, entities = enrichment.quotes, enrichment.entities
    if enrichment.speakers_scanned or quotes or any(e.type in SPEAKING for e in entities):
        return quotes, entities
    if not any("quote" in r for r in sentence_roles(tuple(article.sentences))):
        return quotes, entities
    people = find_entities(article.sentences, gazetteer)
    known = {e.name for e in entities}
    return extract_quotes(article.sentences, people), [
        *entities, *(e for e in people if e.name not in known)]


_SINGULAR = re.compile(r"\b(?:he|she|his|her)\b", re.I)


def _names_or_he(speaker: str, sentence: str) -> bool:
    """Reported speech is kept when its sentence names the speaker or refers to one
    person ("he said"): "they said" is not a person's statement."""
    return speaker_in(speaker, sentence) or bool(_SINGULAR.search(sentence))


def _naming_sentence(article: Article, words: str, near: int) -> int | None:
    """The sentence nearest before `near` (else after it) whose text contains `words`."""
    hits = [i for i, s in enumerate(article.sentences) if speaker_in(words, s)]
    before = [i for i in hits if i <= near]
    if before:
        return before[-1]
    return hits[0] if hits else None


def _role_sentence(article: Article, speaker: str, role: str, near: int) -> int | None:
    """The sentence nearest `near` that gives the speaker this role."""
    key = normalise(role)
    hits = [i for i, s in enumerate(article.sentences)
            if key in normalise(s) and speaker_in(speaker, s)]
    before = [i for i in hits if i <= near]
    return before[-1] if before else (hits[0] if hits else None)


def select_quotes(
    article: Article, quotes: list[Quote], entities: list[Entity]
) -> list[BriefQuote]:
    """Quotes with a known speaker, in reading order: direct quotes, and reported speech
    of a named person. A quote whose speaker the article never names is left out: the
    brief cannot show where the attribution comes from."""
    people = {e.name for e in entities if e.type == "person"}
    out: list[BriefQuote] = []
    for q in quotes:
        if q.speaker is None or not q.sentences:
            continue
        if q.kind == "reported" and (q.speaker not in people or not _names_or_he(
                q.speaker, " ".join(article.sentences[i] for i in q.sentences))):
            continue  # "according to customs data" is a source, "they said" not one person
        text = " ".join(q.text.split()).rstrip(",;:").strip()
        if q.kind == "reported":
            # Reported speech reads as the sentence that reports it ("he described it as").
            text = trim_lead(" ".join(article.sentences[i] for i in q.sentences))
        if len(text.split()) < MIN_QUOTE_WORDS:
            continue  # "However," or a scare-quoted phrase is not a statement
        cited = list(q.sentences)
        evidence = " ".join(article.sentences[i] for i in cited)
        if not speaker_in(q.speaker, evidence):
            named = _naming_sentence(article, q.speaker, cited[0])
            if named is None:
                continue
            cited = sorted({*cited, named})
            evidence = " ".join(article.sentences[i] for i in cited)
        role = q.speaker_role
        if role and normalise(role) not in normalise(evidence):
            at = _role_sentence(article, q.speaker, role, cited[0])
            if at is None:
                role = None  # a title from the gazetteer, not from this text
            else:
                cited = sorted({*cited, at})
        out.append(BriefQuote(
            speaker=q.speaker, speaker_role=role, text=text, kind=q.kind,
            citations=[Citation(article_id=article.id, sentence=i) for i in cited],
        ))
        if len(out) >= MAX_QUOTES:
            break
    return out


def select_risks(article: Article, enrichment: Enrichment) -> list[Risk]:
    """One line per evidence sentence, covering every signal kind (strongest first)."""
    order: list[str] = [s.kind for s in enrichment.signals]
    by_sentence: dict[int, list[str]] = {}
    for signal in enrichment.signals:
        for i in signal.sentences:
            if 0 <= i < len(article.sentences):
                by_sentence.setdefault(i, []).append(signal.kind)
    uncovered = set(order)
    risks: list[Risk] = []
    while uncovered and by_sentence and len(risks) < MAX_RISKS:
        best = max(by_sentence, key=lambda i: (len(uncovered.intersection(by_sentence[i])), -i))
        kinds = [k for k in order if k in uncovered and k in by_sentence[best]]
        if not kinds:
            break
        uncovered.difference_update(kinds)
        risks.append(Risk(kinds=kinds, evidence=CitedSentence(
            text=trim_lead(article.sentences[best]),
            citations=[Citation(article_id=article.id, sentence=best)],
        )))
    return risks


def brief_entities(entities: list[Entity]) -> list[Entity]:
    """Entities as the brief carries them: without character spans (the sentences stay)."""
    return [e.model_copy(update={"spans": []}) if e.spans else e for e in entities]
