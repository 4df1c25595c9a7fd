"""Background: what a reader needs to know from before this article.

Preferred source: earlier stored articles on the same tags and countries (the desk's own
memory), ranked by shared topics and recency, sentences picked for relevance to this
article and for reading as context. When the store has nothing, the article's own context
sentences (history cues, years before publication) are used, and the brief says so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from newsdesk.analyze.cues import context_score, sentence_roles
from newsdesk.brief.text import content_tokens, jaccard, trim_lead, word_len
from newsdesk.models import Article, Citation, CitedSentence, Enrichment, PriorArticle

MAX_BACKGROUND = 4
MIN_FROM_STORE = 2
PER_PRIOR_ARTICLE = 2
NEAR_DUPLICATE = 0.5


@dataclass(frozen=True)
class Background:
    sentences: list[CitedSentence]
    origin: str  # "store" | "article" | "none"
    note: str
    prior_ids: list[str]


def _key_terms(article: Article, top: int = 25) -> frozenset[str]:
    counts = Counter(t for s in article.sentences for t in content_tokens(s))
    counts.update({t: 2 for t in content_tokens(article.title)})
    # Ties broken by the word: counting follows set order, which changes per process.
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return frozenset(t for t, _ in ranked[:top])


def from_store(
    article: Article, used: set[int], prior: list[PriorArticle]
) -> list[tuple[float, Article, int]]:
    """Scored (score, prior article, sentence index) candidates, best first.

    Sentences that restate today's news are not filtered here (that needs a pairwise
    comparison): `select_background` skips them lazily while it picks from the top.
    """
    terms = _key_terms(article)
    scored: list[tuple[float, Article, int]] = []
    for rank, (prev, _) in enumerate(prior):
        article_weight = 1.0 / (1 + 0.3 * rank)
        for i, toks, base in _candidates(tuple(prev.sentences), prev.published_at):
            hits = len(toks & terms)
            if hits:
                relevance = hits / (len(toks) ** 0.5 + 1)
                scored.append((article_weight * (relevance + base), prev, i))
    scored.sort(key=lambda x: -x[0])
    return scored


@lru_cache(maxsize=4096)
def _candidates(
    sentences: tuple[str, ...], published: datetime | None
) -> tuple[tuple[int, frozenset[str], float], ...]:
    """(index, content tokens, position + context score) of an earlier article's usable
    sentences. Cached: the same earlier articles serve many briefs."""
    roles = sentence_roles(sentences)
    out = []
    for i, sentence in enumerate(sentences):
        if word_len(sentence) < 8:
            continue
        base = 0.3 / (1 + 0.3 * i) + 0.2 * context_score(sentence, published, roles[i])
        out.append((i, content_tokens(sentence), base))
    return tuple(out)


def _restates(sentence: str, own: list[frozenset[str]]) -> bool:
    toks = content_tokens(sentence)
    return any(jaccard(toks, o) > NEAR_DUPLICATE for o in own)


def _provenance(ids: list[str], same_story: frozenset[str], continued: frozenset[str]) -> str:
    """Where the Background's earlier articles come from, for its note."""
    in_story = sum(1 for i in ids if i in same_story)
    related = sum(1 for i in ids if i in continued and i not in same_story)
    if in_story == len(ids):
        return "of the same story"
    if related == len(ids):
        return "of a related earlier story" if related == 1 else "of related earlier stories"
    parts = [f"{in_story} of the same story"] if in_story else []
    if related:
        parts.append(f"{related} of related earlier stories")
    if not parts:
        return "on the same topics"
    if in_story + related < len(ids):
        parts.append("the rest on the same topics")
    return f"({', '.join(parts)})"


def select_background(
    article: Article,
    enrichment: Enrichment,
    summary: list[int],
    prior: list[PriorArticle],
    same_story: frozenset[str] = frozenset(),
    continued: frozenset[str] = frozenset(),
) -> Background:
    picked: list[tuple[Article, int]] = []
    per_article: Counter[str] = Counter()
    own = [content_tokens(article.sentences[i]) for i in summary] or [
        content_tokens(s) for s in article.sentences[:3]
    ]
    for _, prev, i in from_store(article, set(summary), prior):
        if len(picked) >= MAX_BACKGROUND:
            break
        if per_article[prev.id] >= PER_PRIOR_ARTICLE:
            continue
        if _restates(prev.sentences[i], own):
            continue  # restates today's news (or a syndicated copy of it)
        picked.append((prev, i))
        per_article[prev.id] += 1
    if len(picked) >= MIN_FROM_STORE:
        picked.sort(key=lambda x: (x[0].published_at is None, x[0].published_at or 0, x[1]))
        ids = list(dict.fromkeys(p.id for p, _ in picked))
        what = _provenance(ids, same_story, continued)
        return Background(
            sentences=[
                CitedSentence(text=trim_lead(p.sentences[i]), citations=[Citation(
                    article_id=p.id, sentence=i)])
                for p, i in picked
            ],
            origin="store",
            note=f"Drawn from {len(ids)} earlier article{'s' if len(ids) > 1 else ''} "
            f"in the desk {what}.",
            prior_ids=ids,
        )
    roles = sentence_roles(tuple(article.sentences))
    mine = [i for i in enrichment.background_cues if i not in summary]
    mine.sort(key=lambda i: -context_score(article.sentences[i], article.published_at, roles[i]))
    chosen = sorted(mine[:MAX_BACKGROUND])
    if not chosen:
        return Background([], "none", "No earlier coverage in the desk and no context "
                          "sentences in this article.", [])
    return Background(
        sentences=[
            CitedSentence(text=trim_lead(article.sentences[i]),
                          citations=[Citation(article_id=article.id, sentence=i)])
            for i in chosen
        ],
        origin="article",
        note="No earlier coverage in the desk yet: drawn from this article's own context "
        "sentences.",
        prior_ids=[],
    )
