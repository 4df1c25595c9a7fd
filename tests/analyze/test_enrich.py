"""The analyze stage carries the facts layer: people, organisations and quotes."""

from newsdesk.analyze.enrich import analyze
from newsdesk.analyze.places import default_gazetteer
from newsdesk.analyze.topics import cached_taxonomy
from newsdesk.ingest.prepare import prepare
from newsdesk.models import RawDocument


def enrich(text: str):
    article = prepare(RawDocument(origin="test", title="Test", text=text))
    assert article is not None
    return analyze(article, cached_taxonomy(()), default_gazetteer())


def test_entities_are_places_then_people_and_organisations_without_duplicates(
    article_text: str,
) -> None:
    e = enrich(article_text)
    names = [x.name for x in e.entities]
    assert len(names) == len(set(names))
    types = [x.type for x in e.entities]
    assert {"Russia", "China", "Pavel Testov", "Amur Grain Union"} <= set(names)
    assert types.index("person") > max(i for i, t in enumerate(types) if t == "country")
    testov = next(x for x in e.entities if x.name == "Pavel Testov")
    assert testov.type == "person" and testov.role and "director" in testov.role
    union = next(x for x in e.entities if x.name == "Amur Grain Union")
    assert union.type == "organisation"


def test_quotes_are_stored_with_their_speaker(article_text: str) -> None:
    e = enrich(article_text)
    direct = [q for q in e.quotes if q.kind == "direct"]
    assert direct and direct[0].speaker == "Pavel Testov"
    assert direct[0].text.startswith("We have never shipped this much wheat")
    assert any(q.kind == "reported" and q.speaker == "traders" for q in e.quotes)


def test_place_spans_shared_with_find_entities_give_the_same_result(corpus) -> None:
    """analyze hands its place matches to find_entities; a fresh scan finds the same."""
    from newsdesk.analyze.entities import find_entities

    g = default_gazetteer()
    for path in sorted(corpus.glob("*.txt"))[:15]:
        article = prepare(RawDocument(origin=str(path), text=path.read_text("utf-8")))
        assert article is not None
        _, spans = g.locate(article.sentences)
        assert find_entities(article.sentences, g, place_spans=spans) == find_entities(
            article.sentences, g)
