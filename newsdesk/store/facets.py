"""Facet tokens: an article's tags, places and year written as words of the full-text
index.

Why: a filtered search on a common word ("United States": 32,000 matches in 100,000
articles) used to have FTS5 score every match and then check the best ones against the
filters; scoring was most of a slow query. With the filter's token ANDed into the match,
FTS5 intersects doclists (skipping through the long ones) and scores only articles that
carry the tag or place. The same doclist, read alone, tells the vector side which rows
to score.

A date range becomes an OR of the year tokens it spans, when it spans few (an exact
range or a source substring does not make single words). Tokens are a prefilter, never
the decision: they fold case more widely than SQLite's NOCASE and put tags and labels in
one namespace, so they select a superset of what the SQL filters pass, and the SQL
filters still check every result.

User queries are not confined to the title and text columns (a column filter costs
15-20% of every keyword query); instead words shaped like facet tokens are taken out of
them (`FACET_WORD`), so a query can never match the facets column.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import UTC

from newsdesk.models import SearchFilters

FACET_COLUMN = "facets"
MAX_YEARS = 2
FACET_WORD = re.compile(r"\bzz[tpy]\d{15}\b", re.IGNORECASE)


def facet_token(kind: str, value: str) -> str:
    """One index word for a (kind, value): 'zz', the kind letter, then 15 digits of a
    hash of the case-folded value. Digits after letters pass the tokenizer and the
    Porter stemmer whole, and no English word looks like this."""
    digest = hashlib.blake2b(value.casefold().encode(), digest_size=8).digest()
    return f"zz{kind}{int.from_bytes(digest, 'big') % 10**15:015d}"


def facet_text(
    tags: Iterable[tuple[str, str]], places: Iterable[str], published_utc: str | None = None,
) -> str:
    """The facets column of an article: a token per tag and per tag label (a filter may
    name either), per place, and for its year of publication (UTC), sorted so the same
    article always indexes the same."""
    tokens = {facet_token("t", v) for tag, label in tags for v in (tag, label) if v}
    tokens |= {facet_token("p", p) for p in places if p}
    if published_utc:
        tokens.add(facet_token("y", published_utc[:4]))
    return " ".join(sorted(tokens))


def facet_match(filters: SearchFilters, years: Sequence[int] = ()) -> str | None:
    """The FTS5 expression an article passing `filters` must match: its tag and place
    tokens, and one of `years` when given (the caller knows the store's last year); None
    when there is nothing to match."""
    tokens = [facet_token("t", filters.tag)] if filters.tag else []
    if filters.entity:
        tokens.append(facet_token("p", filters.entity))
    if years:
        tokens.append("(" + " OR ".join(facet_token("y", str(y)) for y in years) + ")")
    if not tokens:
        return None
    return f"{FACET_COLUMN} : ({' AND '.join(tokens)})"


def filter_years(filters: SearchFilters, last_year: int | None) -> list[int]:
    """The publication years (UTC) a date filter allows, from `since` to `until` (or the
    store's last year), when they are at most MAX_YEARS: a longer OR of year doclists
    costs FTS5 more than it narrows. Empty for `until` alone (every earlier year)."""
    if not (filters.since or filters.until) or last_year is None:
        return []
    first = filters.since.astimezone(UTC).year if filters.since else None
    last = filters.until.astimezone(UTC).year if filters.until else last_year
    if first is None:
        return []  # "until" alone: every year back to the first is allowed
    years = list(range(first, min(last, last_year) + 1))
    return years if 0 < len(years) <= MAX_YEARS else []


def filtered_match(match: str, filters: SearchFilters, years: Sequence[int] = ()) -> str:
    """A user's FTS5 query (from `fts_query`) ANDed with the filters' facet tokens when
    they name a tag, a place or `years`."""
    facets = facet_match(filters, years)
    return f"({match}) AND {facets}" if facets else match
