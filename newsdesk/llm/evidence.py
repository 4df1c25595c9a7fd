"""The evidence pack: what the model may say, numbered, within a token budget.

The model sees numbered sentences (the article's, then those of earlier articles of the
same story, which Background is written from) and the figures and quotes the analyze
stage extracted from them, each pointing at its sentence number. It answers with those
numbers; `citation(n)` turns them back into the `Citation`s the verifier checks.

Budget: tokens are estimated as characters / 4 (close enough for English and every
tokenizer we target; the server reports the real count). When the pack is too big the
lowest-priority sentences go first: the extractive engine's picks (summary, background,
insight evidence) are kept longest, then sentences holding figures and quotes, then the
lead, then the rest. Sentences that address the model ("ignore previous instructions")
are never evidence: an article is data, and a sentence that reads as an instruction is
left out of the pack and reported (see prompt.py for the other half of that defence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsdesk.brief.render import figure_value
from newsdesk.models import Article, Brief, Citation, Enrichment, PriorArticle

CHARS_PER_TOKEN = 4
LEAD = 8  # the first sentences of an article carry its news
PRIOR_LEAD = 6  # sentences of an earlier same-story article offered beyond the cited ones

_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules|"
    r"guidelines|above|previous)\b"
    r"|\b(?:system prompt|you are now|as an ai|new instructions|developer mode)\b"
    r"|\b(?:assistant|language model|chatbot|ai model)s?\b.{0,30}\b(?:must|should|write|say)\b",
    re.IGNORECASE,
)


def addresses_model(sentence: str) -> bool:
    """True when a sentence reads as an instruction to a language model, not as news."""
    return bool(_INSTRUCTION.search(sentence))


@dataclass(frozen=True)
class EvidenceItem:
    n: int
    citation: Citation
    text: str
    label: str  # "" for the briefed article, "B1".. for earlier ones (as the renderer shows)


@dataclass
class EvidencePack:
    items: list[EvidenceItem]
    figures: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    excluded: list[tuple[Citation, str]] = field(default_factory=list)
    left_out: int = 0  # sentences over the budget

    def citation(self, n: int) -> Citation | None:
        """The source sentence behind evidence number n, None when the pack has no n."""
        return self._by_n.get(n)

    def __post_init__(self) -> None:
        self._by_n = {i.n: i.citation for i in self.items}

    def tokens(self) -> int:
        return len(self.render()) // CHARS_PER_TOKEN

    def render(self) -> str:
        """The pack as prompt text: numbered sentences, then figures and quotes."""
        lines = []
        current = None
        for item in self.items:
            if item.label != current:
                current = item.label
                lines.append("# This article" if not item.label else
                             f"# Earlier article {item.label} (same story)")
            lines.append(f"[{item.n}] {defang(item.text)}")
        if self.figures:
            lines += ["", "# Figures extracted from the sentences above"]
            lines += [defang(f) for f in self.figures]
        if self.quotes:
            lines += ["", "# Quotes extracted from the sentences above"]
            lines += [defang(q) for q in self.quotes]
        return "\n".join(lines)


def defang(text: str) -> str:
    """Article text cannot close the evidence block: angle brackets become look-alikes."""
    return text.replace("<", "‹").replace(">", "›")


def _article_priority(article: Article, enrichment: Enrichment, extractive: Brief
                      ) -> dict[int, int]:
    picked = {c.sentence for s in extractive.summary for c in s.citations
              if c.article_id == article.id}
    cited = {c.sentence for s in [*extractive.background,
                                  *(b for i in extractive.insights for b in i.bullets)]
             for c in s.citations if c.article_id == article.id}
    facts = {f.span.sentence for f in enrichment.figures} | {
        i for q in enrichment.quotes for i in q.sentences}
    out = {}
    for i in range(len(article.sentences)):
        out[i] = (0 if i in picked else 1 if i in cited else 2 if i in facts
                  else 3 if i < LEAD else 4)
    return out


def build_evidence(
    article: Article,
    enrichment: Enrichment,
    prior: list[PriorArticle],
    same_story: frozenset[str],
    extractive: Brief,
    budget_tokens: int,
) -> EvidencePack:
    """Number the article's sentences and the story's earlier ones, dropping the least
    useful until the pack fits `budget_tokens`."""
    candidates: list[tuple[int, int, int, Citation, str]] = []  # prio, group, index, cite, text
    excluded: list[tuple[Citation, str]] = []

    def offer(prio: int, group: int, art: Article, i: int) -> None:
        cite = Citation(article_id=art.id, sentence=i)
        text = art.sentences[i]
        if addresses_model(text):
            excluded.append((cite, text))
        else:
            candidates.append((prio, group, i, cite, text))

    for i, prio in _article_priority(article, enrichment, extractive).items():
        offer(prio, 0, article, i)
    cited_prior = {(c.article_id, c.sentence) for s in [
        *extractive.background, *(b for i in extractive.insights for b in i.bullets)]
        for c in s.citations if c.article_id != article.id}
    labels = {ref.article_id: f"B{n}" for n, ref in enumerate(extractive.references, 1)}
    group = 0
    for prev, _ in prior:
        if prev.id not in same_story and prev.id not in labels:
            continue
        group += 1
        labels.setdefault(prev.id, f"B{len(labels) + 1}")
        for i in range(len(prev.sentences)):
            if (prev.id, i) in cited_prior:
                offer(1, group, prev, i)
            elif prev.id in same_story and i < PRIOR_LEAD:
                offer(5, group, prev, i)
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    budget = budget_tokens * CHARS_PER_TOKEN
    kept: list[tuple[int, int, int, Citation, str]] = []
    used = 0
    for cand in candidates:
        cost = len(cand[4]) + 8
        if used + cost > budget and kept:
            continue
        kept.append(cand)
        used += cost
    kept.sort(key=lambda c: (c[1], c[2]))
    items = [EvidenceItem(n=n, citation=c[3], text=c[4],
                          label="" if c[3].article_id == article.id else labels[c[3].article_id])
             for n, c in enumerate(kept, start=1)]
    number = {(i.citation.article_id, i.citation.sentence): i.n for i in items}
    pack = EvidencePack(items=items, excluded=excluded, left_out=len(candidates) - len(kept))
    for f in enrichment.figures:
        if (n := number.get((article.id, f.span.sentence))) is None or f.role != "figure":
            continue
        about = ", ".join(x for x in (f.subject, f.period.text if f.period else None) if x)
        line = f"- “{f.text}” = {figure_value(f)}" + (f" ({about})" if about else "") + f" [{n}]"
        if used + len(line) <= budget:
            pack.figures.append(line)
            used += len(line)
    withheld = {(c.article_id, c.sentence) for c, _ in excluded}
    for q in enrichment.quotes:
        ns = [number[(article.id, i)] for i in q.sentences if (article.id, i) in number]
        if not ns or q.speaker is None or any((article.id, i) in withheld for i in q.sentences):
            continue  # a quote running into an instruction would carry its words back in
        who = q.speaker + (f", {q.speaker_role}" if q.speaker_role else "")
        words = f"“{q.text}”" if q.kind == "direct" else q.text
        line = f"- {who}: {words} " + "".join(f"[{n}]" for n in ns)
        if used + len(line) <= budget:
            pack.quotes.append(line)
            used += len(line)
    return pack
