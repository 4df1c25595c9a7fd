"""Plain-text articles: headline first, metadata lines are metadata, never body."""

from newsdesk.ingest.prepare import prepare
from newsdesk.ingest.text import parse_text


def test_header_lines_become_metadata(article_text: str) -> None:
    raw = parse_text(article_text, "grain.txt")
    assert raw.title == "Grain Shipments Across The Amur Reach A New High"
    assert raw.source == "Test Wire"
    assert raw.published_raw == "09/02/2025, 14:52:00 EDT"
    assert raw.authors == ["Olga Test", "Wei Sample"]
    assert raw.category == "Global"
    assert "China-Russia Trade" in raw.source_tags
    assert raw.text.startswith("Russian grain exports")
    assert "read time" not in raw.text and "Source:" not in raw.text


def test_source_and_published_glued_on_one_line() -> None:
    text = (
        "Trade Dips\n\nGlobal\nSource: South Wire PostPublished: 09/02/2025, 14:52:00 EDT\n\n"
        "Exports fell in August as demand for cars weakened across the region.\n"
    )
    raw = parse_text(text, "x.txt")
    assert raw.source == "South Wire Post"
    assert raw.published_raw == "09/02/2025, 14:52:00 EDT"
    assert raw.text.startswith("Exports fell")


def test_read_time_line_is_not_a_sentence() -> None:
    text = "Headline Here\n\nEstimated read time 2 min read\n\nThe body starts here and says something.\n"
    article = prepare(parse_text(text, "x.txt"))
    assert article.sentences == ["The body starts here and says something."]


def test_prose_without_headline_is_all_body() -> None:
    body = " ".join(["This is a long opening line of prose that has no headline at all"] * 3)
    raw = parse_text(body + ".\n\nSecond paragraph here.", "x.txt")
    assert raw.title is None
    assert raw.text.startswith("This is a long")


def test_header_lines_ending_in_a_full_stop_are_read_once() -> None:
    text = ("Headline\nBy Jane Doe and John Smith.\nTags: trade, energy.\n\n"
            "The body starts here and says something.\n")
    raw = parse_text(text, "x.txt")
    assert raw.authors == ["Jane Doe", "John Smith"]
    assert raw.source_tags == ["trade", "energy"]


def test_one_sentence_article_without_headline() -> None:
    text = "Trade between China and Russia rose 5% in May, customs data showed on Friday.\n"
    article = prepare(parse_text(text, "x.txt"))
    assert article.sentences == [text.strip()]


def test_old_mac_line_endings() -> None:
    raw = parse_text("Headline\rSource: Wire\r\rThe body is here and says something.\r", "x")
    assert raw.title == "Headline" and raw.source == "Wire"
    assert raw.text == "The body is here and says something."
