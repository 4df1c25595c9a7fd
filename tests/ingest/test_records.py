"""JSON and JSONL records with the field names feeds use; bad lines are named, not fatal."""

import json
from pathlib import Path

import pytest

from newsdesk.errors import InputError
from newsdesk.ingest.prepare import prepare
from newsdesk.ingest.sources import Unit, read_unit

BODY = "Chinese exports to Russia rose 12.5% in January and February. Trade reached $37 billion."


def read_all(path: Path) -> list:
    return list(read_unit(Unit("file", str(path)), 10_000_000))


def test_json_object_with_aliases(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({
        "headline": "Exports climb", "body": BODY, "link": "https://example.test/a",
        "publisher": {"name": "Wire"}, "author": "Jane Doe, John Roe",
        "datePublished": "2024-03-07T18:40:00+08:00", "keywords": ["trade"],
    }))
    (doc,) = read_all(path)
    article = prepare(doc)
    assert article.title == "Exports climb"
    assert article.source == "Wire"
    assert article.authors == ["Jane Doe", "John Roe"]
    assert article.published_at is not None and article.published_at.isoformat().endswith("+08:00")
    assert article.url == "https://example.test/a"


def test_jsonl_bad_line_is_an_error_item_and_the_rest_go_on(tmp_path: Path) -> None:
    good = json.dumps({"title": "One", "text": BODY})
    path = tmp_path / "feed.jsonl"
    path.write_text(f"{good}\n{{not json\n{json.dumps({'title': 'Two', 'text': BODY + ' More.'})}\n")
    items = read_all(path)
    assert len(items) == 3
    assert isinstance(items[1], InputError) and "#L2" in str(items[1])
    assert [i.title for i in items if not isinstance(i, InputError)] == ["One", "Two"]


def test_json_array_of_records(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps([{"title": "A", "text": BODY}, {"title": "B", "text": BODY}]))
    assert [d.title for d in read_all(path)] == ["A", "B"]


def test_record_with_wrong_field_type(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"title": "A", "text": {"nested": True}}))
    items = read_all(path)
    assert any(isinstance(i, InputError) for i in items) or pytest.fail("accepted a dict body")


def test_invalid_json_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{\"title\": ")
    with pytest.raises(InputError, match="JSON"):
        for item in read_all(path):
            if isinstance(item, InputError):
                raise item


def test_epoch_timestamps_in_seconds_and_milliseconds(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"title": "A", "text": BODY, "timestamp": 1709280000}) + "\n"
                    + json.dumps({"title": "B", "text": BODY + " More.",
                                  "timestamp": 1709280000000}) + "\n")
    docs = read_all(path)
    for doc in docs:
        article = prepare(doc)
        assert article.published_at is not None
        assert article.published_at.isoformat() == "2024-03-01T08:00:00+00:00"


def test_html_only_record_keeps_the_pages_metadata(tmp_path: Path) -> None:
    page = ("<html><head><title>Gas talks stall</title>"
            '<meta property="article:published_time" content="2024-12-05T09:00:00Z">'
            '<meta property="og:site_name" content="Test Wire"></head><body><article>'
            "<p>China and Russia failed to agree on gas prices on Monday after two days of "
            "talks in Beijing, officials said.</p><p>Negotiators will meet again in the "
            "autumn, a person familiar with the talks said.</p></article></body></html>")
    path = tmp_path / "h.json"
    path.write_text(json.dumps({"html": page}))
    (doc,) = read_all(path)
    article = prepare(doc)
    assert article.published_at is not None and article.published_at.year == 2024
    assert article.source == "Test Wire"


def test_sniffing_headlines_and_fragments() -> None:
    from newsdesk.ingest.sources import sniff_format

    assert sniff_format("[Updated] China and Russia sign gas deal\n\nBody.") == "text"
    assert sniff_format('[{"title": "A", "text": "B"}]') == "json"
    assert sniff_format("<div><h1>Gas</h1><p>Talks stalled.</p></div>") == "html"
    assert sniff_format('{"title": "A"}\n{"title": "B"}\n') == "jsonl"
