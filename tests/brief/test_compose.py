"""The extractive brief: every sentence and bullet is a cited, copied source sentence."""

from datetime import UTC, datetime

from newsdesk.analyze.enrich import analyze
from newsdesk.analyze.places import default_gazetteer
from newsdesk.analyze.topics import load_taxonomy
from newsdesk.brief.compose import compose_brief
from newsdesk.brief.verify import normalise
from newsdesk.ingest.prepare import prepare
from newsdesk.ingest.text import parse_text
from newsdesk.models import Article, Brief

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def make(text: str, origin: str = "a.txt") -> Article:
    return prepare(parse_text(text, origin))


def brief_of(article: Article, prior: list[Article] = ()) -> Brief:  # type: ignore[assignment]
    enrichment = analyze(article, load_taxonomy(), default_gazetteer())
    return compose_brief(article, enrichment, default_gazetteer(),
                         [(p, None) for p in prior], now=NOW)


def all_cited(brief: Brief):
    yield from brief.summary
    yield from brief.background
    for insight in brief.insights:
        yield insight.question
        yield from insight.bullets


def test_header_fields(article_text: str) -> None:
    brief = brief_of(make(article_text))
    assert brief.title == "Grain Shipments Across The Amur Reach A New High"
    assert brief.source == "Test Wire"
    assert brief.published_at is not None
    assert brief.published_at.isoformat() == "2025-09-02T14:52:00-04:00"
    assert brief.read_time_minutes == 1
    assert "China-Russia Trade" in [t.label for t in brief.tags]


def test_summary_is_three_to_six_cited_sentences(article_text: str) -> None:
    article = make(article_text)
    brief = brief_of(article)
    assert 3 <= len(brief.summary) <= 6
    indexes = [s.citations[0].sentence for s in brief.summary]
    assert indexes == sorted(indexes), "summary keeps article order"


def test_summary_skips_a_sentence_that_repeats_the_lead() -> None:
    text = (
        "Copper Exports Jump\n\n"
        "Chilean copper exports to China jumped 20% in May to a record $4 billion. "
        "Copper exports from Chile to China jumped 20% in May, reaching a record $4 billion. "
        "Demand from Chinese grid builders drove the increase, traders said. "
        "Prices on the London Metal Exchange rose to $10,000 a tonne. "
        "Mining companies plan to expand output at two large mines next year. "
        "Water shortages in northern Chile remain the main risk to production. "
        "The government expects export revenue to rise again in June. "
        "Port strikes in Antofagasta delayed some shipments last week. "
        "Smelters in China cut processing fees as competition for ore grew. "
        "Analysts said the rally could fade if Chinese property construction weakens."
    )
    brief = brief_of(make(text))
    indexes = [s.citations[0].sentence for s in brief.summary]
    assert 0 in indexes and 1 not in indexes
    assert len(indexes) >= 3, "the restatement's place goes to a sentence with new content"


def test_every_sentence_is_copied_from_what_it_cites(article_text: str) -> None:
    article = make(article_text)
    brief = brief_of(article)
    for s in all_cited(brief):
        assert s.citations, s.text
        for c in s.citations:
            assert c.article_id == article.id
            assert 0 <= c.sentence < len(article.sentences)
    for s in [*brief.summary, *brief.background]:
        source = " ".join(article.sentences[c.sentence] for c in s.citations)
        assert normalise(s.text).rstrip(".") in normalise(source)
    assert brief.verification.dropped == []


def test_at_least_three_insights_with_bullets(article_text: str) -> None:
    brief = brief_of(make(article_text))
    assert len(brief.insights) >= 3
    for insight in brief.insights:
        assert insight.question.text.endswith("?")
        assert insight.bullets


def test_background_from_own_context_says_so(article_text: str) -> None:
    brief = brief_of(make(article_text))
    assert brief.background_origin == "article"
    assert "this article" in brief.background_note
    assert any("2022" in s.text or "2023" in s.text for s in brief.background)


def test_background_from_earlier_articles_cites_them(article_text: str) -> None:
    earlier = make(
        "Wheat Deal Signed\nPublished: 2022-02-04T10:00:00+03:00\n\n"
        "China agreed in February 2022 to import wheat from all Russian regions, ending "
        "years of restrictions over plant disease. The deal was signed during a summit in "
        "Beijing. Russian grain exporters had long sought access to the Chinese market. "
        "Officials said grain trade between China and Russia could grow quickly in the "
        "coming years.", "earlier.txt",
    )
    brief = brief_of(make(article_text), prior=[earlier])
    assert brief.background_origin == "store"
    assert [r.article_id for r in brief.references] == [earlier.id]
    assert all(c.article_id == earlier.id for s in brief.background for c in s.citations)
