"""In-Depth Insights, built from the extracted facts: questions an analyst asks, each
bullet cited.

Four questions, in this order, each asked only when the article has something to say:
- **What changed**: the sentences that carry the main figures with their baselines (a
  forecast or earlier value in the same sentence, or an expectation in the next one),
  and, when earlier coverage in the desk has a figure on the same subject in the same
  unit, a composed bullet that sets the two side by side, citing both articles.
- **Who is shaping it**: one bullet per speaker, with their words (the quote sentence
  when it names them, else a composed "Speaker, role: “words”" citing the quote and the
  sentence that names the speaker).
- **What the risks are**: the sentences behind the risk signals, then other risk cues.
- **What to watch**: forward-looking statements ("could lead to", "plans to",
  "is expected to", "later this year"), strongest first.
Questions name the article's focus (its strongest country pair or theme) and cite the
sentences that evidence it. When fewer than three questions can be asked, the older
cue-based questions fill in (drivers, then general ones), so a short article still gets
three. Copied bullets are source sentences, minimally trimmed; composed ones use only
figures, names and words of their citations, and are checked like generated text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from newsdesk.analyze.cues import sentence_roles
from newsdesk.analyze.entities import default_directory
from newsdesk.analyze.places import Gazetteer
from newsdesk.brief.text import content_tokens, trim_lead, word_len
from newsdesk.brief.verify import normalise, speaker_in
from newsdesk.models import (
    Article,
    BriefQuote,
    Citation,
    CitedSentence,
    Enrichment,
    Figure,
    Insight,
    Period,
    PriorArticle,
    Topic,
)

MIN_QUESTIONS = 3
MAX_QUESTIONS = 4
MAX_BULLETS = 3
MAX_FIGURE_BULLETS = 2

CHANGED = "What changed in {focus}?"
VOICES = "Who is shaping {focus}, and what are they saying?"
RISKS = "What are the risks for {focus}?"
WATCH = "What should readers watch next on {focus}?"
DRIVERS = "What is driving {focus}?"
FALLBACKS = (
    "What else does the reporting say about {focus}?",
    "What context does the article give on {focus}?",
    "Which details matter most for {focus}?",
)

# Durations ("over the same two months") describe periods, not the news.
DURATIONS = frozenset({"year", "month", "week", "day", "hour", "minute", "second", "decade"})
FIGURE_KINDS = frozenset({"change", "level", "share"})
# Sizes, distances, temperatures and ages describe a scene, not a change in it.
DESCRIPTIVE_UNITS = frozenset({
    "mile", "kilometre", "metre", "centimetre", "millimetre", "micrometre", "nanometre",
    "foot", "inch", "yard", "square metre", "square foot", "celsius", "fahrenheit", "degree",
    "year of age"})
# The next sentence gives the expectation a figure beat or missed.
_EXPECTATION = re.compile(
    r"\b(?:forecasts?|forecast(?:ed|ing)|expect\w*|consensus|polls?|pencil+ed|estimates?|"
    r"estimated|predicted|projected|anticipated)\b", re.I)
# Forward-looking statements, read word by word: strong cues score 2, hedged ones 1.
_WORDS = re.compile(r"[A-Za-z]+|\d{4}")
_MODALS = frozenset({"could", "will", "would", "might", "may", "shall"})
_BEFORE_TO = frozenset({"plan", "plans", "planned", "planning", "aim", "aims", "aiming",
                        "intend", "intends", "intending", "set", "poised", "due", "expected",
                        "likely", "unlikely", "scheduled", "projected", "forecast", "going"})
_HORIZON_WORDS = frozenset({"year", "month", "week", "quarter", "months", "years", "weeks",
                            "quarters", "decade", "round", "phase"})
_EXPECTS = frozenset({"expect", "expects", "expecting", "outlook", "forecasts"})
_HEDGED = frozenset({"potential", "potentially", "prospect", "prospects", "signal", "signals"})
_NOT_AHEAD = frozenset({"had", "than", "as"})  # "had expected", "than expected"
_RELATIVE_PERIOD = re.compile(r"\b(?:last|this|next|previous|current|ago|yesterday|today)\b",
                              re.I)
_PERIOD_PREPOSITION = re.compile(r"^(?:in|over|for|during|through|by|since|from|between)\b",
                                 re.I)
_LOWER_FIRST = frozenset({"last", "this", "next", "the", "over", "in", "for", "during"})
_NO_PREPOSITION = re.compile(r"^(?:last|this|next|previous|so far)\b", re.I)
_COMPARATIVE_PERIOD = re.compile(r"\b(?:earlier|ago|before|prior)\b", re.I)
_DAY_DATE = re.compile(r"\b(?:january|february|march|april|may|june|july|august|september|"
                       r"october|november|december)\s+\d{1,2}\b|\b\d{1,2}\s+(?:january|"
                       r"february|march|april|may|june|july|august|september|october|"
                       r"november|december)\b", re.I)


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


def _copy(article: Article, sentences: Sequence[int]) -> CitedSentence:
    """Consecutive source sentences as one bullet, leading connective trimmed."""
    text = " ".join(article.sentences[i] for i in sentences)
    return CitedSentence(
        text=trim_lead(text),
        citations=[Citation(article_id=article.id, sentence=i) for i in sentences],
    )


def forward_strength(sentence: str) -> int:
    """2 for a clear forward-looking statement ("could lead to", "plans to", "is expected
    to", "next year", "later this year", "by 2027"), 1 for a hedged one ("potential",
    "signals", "room to grow"), 0 otherwise ("had expected", "than expected")."""
    raw = _WORDS.findall(sentence)
    words = [w.lower() for w in raw]
    hedged = False
    for k, w in enumerate(words):
        nxt = words[k + 1] if k + 1 < len(words) else ""
        prev = words[k - 1] if k else ""
        if w in _MODALS and nxt and nxt != "have" and (w != "may" or raw[k] == "may"):
            return 2
        if w in _BEFORE_TO and nxt == "to" and prev not in _NOT_AHEAD:
            return 2
        if w in ("next", "coming") and nxt in _HORIZON_WORDS:
            return 2
        if w == "later" and nxt == "this":
            return 2
        if w == "by" and nxt.isdigit() and nxt.startswith("20"):
            return 2
        if w in _EXPECTS and prev not in _NOT_AHEAD:
            return 2
        if w in _HEDGED or (w == "room" and nxt == "to"):
            hedged = True
    return 1 if hedged else 0


# --- what changed ------------------------------------------------------------------------


def headline_figures(enrichment: Enrichment, summary: set[int]) -> list[Figure]:
    """Figures worth a bullet, best first: with a baseline, outside the summary, changes
    before levels, with a subject."""
    figures = [f for f in enrichment.figures
               if f.role == "figure" and f.kind in FIGURE_KINDS and f.unit not in DURATIONS
               and f.unit not in DESCRIPTIVE_UNITS]
    return sorted(figures, key=lambda f: (
        f.baseline is None, f.span.sentence in summary, f.kind != "change",
        f.subject is None, f.span.sentence, f.span.start))


_PRONOUN_START = re.compile(
    r"^(?:\W*\w+\W+){0,3}?(?:it|they|this(?!\s+(?:year|month|week|quarter|time)\b))\b", re.I)


def _with_expectation(article: Article, enrichment: Enrichment, f: Figure) -> list[int]:
    """The figure's sentence; before it the previous one when the sentence opens on a
    pronoun ("Last year it hit a record..."); after it the next one when that states
    what was expected."""
    i = f.span.sentence
    group = [i]
    if i > 0 and _PRONOUN_START.match(article.sentences[i]):
        group.insert(0, i - 1)
    if f.baseline is not None or i + 1 >= len(article.sentences):
        return group
    nxt = article.sentences[i + 1]
    same_unit = any(g.span.sentence == i + 1 and g.unit == f.unit for g in enrichment.figures)
    return [*group, i + 1] if same_unit and _EXPECTATION.search(nxt) else group


_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december")
_SUBJECT_PERIOD = re.compile(
    rf"\s+(?:in|during|over|for|through|since)\s+(?:the\s+)?(?:first|second|third|fourth|"
    rf"last|past|same|previous|{_MONTHS}|q[1-4]|h[12]|\d).*$", re.I)
_SUBJECT_VERB = re.compile(
    r"\s+(?:was|were|is|are|has|had|have|still|stood|remained|would|will|could|can|may|"
    r"said|says|on|reporting|made|wrapped|extended|raised)\b.*$")
_DANGLING = frozenset("a an the of to in by at with for and or from on its their his her "
                      "it this that".split())


def clean_subject(f: Figure, gazetteer: Gazetteer) -> str | None:
    """A figure's subject as a noun phrase, or None when it is not one: 'Bilateral trade
    was still' -> 'Bilateral trade'; 'crossing is designed to' -> None; a country alone
    ('Russia') is not a measure. A subject that carries its own period ('Two-way trade in
    the first quarter') is only kept when the figure's period is known."""
    if not f.subject:
        return None
    text = _noun_phrase(f.subject, own_period(f) is not None)
    if text is None:
        return None
    if len(text.split()) <= 2 and len(content_tokens(text)) == 1 and gazetteer.names_in(text):
        return None
    return text


@lru_cache(maxsize=8192)
def _noun_phrase(subject: str, period_known: bool) -> str | None:
    text = _SUBJECT_VERB.sub("", subject.strip())
    cut = _SUBJECT_PERIOD.sub("", text)
    if cut != text and not period_known:
        return None
    text = cut.strip(" ,;:")
    words = text.split()
    if not words or words[-1].lower() in _DANGLING or words[0].lower() in _DANGLING - {
            "the", "its", "their"}:
        return None
    return text if content_tokens(text) else None


def _subject_tokens(subject: str | None) -> frozenset[str]:
    return content_tokens(subject) if subject else frozenset()


def same_subject(a: str | None, b: str | None) -> bool:
    """Two figure subjects name the same thing: most content words of the shorter one
    appear in the other (at least two, unless both are one word)."""
    ta, tb = _subject_tokens(a), _subject_tokens(b)
    if not ta or not tb:
        return False
    shared = len(ta & tb)
    if min(len(ta), len(tb)) == 1:
        return ta == tb
    return shared >= 2 and shared / min(len(ta), len(tb)) >= 0.6


def _amount(f: Figure) -> str:
    qualifier = {"approximate": "about ", "more_than": "more than ",
                 "less_than": "less than "}.get(f.qualifier, "")
    written = f.text
    if qualifier and normalise(written).startswith(qualifier.strip()):
        qualifier = ""
    if f.kind == "change":
        way = {"up": "up ", "down": "down "}.get(f.direction, "a change of ")
        return f"{way}{qualifier}{written}"
    return f"at {qualifier}{written}"


def own_period(f: Figure) -> Period | None:
    """The period a figure covers, if the text gives one: "a year earlier" is its
    comparison and "April 13" a release date, not a period."""
    p = f.period
    return p if p is not None and _is_period(p.text) else None


@lru_cache(maxsize=4096)
def _is_period(text: str) -> bool:
    return not (_COMPARATIVE_PERIOD.search(text) or _DAY_DATE.search(text))


def period_shape(f: Figure) -> tuple[str, int | None] | None:
    """What length of time a figure covers: ('year', None), ('months', 5), ('quarter',
    None)... None when the article does not say."""
    p = own_period(f)
    if p is None:
        return None
    if p.months:
        return ("months", p.months)
    if p.quarter:
        return ("quarter", None)
    if p.half:
        return ("half", None)
    if p.month:
        return ("months", 1)
    if p.year:
        return ("year", None)
    return None


def _period_key(f: Figure) -> tuple[int | None, int | None, int | None, int | None]:
    p = own_period(f)
    return (p.year, p.month, p.quarter, p.half) if p else (None, None, None, None)


def comparable(now: Figure, earlier: Figure) -> bool:
    """Two figures on one subject tell a change over time: the same kind of period
    (a year with a year, five months with five months), not the same period restated,
    and the earlier one not about a later time. When only one of them states its period,
    they are not set side by side: a year's total beside a figure of unknown span (two
    months' trade, say) reads as a collapse that never happened. With neither period
    known, only clearly different values count (not "$240 billion" against "about $240
    billion")."""
    a, b = period_shape(now), period_shape(earlier)
    if (a is None) != (b is None):
        return False
    if a is None or b is None:
        scale = max(abs(now.value), abs(earlier.value), 1e-9)
        return abs(now.value - earlier.value) / scale > 0.02
    if a != b or _period_key(now) == _period_key(earlier):
        return False
    y_now, y_then = _period_key(now)[0], _period_key(earlier)[0]
    return y_now is None or y_then is None or y_then <= y_now


def _period(f: Figure, relative_ok: bool) -> str:
    p = own_period(f)
    if p is None or not p.text.strip():
        return ""
    text = p.text.strip()
    if not relative_ok and _RELATIVE_PERIOD.search(text):
        return ""  # "last year" in an earlier article is not last year here
    first, _, rest = text.partition(" ")
    if first.lower() in _LOWER_FIRST:
        text = first.lower() + (" " + rest if rest else "")
    if _NO_PREPOSITION.match(text) or _PERIOD_PREPOSITION.match(text):
        return " " + text
    return f" in {text}"


def _subject_phrase(subject: str, gazetteer: Gazetteer) -> str:
    """The subject in running text: a capital that only opens its source sentence goes
    ('Bilateral trade' -> 'bilateral trade'), not one of a name ('Bank of Russia')."""
    first, _, rest = subject.partition(" ")
    if not (first[1:].islower() and first[:1].isupper()) or gazetteer.names_in(first):
        return subject
    if any(m.start() == 0 for m in default_directory().scanner.scan(subject)):
        return subject
    return first.lower() + (" " + rest if rest else "")


def compare_with_earlier(
    article: Article,
    figures: list[Figure],
    prior: list[PriorArticle],
    gazetteer: Gazetteer,
) -> CitedSentence | None:
    """A composed bullet setting one of today's figures beside an earlier one on the same
    subject, in the same unit and of the same kind, from the most related earlier article;
    it cites the sentence of each."""
    wanted = {(f.unit, f.kind) for f in figures if f.subject}
    earlier_figures = [
        (n, prev, g, subject)
        for n, (prev, prev_enrichment) in enumerate(prior) if prev_enrichment is not None
        for g in prev_enrichment.figures
        if g.role == "figure" and (g.unit, g.kind) in wanted and g.subject
        and g.span.sentence < len(prev.sentences)
        and (subject := clean_subject(g, gazetteer)) is not None
    ]
    if not earlier_figures:
        return None
    best: tuple[tuple[bool, float, int], Figure, str, Article, Figure, str] | None = None
    for rank, f in enumerate(figures):
        now_subject = clean_subject(f, gazetteer)
        if now_subject is None:
            continue
        ta = _subject_tokens(now_subject)
        for n, prev, g, earlier in earlier_figures:
            if (g.unit != f.unit or g.kind != f.kind or not same_subject(now_subject, earlier)
                    or not comparable(f, g)):
                continue
            tb = _subject_tokens(earlier)
            key = (period_shape(f) is not None and period_shape(g) is not None,
                   len(ta & tb) / len(ta | tb), -(rank + n))
            if best is None or key > best[0]:
                best = (key, f, now_subject, prev, g, earlier)
    if best is None:
        return None
    _, f, subject, prev, g, earlier = best
    text = (
        f"Earlier coverage had {_subject_phrase(earlier, gazetteer)} "
        f"{_amount(g)}{_period(g, relative_ok=False)}; this report has "
        f"{_subject_phrase(subject, gazetteer)} {_amount(f)}"
        f"{_period(f, relative_ok=True)}."
    )
    return CitedSentence(
        text=text, composed=True,
        citations=[Citation(article_id=article.id, sentence=f.span.sentence),
                   Citation(article_id=prev.id, sentence=g.span.sentence)],
    )


def what_changed(
    article: Article, enrichment: Enrichment, summary: set[int],
    prior: list[PriorArticle], gazetteer: Gazetteer,
) -> list[CitedSentence]:
    figures = headline_figures(enrichment, summary)
    comparison = compare_with_earlier(article, figures, prior, gazetteer)
    room = MAX_BULLETS - (comparison is not None)
    groups: list[list[int]] = []
    taken: set[int] = set()
    for f in figures:
        if len(groups) >= min(room, MAX_FIGURE_BULLETS + (comparison is None)):
            break
        group = _with_expectation(article, enrichment, f)
        if taken.intersection(group):
            continue
        taken.update(group)
        groups.append(group)
    bullets = [_copy(article, g) for g in sorted(groups)]
    if comparison is not None:
        bullets.append(comparison)
    return bullets


# --- voices ------------------------------------------------------------------------------


def voice_bullets(article: Article, quotes: list[BriefQuote]) -> list[CitedSentence]:
    """One bullet per speaker (people before groups, direct words before reported
    speech), in reading order."""
    first: dict[str, BriefQuote] = {}
    for q in quotes:
        if q.speaker is None:
            continue
        have = first.get(q.speaker)
        if have is None or (have.kind == "reported" and q.kind == "direct"):
            first[q.speaker] = q
    chosen = sorted(first.values(), key=lambda q: (
        q.speaker_role is None and " " not in (q.speaker or ""), q.kind != "direct",
        q.citations[0].sentence))[:MAX_BULLETS]
    chosen.sort(key=lambda q: q.citations[0].sentence)
    return [voice_bullet(article, q) for q in chosen]


def voice_bullet(article: Article, q: BriefQuote) -> CitedSentence:
    """The quote's sentence when it names the speaker (and role), else a composed
    "Speaker, role: “words”" citing the quote and the sentences that name them."""
    own = [c.sentence for c in q.citations]
    single = len(own) == 1 and speaker_in(q.speaker or "", article.sentences[own[0]])
    if single and (q.speaker_role is None
                   or normalise(q.speaker_role) in normalise(article.sentences[own[0]])):
        return _copy(article, own)
    who = q.speaker or ""
    if q.speaker_role:
        who += f", {q.speaker_role}"
    words = q.text.rstrip(",;: ")
    said = f"“{words}”" if q.kind == "direct" else words
    if q.kind == "direct" and not words.endswith((".", "!", "?")):
        said += "."
    return CitedSentence(text=f"{who}: {said}", composed=True, citations=list(q.citations))


def unattributed_quotes(article: Article, quotes: list[BriefQuote]) -> dict[int, BriefQuote]:
    """Sentences that are a quote whose speaker another sentence names: as a bullet they
    need the speaker put back."""
    out: dict[int, BriefQuote] = {}
    for q in quotes:
        if q.kind != "direct" or q.speaker is None:
            continue
        words = normalise(q.text).strip(" ,.;:")
        for c in q.citations:
            sentence = article.sentences[c.sentence]
            if words in normalise(sentence) and not speaker_in(q.speaker, sentence):
                out[c.sentence] = q
    return out


# --- the questions -----------------------------------------------------------------------


def build_insights(
    article: Article,
    enrichment: Enrichment,
    scores: list[float],
    summary: list[int],
    quotes: list[BriefQuote] | None = None,
    prior: list[PriorArticle] | None = None,
    gazetteer: Gazetteer | None = None,
    shown: frozenset[int] = frozenset(),
) -> list[Insight]:
    """3-4 questions with up to 3 cited bullets each. `shown` are sentences the brief
    already quotes in full elsewhere (its Risks list): bullets prefer others."""
    focus, topic = focus_of(enrichment.topics)
    n = len(article.sentences)
    usable = [i for i in range(n) if word_len(article.sentences[i]) >= 6] or list(range(n))
    in_summary = set(summary)
    used: set[int] = set()
    roles = sentence_roles(tuple(article.sentences))
    focus_evidence = topic.evidence[:2] if topic else []
    insights: list[Insight] = []

    def rank(cands: list[int], key: dict[int, float] | None = None) -> list[int]:
        # Sentences the brief shows elsewhere (the Risks list) last; then stronger first,
        # then fresh (not used by another question, not in the summary), more relevant.
        return sorted(cands, key=lambda i: (i in shown, -(key or {}).get(i, 0), i in used,
                                            i in in_summary, -scores[i]))

    def ask(template: str, bullets: list[CitedSentence]) -> None:
        if bullets and len(insights) < MAX_QUESTIONS:
            for b in bullets:
                used.update(c.sentence for c in b.citations if c.article_id == article.id)
            insights.append(_insight(article, template.format(focus=focus), bullets,
                                     focus_evidence))

    speakerless = unattributed_quotes(article, quotes or [])

    def pick(cands: list[int], key: dict[int, float] | None = None) -> list[CitedSentence]:
        chosen = sorted(rank(cands, key)[:MAX_BULLETS])
        return [voice_bullet(article, speakerless[i]) if i in speakerless
                else _copy(article, [i]) for i in chosen]

    if gazetteer is not None:
        # "What changed in banking?", not "... in developments in banking?"
        bullets = what_changed(article, enrichment, in_summary, prior or [], gazetteer)
        if bullets and len(insights) < MAX_QUESTIONS:
            used.update(c.sentence for b in bullets for c in b.citations
                        if c.article_id == article.id)
            insights.append(_insight(article, CHANGED.format(
                focus=focus.removeprefix("developments in ")), bullets, focus_evidence))
    ask(VOICES, voice_bullets(article, quotes or []))
    signal_weight: dict[int, float] = {}
    for s in enrichment.signals:
        for i in s.sentences:
            if 0 <= i < n:
                signal_weight[i] = signal_weight.get(i, 0) + 1
    # A question is asked only when it has sentences no earlier question used.
    risky = [i for i in usable if (i in signal_weight or "risk" in roles[i]) and i not in used]
    ask(RISKS, pick(risky, {i: min(signal_weight.get(i, 0), 1) for i in risky}))
    # Only sentences with an outlook cue can look forward.
    strength = {i: forward_strength(article.sentences[i]) for i in usable
                if "outlook" in roles[i]}
    ahead = [i for i in strength if strength[i] > 0 and i not in used]
    ask(WATCH, pick(ahead, {i: float(strength[i]) for i in ahead}))
    if len(insights) < MIN_QUESTIONS:
        drivers = [i for i in usable if "driver" in roles[i] and i not in used]
        ask(DRIVERS, pick(drivers))
    fallbacks = iter(FALLBACKS)
    while len(insights) < MIN_QUESTIONS and usable:
        rest = [i for i in usable if i not in used] or usable
        ask(next(fallbacks), pick(rest))
    return insights


def _insight(
    article: Article, question: str, bullets: list[CitedSentence], focus: list[int]
) -> Insight:
    cited = focus or [c.sentence for c in bullets[0].citations[:1]]
    return Insight(
        question=CitedSentence(
            text=question,
            citations=[Citation(article_id=article.id, sentence=i) for i in cited],
        ),
        bullets=bullets,
    )
