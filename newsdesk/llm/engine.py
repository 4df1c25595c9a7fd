"""Engine "llm": a language model writes the brief, the verifier decides what is shown.

1. The extractive brief is composed first: it supplies tags, key figures, quotes and
   risks (those stay extractive: they are records, not prose), the replacement
   sentences, and the whole brief when the model cannot be used.
2. The evidence pack (evidence.py) and the prompt (prompt.py) go to the model; its
   answer is parsed leniently and validated (parse.py), with one retry that tells the
   model what was wrong.
3. Every generated sentence is checked by the verifier against the evidence it cites
   (numbers, quoted words, speakers, places and names, and every content word). A
   sentence that fails is dropped; where the extractive engine has a sentence citing the
   same evidence in the same section, that sentence takes its place. The report lists
   each drop with its reason.
4. The model unreachable or its answer unusable twice: the extractive brief, with
   `engine_note` saying so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

from newsdesk.analyze.places import Gazetteer
from newsdesk.brief.compose import compose_brief, make_lookup
from newsdesk.brief.factcheck import assess
from newsdesk.brief.verify import Lookup, check, normalise, verify_brief
from newsdesk.config import Settings
from newsdesk.errors import LlmError
from newsdesk.llm.cache import ResponseCache
from newsdesk.llm.client import ChatClient, Completion
from newsdesk.llm.evidence import EvidencePack, addresses_model, build_evidence
from newsdesk.llm.parse import AnswerError, parse_answer
from newsdesk.llm.prompt import (
    ANSWER_SCHEMA,
    MAX_BACKGROUND,
    MAX_BULLETS,
    MAX_INSIGHTS,
    MAX_QUESTION,
    MAX_SUMMARY,
    MAX_TEXT,
    messages,
    retry_messages,
)
from newsdesk.models import (
    Article,
    Brief,
    Citation,
    CitedSentence,
    Drop,
    Enrichment,
    Insight,
    LlmAnswer,
    LlmInsight,
    LlmSentence,
    LlmUsage,
    PriorArticle,
    SourceRef,
)

MAX_CITES = 5
_Item = TypeVar("_Item", LlmSentence, LlmInsight)
# From the start of a whitespace run only: trying each of its spaces was quadratic.
_INLINE_CITES = re.compile(r"(?<!\s)\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
# Control characters (NUL, ESC, BEL) and bidirectional overrides: no words, so the word
# checks let them through, yet they can garble a terminal or reverse what a reader sees.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def make_client(settings: Settings) -> ChatClient:
    cache_dir = settings.llm_cache_dir
    return ChatClient(settings.llm, ResponseCache(cache_dir) if cache_dir else None)


def llm_brief(
    article: Article,
    enrichment: Enrichment,
    gazetteer: Gazetteer,
    prior: list[PriorArticle],
    *,
    settings: Settings,
    now: datetime,
    same_story: frozenset[str] = frozenset(),
    continued: frozenset[str] = frozenset(),
    client: ChatClient | None = None,
) -> Brief:
    """The brief written by the model and kept honest by the verifier (see module doc)."""
    base = compose_brief(article, enrichment, gazetteer, prior, now=now, same_story=same_story,
                         continued=continued)
    pack = build_evidence(article, enrichment, prior, same_story, base,
                          settings.llm.evidence_tokens)
    usage = LlmUsage(model=settings.llm.model, base_url=settings.llm.base_url,
                     evidence_sentences=len(pack.items), evidence_left_out=pack.left_out)
    own = client is None
    chat = client or make_client(settings)
    try:
        answer = ask(chat, article, pack, usage)
    except LlmError as exc:
        return base.model_copy(update={"llm_usage": usage, "engine_note": (
            f"The language model could not be used ({exc}); this brief was written by "
            "the extractive engine.")})
    finally:
        if own:
            chat.close()
    return assemble(base, answer, pack, article, prior, gazetteer, usage)


def _account(usage: LlmUsage, c: Completion) -> None:
    usage.calls += 1
    usage.cached_calls += c.cached
    usage.prompt_tokens += c.prompt_tokens
    usage.completion_tokens += c.completion_tokens
    usage.latency_s = round(usage.latency_s + c.latency_s, 3)


def ask(client: ChatClient, article: Article, pack: EvidencePack, usage: LlmUsage
        ) -> LlmAnswer:
    """The model's answer, asked again once with the reason when it is unusable."""
    first = messages(article, pack)
    reply = client.complete(first, ANSWER_SCHEMA)
    _account(usage, reply)
    try:
        return parse_answer(reply.text)
    except AnswerError as exc:
        again = client.complete(retry_messages(first, reply.text, str(exc)), ANSWER_SCHEMA)
        _account(usage, again)
        try:
            return parse_answer(again.text)
        except AnswerError as exc2:
            raise AnswerError(f"unusable answer twice: {exc2}") from None


def _clean(s: LlmSentence) -> tuple[str, list[int]]:
    """Text without inline "[3]" markers (their numbers join the cites) nor invisible
    characters, cites deduped."""
    inline = [int(n) for m in _INLINE_CITES.finditer(s.text)
              for n in re.split(r"[,;]", m.group(1))]
    text = visible(_INLINE_CITES.sub("", s.text))
    return text, list(dict.fromkeys([*s.cites, *inline]))[:MAX_CITES]


def visible(text: str) -> str:
    """`text` without control characters and bidi overrides, spaces normalised."""
    return " ".join(_INVISIBLE.sub("", text).split())


def quoted(text: str) -> str:
    """Model text as the report quotes a dropped sentence: visible, and no longer than a
    sentence may be (the report is shown too; a 20,000-character ramble is not)."""
    text = visible(text)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


class _Assembler:
    """Turns answer sentences into verified CitedSentences, recording every drop."""

    def __init__(self, pack: EvidencePack, lookup: Lookup, gazetteer: Gazetteer) -> None:
        self.pack = pack
        self.lookup = lookup
        self.gazetteer = gazetteer
        self.drops: list[Drop] = []
        self.used: set[tuple[str, int]] = set()
        self.excluded = {(c.article_id, c.sentence) for c, _ in pack.excluded}
        self.seen: set[tuple[str, str]] = set()  # (section, normalised text) shown
        # The article's own sentences (the earlier articles' are Background evidence).
        self.own = {(i.citation.article_id, i.citation.sentence) for i in pack.items
                    if not i.label}

    def usable(self, pool: list[CitedSentence]) -> list[CitedSentence]:
        """Extractive sentences that do not rest on text addressed to the model."""
        return [s for s in pool
                if not {(c.article_id, c.sentence) for c in s.citations} & self.excluded]

    def sentence(self, section: str, s: LlmSentence,
                 pool: list[CitedSentence]) -> CitedSentence | None:
        """The verified sentence, else the extractive replacement from `pool`, else None."""
        text, ns = _clean(s)
        cites = [self.pack.citation(n) for n in ns]
        found = [c for c in cites if c is not None]
        if not text:
            self.drops.append(Drop(section=section, text=s.text, reason="has no words"))
            return None
        if (section, normalise(text)) in self.seen:  # a looping model
            self.drops.append(Drop(section=section, text=text,
                                   reason="repeats an earlier sentence"))
            return None
        reason: str | None
        if len(text) > MAX_TEXT:  # one true sentence twenty times passes the word checks
            reason = f"longer than the {MAX_TEXT} characters a sentence may have"
        elif not ns:
            reason = "cites no evidence sentence"
        elif len(found) < len(cites):
            missing = [n for n, c in zip(ns, cites, strict=True) if c is None]
            reason = f"cites [{missing[0]}], which is not a sentence of the evidence"
        elif section == "summary" and not any(
                (c.article_id, c.sentence) in self.own for c in found):
            # True of an earlier article, but shown as today's news it misleads.
            reason = ("cites only earlier articles: the News Summary reports this "
                      "article's news")
        else:
            candidate = CitedSentence(text=text, citations=found, composed=True, generated=True)
            reason = check(candidate, self.lookup, self.gazetteer, copied=False)
            if reason is None:
                self._use(found)
                self.seen.add((section, normalise(text)))
                return candidate
        replacement = self._replacement(found, pool)
        self.drops.append(Drop(section=section, text=text, reason=str(reason) + (
            "; replaced by the extractive engine's sentence citing the same evidence"
            if replacement else "")))
        return replacement

    def _replacement(self, cites: list[Citation], pool: list[CitedSentence]
                     ) -> CitedSentence | None:
        wanted = {(c.article_id, c.sentence) for c in cites}
        for s in pool:
            keys = {(c.article_id, c.sentence) for c in s.citations}
            if keys & wanted and not keys & self.used:
                self._use(s.citations)
                return s
        return None

    def _use(self, cites: Iterable[Citation]) -> None:
        self.used.update((c.article_id, c.sentence) for c in cites)

    def section(self, name: str, sentences: list[LlmSentence], pool: list[CitedSentence],
                limit: int, what: str) -> list[CitedSentence]:
        pool = self.usable(pool)
        out = [self.sentence(name, s, pool) for s in self.within(name, sentences, limit, what)]
        return [s for s in out if s is not None]

    def within(self, section: str, items: list[_Item], limit: int, what: str
               ) -> list[_Item]:
        """The first `limit` items, as the prompt and schema ask; the rest are dropped and
        listed (a server that ignores the schema must not make a 300-sentence brief)."""
        for item in items[limit:]:
            text = item.text if isinstance(item, LlmSentence) else item.question
            self.drops.append(Drop(section=section, text=text,
                                   reason=f"beyond the {limit} {what} may have"))
        return items[:limit]

    @staticmethod
    def _not_a_question(question: str) -> str | None:
        """A question must be a question, not a template echo ("<a question>")."""
        if not question.rstrip().endswith("?") or len(question.split()) < 3:
            return "not a question"
        if "<" in question or ">" in question:
            return "a placeholder, not a question"
        return None

    @staticmethod
    def _presumes(question: str, evidence: list[str]) -> str | None:
        """A question can assert by presupposing: "Why were sanctions lifted?" claims
        they were. Its words that only frame a question ("what", "risks", "watch",
        "next") are free; every other content word must be in the cited sentences."""
        unsupported = [i.text for i in assess(question, evidence).issues
                       if i.kind in ("word", "name")
                       and i.text.lower().removesuffix("s") not in QUESTION_FRAME
                       and i.text.lower() not in QUESTION_FRAME]
        if unsupported:
            return (f"presumes what its bullets' citations do not say: "
                    f"{', '.join(unsupported)}")
        return None

    def insights(self, answer: LlmAnswer, pool: list[Insight]) -> list[Insight]:
        bullets_pool = [b for i in pool for b in i.bullets]
        out = []
        for item in self.within("insight question", answer.insights, MAX_INSIGHTS,
                                "insights the brief"):
            bullets = self.section("insight bullet", item.bullets, bullets_pool, MAX_BULLETS,
                                   "bullets an insight")
            question = visible(item.question)
            if not bullets:
                self.drops.append(Drop(section="insight question", text=question,
                                       reason="no supported bullet left to answer it"))
                continue
            cites = list({(c.article_id, c.sentence): c
                          for b in bullets for c in b.citations}.values())
            if why := (self._not_a_question(question) or self._unfit(question)):
                self.drops.append(Drop(section="insight question", text=question, reason=why))
                continue
            # Figures, quoted words and names are checked like any composed text, and
            # content words beyond the question's framing must be in the evidence.
            q = CitedSentence(text=question, citations=cites, composed=True)
            reason = check(q, self.lookup, self.gazetteer, copied=False) or self._presumes(
                question, [t for c in cites if (t := self.lookup(c)) is not None])
            if reason is not None:
                self.drops.append(Drop(section="insight question", text=question,
                                       reason=reason + " (checked against its bullets' "
                                       "citations)"))
                continue
            self.seen.add(("insight question", normalise(question)))
            out.append(Insight(question=q, bullets=bullets))
        return out

    def _unfit(self, question: str) -> str | None:
        """Too long to be one question, or one already asked (a looping model)."""
        if len(question) > MAX_QUESTION:
            return f"longer than the {MAX_QUESTION} characters a question may have"
        if ("insight question", normalise(question)) in self.seen:
            return "repeats an earlier question"
        return None


# Words that frame a question rather than state a fact ("What are the risks for X?",
# "What should readers watch next?"); compared lower-cased, plural "s" removed.
QUESTION_FRAME = frozenset("""
    what why how who whom whose which when where whether does did do is are was were will
    would could should can may might mean meaning matter matters change changed changing
    drive driving driver behind cause caused risk danger threat watch next expect expected
    happen happening implication impact affect effect consequence outlook future key main
    reader investor analyst market signal trend factor issue question explain significance
    important importance role response respond react reaction look ahead come coming stake
    tell say suggest show need know lead leading likely
    """.split())


def assemble(
    base: Brief,
    answer: LlmAnswer,
    pack: EvidencePack,
    article: Article,
    prior: list[PriorArticle],
    gazetteer: Gazetteer,
    usage: LlmUsage,
) -> Brief:
    """The extractive brief with the model's verified prose in place of its own."""
    lookup = make_lookup([article, *(p for p, _ in prior)])
    work = _Assembler(pack, lookup, gazetteer)
    summary = work.section("summary", answer.summary, base.summary, MAX_SUMMARY,
                           "sentences the summary")
    background = work.section("background", answer.background, base.background,
                              MAX_BACKGROUND, "sentences the background")
    insights = work.insights(answer, base.insights)
    fallback = [name for name, got, theirs in (
        ("summary", summary, base.summary), ("background", background, base.background),
        ("insights", insights, base.insights)) if not got and theirs]
    summary = summary or work.usable(base.summary)
    background = background or work.usable(base.background)
    insights = insights or [
        Insight(question=i.question, bullets=bullets) for i in base.insights
        if (bullets := work.usable(i.bullets))]
    notes = [f"{len(work.drops)} generated sentence(s) failed verification and were "
             "dropped or replaced."] if work.drops else []
    if fallback:
        notes.append(f"No generated sentence of {', '.join(fallback)} passed verification: "
                     "that part is the extractive engine's.")
    cited = {c.article_id for s in [*summary, *background,
                                    *(b for i in insights for b in i.bullets)]
             for c in s.citations}
    refs = [SourceRef(article_id=p.id, title=p.title, source=p.source,
                      published_at=p.published_at) for p, _ in prior if p.id in cited]
    from_prior = any(c.article_id != article.id for s in background for c in s.citations)
    if not any(s.generated for s in background):  # the extractive engine's, or none
        origin, note = base.background_origin, base.background_note
    elif from_prior:
        origin, note = "store", "Written by the model from earlier articles in the desk."
    else:
        origin, note = "article", "Written by the model from this article's own sentences."
    draft = base.model_copy(update={
        "summary": summary, "background": background, "insights": insights,
        "references": refs, "background_origin": origin, "background_note": note,
        "engine": f"llm:{usage.model}", "llm_usage": usage, "engine_note": " ".join(notes),
    })
    verified = verify_brief(draft, lookup, gazetteer)
    report = verified.verification
    excluded = [Drop(section="evidence", text=text, reason="reads as an instruction to a "
                     "language model: left out of the evidence, not followed")
                for _, text in pack.excluded]
    if addresses_model(article.title):
        excluded.insert(0, Drop(section="title", text=article.title, reason="reads as an "
                                "instruction to a language model: left out of the prompt"))
    report = report.model_copy(update={
        "checked": report.checked + len(work.drops),
        "dropped": [*excluded, *(d.model_copy(update={"text": quoted(d.text)})
                                 for d in work.drops), *report.dropped],
    })
    return verified.model_copy(update={"verification": report})
