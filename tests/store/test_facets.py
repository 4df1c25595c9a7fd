"""Facet tokens: tags and places as words of the full-text index, a prefilter only."""

from datetime import UTC, datetime

from newsdesk.models import SearchFilters
from newsdesk.store.facets import (
    FACET_WORD,
    facet_match,
    facet_text,
    facet_token,
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
