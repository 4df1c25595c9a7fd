"""News Summary: 3–6 sentences chosen for coverage and non-redundancy.

Each sentence is scored by how central it is (overlap with the article's frequent content
words and the headline), where it sits (news leads carry the gist), and whether it carries
figures or tag evidence; then maximal marginal relevance picks sentences that add new
content, so the summary covers the article instead of repeating the lead.
"""

from __future__ import annotations

from collections import Counter

from newsdesk.analyze.cues import sentence_roles
from newsdesk.brief.text import content_tokens, jaccard, word_len
from newsdesk.models import Article, Enrichment

MIN_SENTENCES = 3
MAX_SENTENCES = 6
MMR_LAMBDA = 0.7
CONTEXT_PENALTY = 0.6


def summary_length(n_sentences: int) -> int:
    return min(n_sentences, max(MIN_SENTENCES, min(MAX_SENTENCES, round(n_sentences / 5))))


def sentence_scores(article: Article, enrichment: Enrichment) -> list[float]:
    """A relevance score per sentence in [0, ~1.5]."""
    tokens = [content_tokens(s) for s in article.sentences]
    freq = Counter(t for toks in tokens for t in toks)
    title = content_tokens(article.title)
    top_topics = enrichment.topics[:3]
    max_central = 1e-9
    central = []
    for toks in tokens:
        value = sum(freq[t] - 1 for t in toks) / (len(toks) ** 0.5 + 1)
        central.append(value)
        max_central = max(max_central, value)
    roles = sentence_roles(tuple(article.sentences))
    scores = []
    for i, sentence in enumerate(article.sentences):
        score = 0.45 * central[i] / max_central
        score += 0.4 / (1 + 0.2 * i)
        score += 0.15 * (len(tokens[i] & title) / (len(title) or 1))
        score += 0.05 * sum(1 for t in top_topics if i in t.evidence)
        if "figure" in roles[i]:
            score += 0.1
        words = word_len(sentence)
        if words < 6:
            score *= 0.3
        elif words < 10:
            score *= 0.7
        elif words > 50:
            score *= 0.8
        if "quote" in roles[i] and sentence.lstrip()[:1] in "\"“":
            score *= 0.85
        scores.append(score)
    return scores


def mmr(
    candidates: list[int], scores: list[float], sentences: list[str], k: int,
    lam: float = MMR_LAMBDA,
) -> list[int]:
    """Greedy maximal marginal relevance over sentence indexes.

    Each candidate's redundancy (its highest overlap with anything chosen) is updated
    once per pick, so the cost is O(k * n) overlaps rather than O(k^2 * n).
    """
    tokens = {i: content_tokens(sentences[i]) for i in candidates}
    redundancy = dict.fromkeys(candidates, 0.0)
    chosen: list[int] = []
    while redundancy and len(chosen) < k:
        best = max(redundancy, key=lambda i: lam * scores[i] - (1 - lam) * redundancy[i])
        chosen.append(best)
        del redundancy[best]
        picked = tokens[best]
        for i in redundancy:
            overlap = jaccard(tokens[i], picked)
            if overlap > redundancy[i]:
                redundancy[i] = overlap
    return chosen


def select_summary(article: Article, enrichment: Enrichment, scores: list[float]) -> list[int]:
    """Today's news first: context sentences past the lead are left to the Background."""
    k = summary_length(len(article.sentences))
    cues = set(enrichment.background_cues)
    adjusted = [
        s * CONTEXT_PENALTY if i in cues and i > 0 else s for i, s in enumerate(scores)
    ]
    picked = mmr(list(range(len(article.sentences))), adjusted, article.sentences, k)
    return sorted(picked)
