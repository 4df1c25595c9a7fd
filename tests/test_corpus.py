"""The bundled sample corpus, end to end: it exists, ingests cleanly, links over time."""

from pathlib import Path

from newsdesk.desk import Desk
from newsdesk.ingest.sources import expand

TARGET = "2024-03-07_china-exports-beat-forecasts-russia.txt"


def test_corpus_is_big_and_spans_2022_to_2025(corpus: Path, corpus_desk: Desk) -> None:
    stats = corpus_desk.stats()
    assert stats["articles"] >= 40
    years = {p.name[:4] for p in corpus.iterdir()}
    assert {"2022", "2023", "2024", "2025"} <= years
    formats = {p.suffix for p in corpus.iterdir()}
    assert {".txt", ".html", ".json", ".jsonl"} <= formats


def test_whole_corpus_ingests_without_quarantine(corpus_desk: Desk) -> None:
    assert corpus_desk.quarantined() == []
    assert corpus_desk.stats()["duplicates"] >= 1, "the syndicated wire copy is caught"


def test_every_article_has_a_date_with_offset_and_a_source(corpus: Path, corpus_desk: Desk) -> None:
    hits = corpus_desk.search("", limit=1000)
    assert len(hits) == corpus_desk.stats()["articles"]
    for hit in hits:
        assert hit.published_at is not None and hit.published_at.utcoffset() is not None
        assert hit.source, hit.title
    assert len({h.source for h in hits}) >= 5


def test_brief_background_comes_from_earlier_coverage(corpus: Path, corpus_desk: Desk) -> None:
    brief = corpus_desk.brief(str(corpus / TARGET))
    assert brief.background_origin == "store"
    assert brief.references, "the brief lists the earlier articles it drew on"
    for ref in brief.references:
        assert ref.published_at is not None and brief.published_at is not None
        assert ref.published_at < brief.published_at
    assert "China-Russia Trade" in [t.label for t in brief.tags]
    assert brief.verification.dropped == []


def test_every_corpus_brief_is_complete_and_verified(corpus: Path, corpus_desk: Desk) -> None:
    for unit in expand([str(corpus)]):
        if unit.ref.endswith(".jsonl"):
            continue
        brief = corpus_desk.brief(unit.ref)
        assert 3 <= len(brief.summary) <= 6, unit.ref
        assert len(brief.insights) >= 3, unit.ref
        assert all(i.bullets for i in brief.insights)
        assert brief.tags, unit.ref
        assert brief.verification.passed == brief.verification.checked, unit.ref
