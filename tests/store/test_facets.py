"""Facet tokens: tags, places and years as words of the full-text index, a prefilter only."""

from datetime import UTC, datetime, timedelta, timezone

from newsdesk.models import SearchFilters
from newsdesk.store.facets import (
    FACET_WORD,
    facet_match,
    facet_text,
    facet_token,
    filter_years,
    filtered_match,
)
from newsdesk.store.sqlite import fts_query


def test_a_token_is_one_stemmer_proof_word_that_ignores_case() -> None:
    token = facet_token("p", "Russia")
    assert token == facet_token("p", "RUSSIA") == facet_token("p", "russia")
    assert token != facet_token("t", "Russia") != facet_token("p", "Russian")
    assert FACET_WORD.fullmatch(token) and token.isalnum() and token[-1].isdigit()


def test_an_article_carries_a_token_per_tag_label_and_place_sorted_once() -> None:
    text = facet_text([("sanctions", "Sanctions"), ("trade", "Trade & tariffs")],
                      ["Russia", "China", "Russia", ""])
    tokens = text.split()
    assert tokens == sorted(set(tokens))
    assert set(tokens) == {facet_token("t", "sanctions"), facet_token("t", "trade"),
                           facet_token("t", "Trade & tariffs"), facet_token("p", "Russia"),
                           facet_token("p", "China")}
    assert facet_text([], []) == ""


def test_only_tags_and_places_make_a_facet_match() -> None:
    assert facet_match(SearchFilters(since=datetime(2023, 1, 1, tzinfo=UTC))) is None
    assert facet_match(SearchFilters(source="Reuters")) is None
    both = facet_match(SearchFilters(tag="Sanctions", entity="russia"))
    assert both == (f"facets : ({facet_token('t', 'sanctions')} AND "
                    f"{facet_token('p', 'Russia')})")
    assert filtered_match('"oil"', SearchFilters(entity="Russia")) == (
        f'("oil") AND facets : ({facet_token("p", "Russia")})')
    assert filtered_match('"oil"', SearchFilters(source="x")) == '"oil"'


def test_user_queries_cannot_name_a_facet_token() -> None:
    token = facet_token("p", "India")
    assert fts_query(f"wheat {token}") == '"wheat"'
    assert fts_query(f'"{token.upper()}"') == ""


def test_a_date_range_becomes_the_years_it_spans_when_they_are_few() -> None:
    def utc(*a: int) -> datetime:
        return datetime(*a, tzinfo=UTC)

    assert filter_years(SearchFilters(since=utc(2024, 3, 1)), 2025) == [2024, 2025]
    assert filter_years(SearchFilters(since=utc(2023, 1, 1), until=utc(2023, 6, 1)), 2025) == [
        2023]
    assert filter_years(SearchFilters(since=utc(2023, 1, 1)), 2025) == []  # 3 years: too many
    assert filter_years(SearchFilters(until=utc(2023, 1, 1)), 2025) == []  # back to the start
    assert filter_years(SearchFilters(since=utc(2024, 1, 1)), None) == []  # an empty store
    assert filter_years(SearchFilters(since=utc(2026, 1, 1)), 2025) == []  # nothing that late
    local = datetime(2023, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-3)))
    assert filter_years(SearchFilters(since=local), 2025) == [2024, 2025]  # UTC years
    assert facet_match(SearchFilters(entity="Chad"), [2024, 2025]) == (
        f"facets : ({facet_token('p', 'Chad')} AND "
        f"({facet_token('y', '2024')} OR {facet_token('y', '2025')}))")
    assert facet_text([], [], "2024-01-01T01:30:00+00:00") == facet_token("y", "2024")
