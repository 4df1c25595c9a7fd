"""News Summary: 3–6 sentences chosen for coverage and non-redundancy.

Each sentence is scored by how central it is (overlap with the article's frequent content
words and the headline), where it sits (news leads carry the gist), and whether it carries
figures or tag evidence. The summary puts position first: news is written lead first, so
a sentence's priority is its lead weight plus a share of that relevance score. Maximal
marginal relevance then picks sentences that add new content, so the summary does not
repeat the lead, and picking stops once the summary is a short read (at least three
sentences and SUMMARY_WORDS words, at most six sentences).
"""

from __future__ import annotations

from collections import Counter

from newsdesk.analyze.cues import sentence_roles
from newsdesk.brief.text import content_tokens, jaccard, word_len
from newsdesk.models import Article, Enrichment

MIN_SENTENCES = 3
MAX_SENTENCES = 6
MMR_LAMBDA = 0.7
# Priority of sentence i for the summary: 1 / (1 + LEAD_DECAY * i) + RELEVANCE * score.
LEAD_DECAY = 0.5
RELEVANCE = 0.3
# Picking stops at MIN_SENTENCES once the summary holds this many words (a ~30-second read).
SUMMARY_WORDS = 60
# A sentence sharing this share of content words (Jaccard) with a chosen one restates it.
NEAR_DUPLICATE = 0.5


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
    lam: float = MMR_LAMBDA, max_overlap: float = 1.0,
) -> list[int]:
    """Greedy maximal marginal relevance over sentence indexes.

    A candidate whose overlap with a chosen sentence reaches `max_overlap` is dropped.

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
        for i in [i for i, r in redundancy.items() if r >= max_overlap]:
            del redundancy[i]
    return chosen


def summary_priority(sentences: list[str], scores: list[float]) -> list[float]:
    """Lead weight plus a share of relevance; fragments (< 10 words) are discounted."""
    out = []
    for i, (sentence, score) in enumerate(zip(sentences, scores, strict=True)):
        value = 1 / (1 + LEAD_DECAY * i) + RELEVANCE * score
        words = word_len(sentence)
        if words < 6:
            value *= 0.3
        elif words < 10:
            value *= 0.7
        out.append(value)
    return out


def select_summary(article: Article, enrichment: Enrichment, scores: list[float]) -> list[int]:
    """The lead-first News Summary, in article order.

    Sentences come in maximal-marginal-relevance order over `summary_priority`, and one
    that restates a chosen sentence (NEAR_DUPLICATE) is skipped. The summary takes at
    least MIN_SENTENCES (restatements fill up an article made of little else), stops as
    soon as it holds SUMMARY_WORDS words, and never exceeds MAX_SENTENCES."""
    sentences = article.sentences
    priority = summary_priority(sentences, scores)
    order = mmr(list(range(len(sentences))), priority, sentences,
                min(len(sentences), MAX_SENTENCES), max_overlap=NEAR_DUPLICATE)
    picked: list[int] = []
    words = 0
    for i in order:
        if len(picked) >= MIN_SENTENCES and words >= SUMMARY_WORDS:
            break
        picked.append(i)
        words += word_len(sentences[i])
    if len(picked) < min(MIN_SENTENCES, len(sentences)):  # restatements all the way down
        rest = sorted(set(range(len(sentences))) - set(picked), key=lambda i: -priority[i])
        picked += rest[: MIN_SENTENCES - len(picked)]
    return sorted(picked)
