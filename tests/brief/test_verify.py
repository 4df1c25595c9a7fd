"""The verifier drops any sentence its citations do not support, and says why."""

from datetime import UTC, datetime

from newsdesk.analyze.places import default_gazetteer
from newsdesk.brief.compose import make_lookup
from newsdesk.brief.verify import verify_brief
from newsdesk.ingest.prepare import prepare
from newsdesk.ingest.text import parse_text
from newsdesk.models import Brief, Citation, CitedSentence, Insight


def setup(article_text: str):
    article = prepare(parse_text(article_text, "a.txt"))
    lookup = make_lookup([article])

    def cited(i: int, text: str | None = None) -> CitedSentence:
        return CitedSentence(text=text or article.sentences[i],
                             citations=[Citation(article_id=article.id, sentence=i)])

    def brief(*summary: CitedSentence) -> Brief:
        return Brief(article_id=article.id, title="t", read_time_minutes=1,
                     summary=list(summary), created_at=datetime.now(UTC))

    return article, lookup, cited, brief


def test_faithful_sentences_pass(article_text: str) -> None:
    _, lookup, cited, brief = setup(article_text)
    out = verify_brief(brief(cited(0), cited(1)), lookup, default_gazetteer())
    assert len(out.summary) == 2 and out.verification.passed == 2


def test_changed_number_is_dropped(article_text: str) -> None:
    article, lookup, cited, brief = setup(article_text)
    tampered = article.sentences[0].replace("18.4%", "28.4%")
    out = verify_brief(brief(cited(0, tampered)), lookup, default_gazetteer())
    assert out.summary == []
    (drop,) = out.verification.dropped
    assert drop.section == "summary"


def test_invented_country_is_dropped_in_a_question(article_text: str) -> None:
    _, lookup, cited, brief = setup(article_text)
    b = brief(cited(0)).model_copy(update={"insights": [
        Insight(question=cited(0, "What does this mean for trade with India?"),
                bullets=[cited(0)])
    ]})
    out = verify_brief(b, lookup, default_gazetteer())
    assert out.insights == []
    assert any("India" in d.reason for d in out.verification.dropped)


def test_citation_to_a_missing_sentence_is_dropped(article_text: str) -> None:
    _, lookup, cited, brief = setup(article_text)
    bogus = cited(0).model_copy(update={"citations": [Citation(article_id="nope", sentence=0)]})
    out = verify_brief(brief(bogus), lookup, default_gazetteer())
    assert out.summary == [] and "does not exist" in out.verification.dropped[0].reason


def test_rewritten_text_is_not_a_copy(article_text: str) -> None:
    _, lookup, cited, brief = setup(article_text)
    out = verify_brief(brief(cited(0, "Grain exports soared thanks to new policy.")), lookup,
                       default_gazetteer())
    assert out.summary == []


def test_figures_are_compared_by_value_not_spelling(article_text: str) -> None:
    from newsdesk.brief.verify import unsupported_figures

    evidence = "Bilateral trade hit a total of $37 billion, up 12.5% on the year."
    assert unsupported_figures("Trade reached $37bn.", evidence) == []
    assert unsupported_figures("Trade grew 12.5 per cent.", evidence) == []
    assert unsupported_figures("Trade reached $39bn.", evidence) == ["$39bn"]
    assert unsupported_figures("Trade reached 37 billion yuan.", evidence) == ["37 billion yuan"]


def test_words_in_quotation_marks_must_be_the_sources(article_text: str) -> None:
    _, lookup, cited, brief = setup(article_text)
    tampered = cited(2).model_copy(update={
        "text": '"We have never shipped this much grain," said Pavel Testov.'})
    b = brief(cited(0)).model_copy(update={"insights": [
        Insight(question=cited(0, "Who is speaking for exporters?"), bullets=[tampered])]})
    out = verify_brief(b, lookup, default_gazetteer())
    assert out.insights == []


def test_swapped_speaker_is_caught(article_text: str) -> None:
    from newsdesk.brief.verify import check

    _, lookup, cited, _ = setup(article_text)
    swapped = cited(2, '"We have never shipped this much wheat across the border," '
                       "said Olga Petrenko.")
    assert "Olga Petrenko" in (check(swapped, lookup, default_gazetteer(), copied=False) or "")
    faithful = cited(2, '"We have never shipped this much wheat across the border," '
                        "said Pavel Testov.")
    assert check(faithful, lookup, default_gazetteer(), copied=False) is None


def test_invented_organisation_is_caught(article_text: str) -> None:
    from newsdesk.brief.verify import check

    _, lookup, cited, _ = setup(article_text)
    invented = cited(0, "Russian grain exports to China rose 18.4%, the Northern Grain "
                        "Council reported.")
    assert "Northern Grain Council" in (check(invented, lookup, default_gazetteer(),
                                              copied=False) or "")
