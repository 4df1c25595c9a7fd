"""In-Depth Insights, extractive: questions an analyst asks, answered by cited sentences.

Each question has a role (drivers, risks, outlook, voices, figures) and a cue pattern for
the sentences that answer it. The question names the article's focus (its strongest
country-pair or theme tag) and cites the sentences where that focus is evidenced; every
bullet is a source sentence, minimally trimmed.
"""

from __future__ import annotations

from newsdesk.analyze.cues import sentence_roles
from newsdesk.brief.text import trim_lead, word_len
from newsdesk.models import Article, Citation, CitedSentence, Enrichment, Insight, Topic

MIN_QUESTIONS = 3
MAX_QUESTIONS = 4
MAX_BULLETS = 3


# (cue role, question template): roles come from newsdesk.analyze.cues.
ROLES: list[tuple[str, str]] = [
    ("driver", "What is driving {focus}?"),
    ("risk", "What are the risks for {focus}?"),
    ("outlook", "What should readers watch next on {focus}?"),
    ("quote", "Who is shaping {focus}, and what are they saying?"),
    ("figure", "What do the figures say about {focus}?"),
]
FALLBACKS = (
    "What else does the reporting say about {focus}?",
    "What context does the article give on {focus}?",
    "Which details matter most for {focus}?",
)


def focus_of(topics: list[Topic]) -> tuple[str, Topic | None]:
    """The phrase a question is about, and the tag it comes from."""
    pair = next((t for t in topics if t.tag.startswith("pair:")), None)
    if pair:
        return pair.label[:-len(" Trade")] + " trade" if pair.label.endswith(" Trade") else (
            pair.label), pair
    if topics:
        # "developments in energy trade": a theme label in running text is not a name.
        label = " ".join(w if w.isupper() else w.lower() for w in topics[0].label.split())
        return f"developments in {label}", topics[0]
    return "this story", None


def _cite(article: Article, i: int) -> CitedSentence:
    return CitedSentence(
        text=trim_lead(article.sentences[i]),
        citations=[Citation(article_id=article.id, sentence=i)],
    )


def build_insights(
    article: Article, enrichment: Enrichment, scores: list[float], summary: list[int]
) -> list[Insight]:
    focus, topic = focus_of(enrichment.topics)
    n = len(article.sentences)
    usable = [i for i in range(n) if word_len(article.sentences[i]) >= 6] or list(range(n))
    in_summary = set(summary)
    used: set[int] = set()

    def rank(cands: list[int]) -> list[int]:
        # Fresh sentences (not in the summary, not used by another question) first.
        return sorted(cands, key=lambda i: (i in used, i in in_summary, -scores[i]))

    focus_evidence = topic.evidence[:2] if topic else []
    insights: list[Insight] = []
    roles = sentence_roles(tuple(article.sentences))
    for role, template in ROLES:
        if len(insights) >= MAX_QUESTIONS:
            break
        cands = [i for i in usable if role in roles[i]]
        fresh = [i for i in cands if i not in used]
        if not fresh:
            continue
        bullets = sorted(rank(fresh)[:MAX_BULLETS])
        used.update(bullets)
        insights.append(_insight(article, template.format(focus=focus), bullets, focus_evidence))
    fallbacks = iter(FALLBACKS)
    while len(insights) < MIN_QUESTIONS and usable:
        rest = rank([i for i in usable if i not in used]) or rank(usable)
        bullets = sorted(rest[:MAX_BULLETS])
        used.update(bullets)
        question = next(fallbacks).format(focus=focus)
        insights.append(_insight(article, question, bullets, focus_evidence))
    return insights


def _insight(article: Article, question: str, bullets: list[int], focus: list[int]) -> Insight:
    cited = focus or bullets[:1]
    return Insight(
        question=CitedSentence(
            text=question,
            citations=[Citation(article_id=article.id, sentence=i) for i in cited],
        ),
        bullets=[_cite(article, i) for i in bullets],
    )
