"""Text features for story clustering: content words and names, weighted by an online IDF.

Two sparse views of an article, both L2-normalised after TF-IDF weighting:

- **words**: lower-cased content words of the title and body (stopwords and one-letter
  tokens removed). This says *what kind* of event it is: "rehab", "injured reserve".
- **names**: capitalised words that are not a sentence's first function word, plus
  numbers ("Reggie", "Bush", "Saints", "52-3", "40"). Two events of the same kind differ
  mostly by who, where and how many, so this view separates them.

The IDF is *online*: document frequencies grow as articles arrive, and an article's
vector is weighted with the frequencies known at its arrival (itself included). So the
same articles in the same order always give the same vectors, and nothing is fitted on
a corpus beforehand.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from newsdesk.analyze.sentences import split_sentences
from newsdesk.relate.marks import NO_MARKS, EventMarks, event_marks
from newsdesk.relate.openers import OPENERS
from newsdesk.relate.protagonists import NO_PEOPLE, People, article_people

SparseVector = dict[str, float]

# Function words that carry no event information (English; short on purpose: the IDF
# takes care of the rest).
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on once
    only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you
    your yours yourself yourselves said says say told according one two new last first
    year years time may might must shall us mr mrs ms per via including since however
    """.split()
)
_NOT_NAMES = OPENERS  # capitalised only because they open a sentence or a headline
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]|\d[\d,.]*\d|\d")


# _TOKEN's words of two letters or more (ASCII letters either case), once "’" is "'".
_WORD_TOKEN = re.compile(r"[a-z][a-z'-]*[a-z]", re.I | re.A)


def content_words(text: str) -> list[str]:
    # findall hands back plain strings: far cheaper than a match object per token. Only
    # words are scanned: words and numbers never share a character, so the words are
    # those _TOKEN finds, and one-letter words are never content words.
    words = _WORD_TOKEN.findall(text.replace("’", "'"))
    return [w for w in map(str.lower, words) if w not in STOPWORDS]


def _names(sentences: Iterable[str]) -> list[str]:
    out: list[str] = []
    # Tokens never span a line break, so one scan of the joined sentences finds the same.
    for t in _TOKEN.findall("\n".join(sentences)):
        if t[0].isdigit():
            out.append(t.rstrip(".,"))
        elif t[0].isupper() and len(t) > 1:
            t = t.replace("’", "'")
            if t not in _NOT_NAMES:
                # "SAN DIEGO" and "San Diego" are one name.
                out.append(t if not t.isupper() or len(t) <= 4 else t.title())
    return out


@dataclass(frozen=True)
class ArticleTerms:
    """Raw term counts of one article, before weighting, its event marks (ages,
    headline ordinals: relate/marks.py) and the people it names (relate/protagonists.py)."""

    words: Counter[str]
    names: Counter[str]
    marks: EventMarks = NO_MARKS
    people: People = NO_PEOPLE


def article_terms(
    title: str, text: str, extra_names: Iterable[str] = (),
    sentences: Sequence[str] | None = None,
) -> ArticleTerms:
    """Count content words and names in a title and body.

    `extra_names` are canonical entity names the analysis found (e.g. "Russia" for
    "Moscow"); they are added to the names view once each. `sentences`: the body already
    split (`Article.sentences`), which spares splitting it again."""
    body = list(split_sentences(text) if sentences is None else sentences)
    sentences = [title, *body] if title else body
    words = Counter(content_words(title + "\n" + text))
    names = Counter(_names(sentences))
    for name in extra_names:
        names[name] += 1
    return ArticleTerms(words=words, names=names, marks=event_marks(title, text),
                        people=article_people(title, body, names))


_TF_CACHED = 64
_SUBLINEAR_TF = [0.0] + [1.0 + math.log(c) for c in range(1, _TF_CACHED)]


@dataclass
class OnlineIdf:
    """Document frequencies of the articles seen so far; IDF = ln((N+1)/(df+1)) + 1."""

    documents: int = 0
    df: Counter[str] = field(default_factory=Counter)

    def add(self, terms: Iterable[str]) -> None:
        self.documents += 1
        self.df.update(set(terms))

    def idf(self, term: str) -> float:
        return math.log((self.documents + 1) / (self.df.get(term, 0) + 1)) + 1.0

    def weigh(self, counts: Mapping[str, int], pending: bool = False) -> SparseVector:
        """Sublinear TF times IDF, L2-normalised. `pending`: weigh as if this document had
        been added already (what `add` then `weigh` would give, without adding)."""
        extra = 1 if pending else 0
        n1 = self.documents + extra + 1
        get, log, tf = self.df.get, math.log, _SUBLINEAR_TF
        vec = {
            t: (tf[c] if c < _TF_CACHED else 1.0 + log(c)) * (log(n1 / (get(t, 0) + extra + 1)) + 1)
            for t, c in counts.items() if c > 0
        }
        return normalise(vec)


def normalise(vec: SparseVector) -> SparseVector:
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {t: v / norm for t, v in vec.items()} if norm > 0 else {}


def dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    # Over the shared keys only (a C-level set intersection). Set order follows string
    # hashes, which change per process: fsum is exactly rounded, so the result does not
    # depend on the order and re-runs give the same stories.
    return math.fsum([a[t] * b[t] for t in a.keys() & b.keys()])
