"""Online story clustering: each new article joins the best existing story or starts one.

An article is compared with every story that shares a word or a name with it. The score
of a story is a weighted average-link similarity, damped by time:

    score = (W_WORDS * words + W_NAMES * names + W_EMBEDDING * embedding) * decay(gap)
            * (CONFLICT_FACTOR if the article's event marks contradict the story's,
               or the two swap protagonists)

where each similarity is the mean cosine between the article and the story's members
(computed exactly from the sum of the members' unit vectors), and `gap` is how far the
article's date lies outside the story's first..last seen. Event marks (relate/marks.py)
are what the text says about which occurrence it reports: a person's age, "the 12th
Doctor", a reversal ("overturns"); a swap of protagonists (relate/protagonists.py) is an
article that leads with a person the story never named while the person the story keeps
naming fades. Both matter where dates cannot help, for undated text. The article joins the
best-scoring story when the score reaches THRESHOLD, else it starts a new story. Ties go
to the older story, so the same articles in the same order always give the same stories.

A story also records as `related` the stories its members fitted at the threshold
without joining them: a close competitor, or the earlier story that time decay had
closed, which this one continues. They never change where an article goes; Background
draws on them.

Settings are fixed in code (`StorySettings` defaults) and were chosen on the ECB+ dev
file (see docs/design-notes.md, "Stories"); bench/stories_eval.py runs this same code.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter

import numpy as np

from newsdesk.models import Figure, Story, TimelineEntry
from newsdesk.relate.features import (
    ArticleTerms,
    OnlineIdf,
    SparseVector,
    article_terms,
    content_words,
    dot,
)
from newsdesk.relate.marks import EventMarks, SeenMarks
from newsdesk.relate.protagonists import NO_PEOPLE, People, SeenPeople


@dataclass(frozen=True)
class StorySettings:
    """Weights and thresholds of story assignment (defaults chosen on ECB+ dev)."""

    word_weight: float = 0.5
    name_weight: float = 0.5
    embedding_weight: float = 0.0  # embeddings did not help on ECB+ dev; see design notes
    threshold: float = 0.2
    grace_days: float = 2.0  # no decay while an article is this close to the story's dates
    half_life_days: float = 4.0  # then the score halves every this many days
    candidate_terms: int = 12  # stories sharing one of the article's top words/names
    max_candidates: int = 12  # of those, fully scored: the best on the top terms alone
    # Score kept when the article's event marks (a person's age, a headline ordinal)
    # contradict the story's, or when it leads with a person the story never named while
    # the story's constant person fades (relate/protagonists.py): likely another
    # occurrence of the same kind of event. Half, not nothing, so a near-copy of the
    # story's reports still joins despite a misread mark.
    conflict_factor: float = 0.5
    protagonists: bool = True  # whether a swap of protagonists counts as a conflict


DEFAULT_SETTINGS = StorySettings()
# What the desk uses on a feed: storylines that live for months (a desk that follows one
# subject sees an article on it every few weeks, not every day), with the threshold at
# the low end of the ECB+ plateau (0.16-0.24). Time decay is all that differs from
# DEFAULT_SETTINGS, and ECB+ has no dates. See docs/design-notes.md.
FEED_SETTINGS = StorySettings(threshold=0.16, grace_days=45.0, half_life_days=90.0)


@dataclass(frozen=True)
class StoryArticle:
    """What story assignment needs to know about an article."""

    id: str
    title: str
    text: str
    published_at: datetime | None = None
    summary: str | None = None  # one line for the timeline; the title when absent
    figure: Figure | None = None  # the key figure shown on the timeline
    entities: tuple[str, ...] = ()  # canonical entity names from the analysis
    embedding: Sequence[float] | np.ndarray | None = None


@dataclass(frozen=True)
class Candidate:
    story_id: str
    score: float
    words: float
    names: float
    embedding: float
    decay: float
    conflict: bool = False  # event marks contradict the story's, or protagonists swap
    undecayed: float = 0.0  # the score before time decay


@dataclass
class _Member:
    article_id: str
    title: str
    order: int
    published_at: datetime | None
    summary: str
    figure: Figure | None
    title_terms: frozenset[str]


@dataclass
class _Story:
    index: int
    id: str
    words: SparseVector = field(default_factory=dict)  # sum of members' unit vectors
    names: SparseVector = field(default_factory=dict)
    embedding: np.ndarray | None = None
    embedded: int = 0  # members that had an embedding
    members: list[_Member] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    marks: SeenMarks = field(default_factory=SeenMarks)  # the members' event marks
    people: SeenPeople = field(default_factory=SeenPeople)  # whom the members name
    # story id -> best score a member reached there without joining: a story the member
    # would have joined but for time (the running story it continues), or also fitted
    related: dict[str, float] = field(default_factory=dict)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def story_id_for(article_id: str) -> str:
    """A story is named after the article that started it."""
    return "s" + hashlib.sha256(article_id.encode()).hexdigest()[:15]


_BY_WEIGHT_THEN_TERM = itemgetter(1, 0)
RELATED_FADED = 1  # stories too old to join that are still scored, for `related`
MAX_RELATED = 5  # related stories a story record lists, best first


def _related_list(story: _Story) -> list[str]:
    """The story's related stories, best score first (id on ties), at most MAX_RELATED."""
    ranked = sorted(story.related.items(), key=lambda kv: (-kv[1], kv[0]))
    return [sid for sid, _ in ranked][:MAX_RELATED]


class StoryIndex:
    """The stories built so far, and the online IDF they are weighted with.

    Pure and in memory: a store rebuilds it by replaying articles in their stored order
    (which gives the same stories), or keeps it alive in the process that ingests."""

    def __init__(self, settings: StorySettings = DEFAULT_SETTINGS) -> None:
        self.settings = settings
        self.word_idf = OnlineIdf()
        self.name_idf = OnlineIdf()
        self._stories: list[_Story] = []
        self._by_id: dict[str, _Story] = {}
        self._story_of: dict[str, _Story] = {}
        # term -> {story index: the term's weight in that story's sum}
        self._word_postings: dict[str, dict[int, float]] = {}
        self._name_postings: dict[str, dict[int, float]] = {}
        self._sizes = np.zeros(64, dtype=np.float64)  # members per story, by story index
        self._arrivals = 0

    def __len__(self) -> int:
        return len(self._stories)

    def story_of(self, article_id: str) -> str | None:
        story = self._story_of.get(article_id)
        return story.id if story else None

    # --- scoring ------------------------------------------------------------------------

    def _vectors(self, terms: ArticleTerms) -> tuple[SparseVector, SparseVector]:
        return self.word_idf.weigh(terms.words), self.name_idf.weigh(terms.names)

    def _decay(self, story: _Story, when: datetime | None) -> float:
        if when is None or story.first_seen is None or story.last_seen is None:
            return 1.0
        if when < story.first_seen:
            gap = (story.first_seen - when).total_seconds()
        elif when > story.last_seen:
            gap = (when - story.last_seen).total_seconds()
        else:
            return 1.0
        days = gap / 86400.0 - self.settings.grace_days
        return 1.0 if days <= 0 else 0.5 ** (days / self.settings.half_life_days)

    def _score(
        self,
        words: SparseVector,
        names: SparseVector,
        embedding: np.ndarray | None,
        when: datetime | None,
        marks: EventMarks,
        people: People = NO_PEOPLE,
        name_counts: Mapping[str, int] | None = None,
        faded: int = 0,
    ) -> list[Candidate]:
        """Candidates with their scores. `faded`: how many of the stories skipped as too
        far away in time (best on the top terms first) to score as well, undecayed, for
        `related`; their decayed score stays under the threshold."""
        s = self.settings
        stories = self._stories
        ceiling = s.word_weight + s.name_weight + s.embedding_weight
        # Candidates: stories holding one of the article's most heavily weighted words or
        # names (rare, specific terms). A story that shares none of them cannot come near
        # the threshold, and common words would otherwise make every story a candidate.
        # Each is first scored on those top terms only (a partial dot product read off the
        # postings); only the `max_candidates` best of them get the full score, so the
        # cost per article stops growing with the number of stories that share a
        # moderately common term.
        count = len(stories)
        ids: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for vec, postings, weight in ((words, self._word_postings, s.word_weight),
                                      (names, self._name_postings, s.name_weight)):
            if weight:
                top = heapq.nlargest(s.candidate_terms, vec.items(),
                                     key=_BY_WEIGHT_THEN_TERM)
                for term, w in top:
                    post = postings.get(term)
                    if post:
                        ids.append(np.fromiter(post.keys(), np.int64, len(post)))
                        weights.append(
                            np.fromiter(post.values(), np.float64, len(post)) * (weight * w))
        shortlist: list[tuple[float, int]] = []
        if ids and count:
            # Summed in a fixed order (postings keep story order), so re-runs agree.
            partial = np.bincount(np.concatenate(ids), weights=np.concatenate(weights),
                                  minlength=count) / self._sizes[:count]
            hits = np.flatnonzero(partial)
            keep = 3 * s.max_candidates
            if len(hits) > keep:
                hits = hits[np.argpartition(-partial[hits], keep - 1)[:keep]]
            shortlist = sorted(((float(partial[i]), -int(i)) for i in hits), reverse=True)
        ranked: list[tuple[float, int]] = []
        old_ones: list[int] = []
        for p, neg in shortlist:
            decay = self._decay(stories[-neg], when)
            if decay * ceiling >= s.threshold:  # else too far away in time to reach it
                ranked.append((-p * decay, -neg))
            elif len(old_ones) < faded:
                old_ones.append(-neg)
        ranked.sort()
        found = [i for _, i in ranked[:s.max_candidates]]
        if s.embedding_weight and embedding is not None:
            found = sorted({*found, *(st.index for st in stories if st.embedded)})
        out = []
        for i in sorted({*found, *old_ones}):
            story = stories[i]
            decay = self._decay(story, when)
            if decay * ceiling < s.threshold and i not in old_ones:
                continue  # too far away in time to reach the threshold at any similarity
            size = len(story.members)
            wsim = dot(words, story.words) / size
            nsim = dot(names, story.names) / size
            esim = 0.0
            if s.embedding_weight and embedding is not None and story.embedding is not None:
                esim = float(story.embedding @ embedding) / story.embedded
            score = (s.word_weight * wsim + s.name_weight * nsim + s.embedding_weight * esim)
            conflict = story.marks.contradicted_by(marks) or (
                s.protagonists and name_counts is not None
                and story.people.swapped_by(people, name_counts, story.names))
            if conflict:
                score *= s.conflict_factor
            out.append(Candidate(story.id, score * decay, wsim, nsim, esim, decay, conflict,
                                 undecayed=score))
        return out

    def candidates(self, article: StoryArticle) -> list[Candidate]:
        """How well each story that shares a term fits `article` (best first), without
        adding it. The IDF is the one the article would be weighed with."""
        terms = article_terms(article.title, article.text, article.entities)
        words = self.word_idf.weigh(terms.words, pending=True)
        names = self.name_idf.weigh(terms.names, pending=True)
        found = self._score(words, names, _as_vector(article.embedding),
                            _utc(article.published_at), terms.marks, terms.people,
                            terms.names)
        order = {st.id: st.index for st in self._stories}
        return sorted(found, key=lambda c: (-c.score, order[c.story_id]))

    # --- assignment ---------------------------------------------------------------------

    def add(self, article: StoryArticle, terms: ArticleTerms | None = None) -> str:
        """Assign `article` to a story (joining or starting one); its story id.

        `terms` may be given when `article_terms` already ran (in a worker process: it
        is pure, while assignment must run in arrival order). An article already
        assigned keeps its story."""
        known = self._story_of.get(article.id)
        if known is not None:
            return known.id
        if terms is None:
            terms = article_terms(article.title, article.text, article.entities)
        self.word_idf.add(terms.words)
        self.name_idf.add(terms.names)
        words, names = self._vectors(terms)
        embedding = _as_vector(article.embedding)
        when = _utc(article.published_at)
        best: Candidate | None = None
        best_index = -1
        scored = self._score(words, names, embedding, when, terms.marks, terms.people,
                             terms.names, faded=RELATED_FADED)
        for c in scored:
            index = self._by_id[c.story_id].index
            if best is None or c.score > best.score or (
                    c.score == best.score and index < best_index):
                best, best_index = c, index
        if best is not None and best.score >= self.settings.threshold:
            story = self._by_id[best.story_id]
        else:
            story = _Story(index=len(self._stories), id=story_id_for(article.id))
            self._stories.append(story)
            self._by_id[story.id] = story
        self._join(story, article, words, names, embedding, when, terms.marks, terms.people)
        # Stories the article fitted as well as a member would, but did not join: too old
        # by now (the running story this one continues), or beaten by this one.
        for c in scored:
            if c.story_id != story.id and c.undecayed >= self.settings.threshold:
                story.related[c.story_id] = max(c.undecayed, story.related.get(c.story_id, 0.0))
        return story.id

    def extend(self, articles: Iterable[StoryArticle]) -> list[str]:
        return [self.add(a) for a in articles]

    def _join(
        self,
        story: _Story,
        article: StoryArticle,
        words: SparseVector,
        names: SparseVector,
        embedding: np.ndarray | None,
        when: datetime | None,
        marks: EventMarks,
        people: People = NO_PEOPLE,
    ) -> None:
        si = story.index
        for vec, total, postings in ((words, story.words, self._word_postings),
                                     (names, story.names, self._name_postings)):
            get = postings.get
            for term, w in vec.items():
                summed = total[term] = total.get(term, 0.0) + w
                post = get(term)
                if post is None:  # (setdefault would build a dict for every term)
                    postings[term] = {si: summed}
                else:
                    post[si] = summed
        if embedding is not None:
            story.embedding = embedding.copy() if story.embedding is None else (
                story.embedding + embedding)
            story.embedded += 1
        story.marks.add(marks)
        story.people.add(people)
        if when is not None:
            story.first_seen = when if story.first_seen is None else min(story.first_seen, when)
            story.last_seen = when if story.last_seen is None else max(story.last_seen, when)
        story.members.append(_Member(
            article_id=article.id, title=article.title, order=self._arrivals,
            published_at=when, summary=(article.summary or article.title).strip(),
            figure=article.figure, title_terms=frozenset(content_words(article.title)),
        ))
        if story.index >= len(self._sizes):
            self._sizes = np.concatenate([self._sizes, np.zeros_like(self._sizes)])
        self._sizes[story.index] = len(story.members)
        self._arrivals += 1
        self._story_of[article.id] = story

    # --- records ------------------------------------------------------------------------

    def stories(self) -> list[Story]:
        """Every story as a record, in the order the stories started."""
        return [self._record(s) for s in self._stories]

    def related(self) -> dict[str, list[str]]:
        """Story id -> its related stories as its record lists them (maybe none), for
        every story: cheaper than building every record, to check the stored ones."""
        return {s.id: _related_list(s) for s in self._stories}

    def story(self, story_id: str) -> Story:
        return self._record(self._by_id[story_id])

    def _record(self, story: _Story) -> Story:
        members = story.members
        timeline_order = sorted(
            members, key=lambda m: (m.published_at is None, m.published_at or _EPOCH, m.order))
        series: dict[str, list[Figure]] = {}
        for m in timeline_order:
            if m.figure is not None:
                series.setdefault(_series_key(m.figure), []).append(m.figure)
        return Story(
            id=story.id,
            label=self._label(story),
            article_ids=[m.article_id for m in members],
            first_seen=story.first_seen,
            last_seen=story.last_seen,
            timeline=[TimelineEntry(article_id=m.article_id, date=m.published_at,
                                    summary=m.summary, figure=m.figure)
                      for m in timeline_order],
            figure_series=series,
            related=_related_list(story),
        )

    def _label(self, story: _Story) -> str:
        """The member title that best covers the story's words: sum of the story's word
        weights over the title's words, over the square root of the title's length (so
        neither a one-word nor a run-on headline wins by length). Earliest wins ties."""
        best, best_score = story.members[0].title, -1.0
        for m in story.members:
            if not m.title_terms:
                continue
            score = sum(story.words.get(t, 0.0) for t in m.title_terms) / math.sqrt(
                len(m.title_terms))
            if score > best_score:
                best, best_score = m.title, score
        return best.strip()


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _series_key(figure: Figure) -> str:
    return figure.subject or figure.unit or "figure"


def _as_vector(value: Sequence[float] | np.ndarray | None) -> np.ndarray | None:
    if value is None:
        return None
    vec = np.asarray(value, dtype=np.float32)
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm > 0 else None
