"""Renderers lay a brief out like the seed: header, tags, three sections, citations."""

import json
from datetime import UTC, datetime

from newsdesk.analyze.enrich import analyze
from newsdesk.analyze.places import default_gazetteer
from newsdesk.analyze.topics import load_taxonomy
from newsdesk.brief.compose import compose_brief
from newsdesk.brief.render import format_time, to_html, to_json, to_markdown
from newsdesk.ingest.prepare import prepare
from newsdesk.ingest.text import parse_text
from newsdesk.models import Brief


def brief_of(text: str) -> Brief:
    article = prepare(parse_text(text, "a.txt"))
    e = analyze(article, load_taxonomy(), default_gazetteer())
    return compose_brief(article, e, default_gazetteer(), [], now=datetime(2026, 1, 1, tzinfo=UTC))


def test_markdown_sections_in_seed_order(article_text: str) -> None:
    md = to_markdown(brief_of(article_text))
    positions = [md.index(h) for h in ("# Grain", "## News Summary", "## Background",
                                       "## In-Depth Insights", "## Sources")]
    assert positions == sorted(positions)
    assert "2025-09-02 14:52 EDT (UTC-04:00)" in md
    assert "`China-Russia Trade`" in md
    assert "[0]" in md


def test_json_round_trips(article_text: str) -> None:
    brief = brief_of(article_text)
    again = Brief.model_validate(json.loads(to_json(brief)))
    assert again == brief


def test_html_is_standalone_and_escapes_article_text(article_text: str) -> None:
    hostile = article_text.replace(
        "Grain Shipments Across The Amur Reach A New High",
        "Grain <script>alert(1)</script> Shipments",
    ).replace("Since 2022,", "Since 2022, <img src=x onerror=alert(2)>")
    html = to_html(brief_of(hostile))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "<img src=x" not in html
    assert "http://" not in html.replace("http://www.w3.org", "")  # no external assets


def test_format_time_without_zone() -> None:
    assert format_time(None) == "unknown"


def test_html_links_only_web_urls(article_text: str) -> None:
    brief = brief_of(article_text).model_copy(update={"url": "javascript:alert(1)"})
    html = to_html(brief)
    assert 'href="javascript' not in html
    ok = to_html(brief.model_copy(update={"url": "https://example.test/a?x=1&y=2"}))
    assert 'href="https://example.test/a?x=1&amp;y=2"' in ok


def test_figure_values_read_as_a_person_would_say_them() -> None:
    from newsdesk.analyze.figures import extract_figures
    from newsdesk.brief.render import figure_value
    money, share = extract_figures(
        ["Trade reached $37 billion, and two-thirds of it was settled in yuan."])
    assert figure_value(money) == "37 bn USD"
    assert figure_value(share) == "67% of the group"


def test_periods_read_as_resolved_so_figures_of_different_dates_line_up() -> None:
    from newsdesk.brief.render import period_label
    from newsdesk.models import Period
    assert period_label(Period(text="the first half of 2025", year=2025, half=1)) == "H1 2025"
    assert period_label(Period(text="the third quarter", year=2024, quarter=3)) == "Q3 2024"
    assert period_label(Period(text="January and June", year=2025, month=1, months=6)) \
        == "Jan–Jun 2025"
    assert period_label(Period(text="the first two months", year=2025, months=2)) \
        == "Jan–Feb 2025"
    assert period_label(Period(text="last year", year=2024)) == "2024"
    assert period_label(Period(text="in June", year=2025, month=6)) == "Jun 2025"
    assert period_label(None) == ""


def test_periods_keep_the_words_where_resolving_would_lose_something() -> None:
    from newsdesk.brief.render import period_label
    from newsdesk.models import Period
    assert period_label(Period(text="last year")) == "last year"  # undated article
    assert period_label(Period(text="since 2019", year=2019)) == "since 2019"
    assert period_label(Period(text="by 2030", year=2030)) == "by 2030"
    assert period_label(Period(text="June 5", year=2025, month=6)) == "June 5, 2025"
    assert period_label(Period(text="June 5, 2025", year=2025, month=6)) == "June 5, 2025"


def test_key_figures_show_the_resolved_period() -> None:
    brief = brief_of(
        "Trade Falls\nPublished: 2025-07-14T09:00:00+00:00\n\n"
        "Two-way trade totalled about $106.5 billion between January and June, customs "
        "data showed. Exports rose 4% last year, officials said.\n")
    table = to_markdown(brief).split("## Key Figures", 1)[1].split("\n## ", 1)[0]
    assert "| Jan–Jun 2025 |" in table
    assert "| 2024 |" in table
