"""The records every stage reads and writes, in one module.

Stages are plain functions over these pydantic models, so a record can be pickled to a
worker process, stored as JSON, or exported as a versioned JSON Schema (`newsdesk schema`).
Bump SCHEMA_VERSION when a field changes meaning or is removed; adding an optional field
does not need a bump.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = "1.0"
T = TypeVar("T")


class Record(BaseModel):
    """Base for all records: unknown fields are errors, so typos in JSON input surface."""

    model_config = ConfigDict(extra="forbid")


# --- ingest -----------------------------------------------------------------------------


class RawDocument(Record):
    """What a reader hands to normalisation: text plus whatever metadata the format had."""

    origin: str = Field(description="Where it came from: a path, URL, 'stdin' or 'path#line'.")
    title: str | None = None
    text: str
    url: str | None = None
    source: str | None = None
    authors: list[str] = Field(default_factory=list)
    published_raw: str | None = Field(
        default=None, description="The publication time exactly as the source gave it."
    )
    published_at: datetime | None = None
    language: str | None = None
    category: str | None = Field(default=None, description="Section/region line, e.g. 'Global'.")
    source_tags: list[str] = Field(
        default_factory=list, description="Tag lines the source itself printed."
    )
    format: Literal["text", "html", "json", "jsonl"] = "text"


class Article(Record):
    """One normalised article. `sentences` are the unit every citation points into."""

    id: str = Field(description="Stable id: hash of the canonical URL, else of the text.")
    url: str | None = None
    title: str
    source: str | None = None
    authors: list[str] = Field(default_factory=list)
    published_at: datetime | None = Field(
        default=None, description="Timezone-aware; the original UTC offset is kept."
    )
    published_raw: str | None = None
    language: str = "en"
    category: str | None = None
    source_tags: list[str] = Field(default_factory=list)
    text: str
    sentences: list[str]
    word_count: int
    read_time_minutes: int
    content_hash: str = Field(description="sha256 of the normalised text: exact duplicates.")
    duplicate_of: str | None = None
    origin: str | None = None
    format: str = "text"


# --- analyze ----------------------------------------------------------------------------


class Span(Record):
    """A character span inside one sentence of an article."""

    sentence: int
    start: int
    end: int


class Entity(Record):
    name: str
    type: Literal["person", "organisation", "country", "bloc", "place", "other"]
    canonical: str
    role: str | None = Field(default=None, description="'Foreign Minister', 'analyst at ...'.")
    region: str | None = None
    mentions: int = 0
    sentences: list[int] = Field(default_factory=list)
    spans: list[Span] = Field(default_factory=list)


class Quote(Record):
    """Who said what: their words (direct) or reported speech, with the speaker resolved."""

    speaker: str | None = Field(default=None, description="Full name, organisation, or a "
                                "group such as 'analysts'; None when the text does not say.")
    speaker_role: str | None = None
    text: str
    kind: Literal["direct", "reported"] = "direct"
    sentences: list[int] = Field(default_factory=list, description="Sentences it spans.")
    span: Span | None = None


class Period(Record):
    """When a figure applies: the words the article used, resolved where possible."""

    text: str = Field(description="As written: 'the first two months of 2024', 'last year'.")
    year: int | None = None
    month: int | None = Field(default=None, ge=1, le=12)
    quarter: int | None = Field(default=None, ge=1, le=4)
    half: int | None = Field(default=None, ge=1, le=2)
    months: int | None = Field(default=None, description="'first two months' -> 2.")


class Baseline(Record):
    """What a figure is compared with: a forecast, an earlier value, another figure."""

    kind: Literal["forecast", "previous", "comparison"]
    value: float
    value_high: float | None = None
    unit: str | None = None
    source: str | None = Field(default=None, description="'Reuters poll', 'economists'.")
    text: str = Field(description="The evidence words, e.g. 'a Reuters poll forecast of 1.9%'.")


class Figure(Record):
    """One quantity in one sentence, normalised: '$37 billion' -> 3.7e10 USD."""

    text: str = Field(description="The quantity as written.")
    value: float
    value_high: float | None = Field(default=None, description="Upper end of a range.")
    unit: str | None = Field(
        default=None,
        description="'percent', 'percentage point', an ISO currency code, a measure "
        "('barrel per day', 'tonne') or, for counts, the counted noun.",
    )
    currency: str | None = None
    kind: Literal["level", "change", "share", "count"] = "level"
    direction: Literal["up", "down", "none"] = "none"
    qualifier: Literal["exact", "approximate", "more_than", "less_than"] = "exact"
    subject: str | None = Field(default=None, description="What it measures.")
    period: Period | None = None
    baseline: Baseline | None = None
    role: Literal["figure", "baseline"] = Field(
        default="figure", description="'baseline' when it is another figure's comparison."
    )
    span: Span


class Signal(Record):
    """A risk the article reports, with the sentences that report it."""

    kind: Literal["sanctions", "secondary_sanctions", "tariffs", "export_controls",
                  "conflict", "default", "payment_disruption"]
    sentences: list[int] = Field(default_factory=list)


class Topic(Record):
    """A tag with the score that kept it above the threshold and the sentences behind it."""

    tag: str = Field(description="Theme id, or 'pair:china-russia:trade' for country pairs.")
    label: str
    group: str
    score: float
    evidence: list[int] = Field(default_factory=list, description="Sentence indexes.")


class Enrichment(Record):
    """Everything the analyze stage learned about one article."""

    article_id: str
    version: str = SCHEMA_VERSION
    topics: list[Topic] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    speakers_scanned: bool = Field(
        default=False, description="People, organisations and quotes were looked for "
        "(false in enrichments stored before ingest found them: briefs then look).")
    figures: list[Figure] = Field(default_factory=list)
    signals: list[Signal] = Field(default_factory=list)
    tone: float = Field(default=0.0, description="Rising minus falling figures minus half "
                        "the risk sentences, per sentence, in [-1, 1].")
    region: str | None = None
    category: str | None = None
    background_cues: list[int] = Field(
        default_factory=list, description="Sentences about earlier events or context."
    )
    sentence_roles: list[str] = Field(
        default_factory=list,
        description="Cue roles per sentence as letters: c context, d driver, r risk, "
        "o outlook, a attribution, q quote, f figure.",
    )


class PriorFacts(BaseModel):
    """What a brief reads of an earlier article's stored enrichment: its figures (set
    beside today's) and the cue roles of its sentences (Background). Parsed from the same
    JSON, skipping the entities, quotes and the rest, which are most of the cost of a full
    parse; a brief reads several earlier articles."""

    model_config = ConfigDict(extra="ignore")

    article_id: str
    figures: list[Figure] = Field(default_factory=list)
    sentence_roles: list[str] = Field(default_factory=list)


# An earlier article with what a brief needs of its analysis (None when not analysed).
PriorArticle = tuple[Article, "Enrichment | PriorFacts | None"]


# --- brief ------------------------------------------------------------------------------


class Citation(Record):
    article_id: str
    sentence: int = Field(ge=0, description="Index into Article.sentences.")


class CitedSentence(Record):
    """A sentence of a brief and the source sentences it rests on."""

    text: str
    citations: list[Citation] = Field(min_length=1)
    composed: bool = Field(
        default=False, description="True when the text is written from its citations rather "
        "than copied from them; the verifier then checks every figure, quoted word and name."
    )
    generated: bool = Field(
        default=False, description="True when a language model wrote it: besides the "
        "composed checks, every content word must be in the cited sentences (factcheck).")


class Insight(Record):
    question: CitedSentence
    bullets: list[CitedSentence] = Field(min_length=1)


class KeyFigure(Record):
    """A figure shown in the brief's Key Figures table, with the sentence it comes from."""

    figure: Figure
    citation: Citation


class BriefQuote(Record):
    """A quote shown in the brief: who said it, in what capacity, and where."""

    speaker: str | None = None
    speaker_role: str | None = None
    text: str = Field(description="The speaker's words (direct) or the reported statement.")
    kind: Literal["direct", "reported"] = "direct"
    citations: list[Citation] = Field(
        min_length=1, description="The sentences of the quote, and the one naming the speaker."
    )


class Risk(Record):
    """Risk signals the article reports, with the sentence that evidences them."""

    kinds: list[str] = Field(min_length=1, description="Signal kinds, e.g. 'sanctions'.")
    evidence: CitedSentence


class SourceRef(Record):
    """An article a brief cites besides its own subject (Background from earlier coverage)."""

    article_id: str
    title: str
    source: str | None = None
    published_at: datetime | None = None


class LlmUsage(Record):
    """What a brief cost on the language model: per brief, so a desk can see its spend."""

    model: str
    base_url: str = ""
    calls: int = Field(default=0, description="Requests answered (cached ones included).")
    cached_calls: int = Field(default=0, description="Answers read from the cache: free.")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = Field(default=0.0, description="Seconds spent waiting on the server.")
    evidence_sentences: int = Field(default=0, description="Numbered sentences in the prompt.")
    evidence_left_out: int = Field(
        default=0, description="Sentences left out of the prompt to fit its token budget.")


_CITE_NUMBER = re.compile(r"(?<![\w.])-?\d+(?![\w.])")


class LlmSentence(BaseModel):
    """One sentence of a model's answer and the evidence numbers it rests on. Lenient
    (extra keys ignored, "3" read as 3): models decorate their JSON."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1)
    cites: list[int] = Field(default_factory=list)

    @field_validator("cites", mode="before")
    @classmethod
    def _evidence_numbers(cls, value: Any) -> list[int]:
        """The numbers in what the model wrote (3, "3", "[3, 4]", ["[3]", "B1"]), leaving
        out what is none ("B1", 1.5, null): one sentence's odd list must not make the
        whole answer unusable; the verifier then judges the sentence by what is left."""
        out: list[int] = []
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, bool):
                continue
            if isinstance(item, int) or (isinstance(item, float) and item.is_integer()):
                out.append(int(item))
            elif isinstance(item, str):
                out += [int(n) for n in _CITE_NUMBER.findall(item)]
        return out


class LlmInsight(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: str = Field(min_length=1)
    bullets: list[LlmSentence] = Field(default_factory=list)

    @field_validator("bullets", mode="before")
    @classmethod
    def _null_is_none(cls, value: Any) -> Any:
        return [] if value is None else value


class LlmAnswer(BaseModel):
    """The JSON a model must answer with; every sentence is verified before it is shown."""

    model_config = ConfigDict(extra="ignore")

    summary: list[LlmSentence] = Field(min_length=1)
    background: list[LlmSentence] = Field(default_factory=list)
    insights: list[LlmInsight] = Field(default_factory=list)

    @field_validator("background", "insights", mode="before")
    @classmethod
    def _null_is_none(cls, value: Any) -> Any:
        """"background": null is a model's way of saying none."""
        return [] if value is None else value


class Drop(Record):
    section: str
    text: str
    reason: str


class VerificationReport(Record):
    checked: int = 0
    passed: int = 0
    dropped: list[Drop] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.dropped


class TagRef(Record):
    tag: str
    label: str
    score: float


class Brief(Record):
    version: str = SCHEMA_VERSION
    article_id: str
    title: str
    category: str | None = None
    region: str | None = None
    source: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    read_time_minutes: int
    tags: list[TagRef] = Field(default_factory=list)
    summary: list[CitedSentence] = Field(default_factory=list)
    background: list[CitedSentence] = Field(default_factory=list)
    background_origin: Literal["store", "article", "none"] = "none"
    background_note: str = ""
    references: list[SourceRef] = Field(default_factory=list)
    insights: list[Insight] = Field(default_factory=list)
    key_figures: list[KeyFigure] = Field(default_factory=list)
    quotes: list[BriefQuote] = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list)
    entities: list[Entity] = Field(
        default_factory=list, description="People, organisations and places the article "
        "names, with the sentences that name them (spans left out)."
    )
    engine: str = Field(default="extractive", description="'extractive' or 'llm:MODEL'.")
    engine_note: str = Field(
        default="", description="Why the brief is not by the engine asked for (the model "
        "could not be reached...), or what the engine did that a reader should know.")
    llm_usage: LlmUsage | None = None
    verification: VerificationReport = Field(default_factory=VerificationReport)
    created_at: datetime


# --- stories (filled in by the relate stage; shape fixed now so stores can carry it) ----


class TimelineEntry(Record):
    article_id: str
    date: datetime | None = None
    summary: str
    figure: Figure | None = None


class Story(Record):
    id: str
    label: str
    article_ids: list[str] = Field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    timeline: list[TimelineEntry] = Field(default_factory=list)
    figure_series: dict[str, list[Figure]] = Field(default_factory=dict)
    related: list[str] = Field(default_factory=list, description=(
        "Stories a member fitted without joining, best first: above all the earlier story "
        "it would have joined but for time, the running story this one continues."))


# --- store & reports --------------------------------------------------------------------


class QuarantineItem(Record):
    id: int | None = None
    origin: str
    reason: str
    created_at: datetime
    payload_size: int | None = None
    item_id: int | None = Field(default=None, description="The live journal item, if any.")
    attempts: int = 0
    next_retry: datetime | None = None
    resolved_at: datetime | None = None


class IngestOutcome(Record):
    origin: str
    status: Literal["accepted", "updated", "duplicate", "unchanged", "quarantined"]
    article_id: str | None = None
    duplicate_of: str | None = None
    similarity: float | None = Field(
        default=None, description="For a near-duplicate: estimated Jaccard similarity of "
        "its shingles with the original's (1.0 for an exact copy).")
    reason: str | None = None
    title: str | None = None


class IngestReport(Record):
    outcomes: list[IngestOutcome] = Field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


# --- live desk ----------------------------------------------------------------------------


class LiveSource(Record):
    """A source the watch loop polls: a feed, a page, a news sitemap or a folder."""

    name: str = Field(description="Unique name, used in logs, the journal and the CLI.")
    kind: Literal["feed", "page", "sitemap", "folder"]
    url: str | None = Field(default=None, description="feed, page and sitemap sources.")
    path: str | None = Field(default=None, description="folder sources.")
    interval: int = Field(default=600, ge=5, le=366 * 86400,
                          description="Seconds between polls (at most a year).")
    local: bool = Field(
        default=False,
        description="Allow loopback/private addresses (a feed on this machine or LAN).")
    rate: float = Field(default=1.0, ge=0, description="Requests per second to its host.")
    fetch_pages: Literal["auto", "always", "never"] = Field(
        default="auto",
        description="Fetch each item's page: auto = when the feed carries only a summary.")
    max_items: int = Field(default=500, ge=1, description="Most items recorded per poll.")

    @property
    def target(self) -> str:
        return self.url or self.path or ""


class AlertRule(Record):
    """A watchlist entry. `kind` says which fields matter:
    tag/entity/keyword: `value`; figure: `subject` and `below` and/or `above`;
    new_story: `value` (a tag; empty = any tag); spike: `value` (a tag), `factor`,
    `days`, `min_count`."""

    name: str
    kind: Literal["tag", "entity", "keyword", "figure", "new_story", "spike"]
    value: str | None = None
    subject: str | None = None
    # Finite (a NaN threshold never fires) and bounded (a spike over a million days
    # overflowed the date arithmetic and failed every pass before alerts were delivered).
    below: float | None = Field(default=None, allow_inf_nan=False)
    above: float | None = Field(default=None, allow_inf_nan=False)
    figure_kind: Literal["change", "level", "share", "any"] = "change"
    factor: float = Field(default=2.0, gt=0, allow_inf_nan=False)
    days: int = Field(default=7, ge=1, le=3660)
    min_count: int = Field(default=3, ge=1)


class AlertArticle(Record):
    id: str
    title: str
    url: str | None = None
    published_at: datetime | None = None
    evidence: str | None = Field(default=None, description="The sentence that fired it.")


class AlertEvent(Record):
    """One alert: the rule that fired, when, and the articles that fired it."""

    id: int | None = None
    rule: str
    kind: str
    key: str = Field(description="What makes it unique per rule (delivered once).")
    title: str
    created_at: datetime
    articles: list[AlertArticle] = Field(default_factory=list)


class SourceStatus(Record):
    """A configured source with what the journal knows about it."""

    source: LiveSource
    last_poll: datetime | None = None
    next_poll: datetime | None = None
    last_status: str | None = None
    last_error: str | None = None
    items: int = 0
    pending: int = 0
    failed: int = 0


class WatchReport(Record):
    """One pass of the watch loop."""

    polled: int = 0
    poll_errors: int = 0
    new_items: int = 0
    processed: int = 0
    accepted: int = 0
    updated: int = 0
    duplicates: int = 0
    unchanged: int = 0
    quarantined: int = 0
    briefs: int = 0
    embedded: int = 0  # new articles given a vector (when the desk keeps vectors)
    alerts: int = 0
    delivered: int = 0


class FigurePoint(Record):
    """One figure of a series across stored articles."""

    article_id: str
    title: str
    source: str | None = None
    published_at: datetime | None = None
    figure: Figure


class SearchFilters(Record):
    """Which articles a search, the feed or a count may return (originals only, always).

    One record for the store, the desk, the CLI and the web, so a new filter is added in
    one place. `entity` is a country or bloc the analysis found; `source` matches part of
    the outlet's name; `since` and `until` bound the publication time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tag: str | None = None
    entity: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return any(v is not None for v in (self.tag, self.entity, self.source, self.since,
                                           self.until))


NO_FILTERS = SearchFilters()


class SearchHit(Record):
    article_id: str
    title: str
    source: str | None = None
    published_at: datetime | None = None
    score: float
    snippet: str
    tags: list[str] = Field(default_factory=list)


# --- browsing (the web API's read views over the store) ---------------------------------


class FeedItem(Record):
    """One row of the feed: an article and the opening of its brief (or text)."""

    article_id: str
    title: str
    source: str | None = None
    category: str | None = None
    published_at: datetime | None = None
    tags: list[str] = Field(default_factory=list)
    lead: str = Field(description="First News Summary sentence, else the article's opening.")
    has_brief: bool = False


class TagCount(Record):
    """How many articles carry a tag, in total or in one period (bucket)."""

    tag: str
    label: str
    group: str | None = None
    bucket: str | None = Field(default=None, description="'2024', '2024-03' or '2024-03-07'.")
    count: int


class EntityCount(Record):
    """An entity the stored articles name, and in how many articles."""

    name: str
    type: str
    articles: int
    mentions: int


class QuoteHit(Record):
    """Who said what, where: a quote with the article it is from."""

    article_id: str
    title: str
    source: str | None = None
    published_at: datetime | None = None
    quote: Quote


class SignalCount(Record):
    """Articles reporting one kind of risk signal in one period."""

    kind: str
    bucket: str
    count: int


class StoryDetail(Record):
    """A story with the figure series of its members (subjects that recur)."""

    story: Story
    series: dict[str, list[FigurePoint]] = Field(default_factory=dict)


class ErrorDetail(Record):
    code: str = Field(description="Stable, machine-readable: 'not_found', 'invalid_input'...")
    message: str = Field(description="One line a person can act on.")


class ErrorBody(Record):
    """The body of every error response of the web API."""

    error: ErrorDetail


class Page(Record, Generic[T]):
    """A page of results: `next` is the offset of the following page, None at the end."""

    items: list[T]
    total: int | None = Field(description="All matching items; None where counting would "
                              "cost a second full search.")
    limit: int
    offset: int
    next: int | None = None


RECORDS: dict[str, type[BaseModel]] = {
    "Article": Article,
    "Enrichment": Enrichment,
    "Entity": Entity,
    "Quote": Quote,
    "Figure": Figure,
    "Signal": Signal,
    "FigurePoint": FigurePoint,
    "Topic": Topic,
    "Brief": Brief,
    "Story": Story,
    "QuarantineItem": QuarantineItem,
    "IngestReport": IngestReport,
    "SearchHit": SearchHit,
    "FeedItem": FeedItem,
    "TagCount": TagCount,
    "EntityCount": EntityCount,
    "QuoteHit": QuoteHit,
    "ErrorBody": ErrorBody,
    "LiveSource": LiveSource,
    "AlertRule": AlertRule,
    "AlertEvent": AlertEvent,
    "WatchReport": WatchReport,
}


def json_schema() -> dict[str, Any]:
    """One JSON Schema document describing every record, versioned."""
    defs: dict[str, Any] = {}
    for name, model in RECORDS.items():
        schema = model.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        defs[name] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://newsdesk.local/schema/{SCHEMA_VERSION}",
        "title": "newsdesk records",
        "version": SCHEMA_VERSION,
        "$defs": defs,
    }
