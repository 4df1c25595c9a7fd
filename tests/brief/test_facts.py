"""Brief v2: the facts a brief shows (Quotes, Risks) and insights built from them.

Enrichments here get their people and quotes from `find_entities` and `extract_quotes`
directly, as ingest will once they are wired into `analyze`.
"""

import json
from datetime import UTC, datetime

import pytest

from newsdesk.analyze.enrich import analyze
from newsdesk.analyze.entities import find_entities
from newsdesk.analyze.places import default_gazetteer
from newsdesk.analyze.quotes import extract_quotes
from newsdesk.analyze.topics import load_taxonomy
from newsdesk.brief.compose import compose_brief, make_lookup
from newsdesk.brief.insights import (
    CHANGED,
    RISKS,
    VOICES,
    WATCH,
    focus_of,
    forward_strength,
)
from newsdesk.brief.render import to_html, to_json, to_markdown
from newsdesk.brief.verify import check, verify_brief
from newsdesk.brief.voices import SPEAKING
from newsdesk.ingest.prepare import prepare
from newsdesk.ingest.text import parse_text
from newsdesk.models import Article, Brief, Citation, CitedSentence, Enrichment, Insight

NOW = datetime(2026, 1, 1, tzinfo=UTC)
GAZ = default_gazetteer()

EXPORTS = """Copper Exports To China Beat Forecasts
Source: Test Wire
Published: 2025-03-07T10:00:00+00:00

Chilean copper exports to China rose 9.5% in February, beating a Reuters poll forecast of 4%.
Shipments of refined copper reached 410,000 tonnes over the month, the customs office said.
"Chinese grid builders are buying everything we can load," said Marta Quispe, a senior analyst at the fictional Andes Metals Desk.
"Nobody expected demand to hold up this well."
Smelters in China cut processing fees as competition for ore grew.
Mining companies plan to expand output at two large mines next year.
Analysts had expected a weaker month after the Lunar New Year holiday.
US tariffs on Chinese electrical equipment could lead to lower demand for copper wire.
"""

EARLIER = """Copper Exports Slow In January
Source: Test Wire
Published: 2025-02-07T10:00:00+00:00

Chilean copper exports to China rose 3.2% in January, the slowest pace in a year.
Port strikes in Antofagasta delayed some shipments during the month.
Buyers in China held back before the Lunar New Year holiday.
"""


def make(text: str, origin: str = "a.txt") -> Article:
    return prepare(parse_text(text, origin))


def enrich(article: Article) -> Enrichment:
    """analyze() plus people and quotes, as ingest will provide them."""
    e = analyze(article, load_taxonomy(), GAZ)
    people = find_entities(article.sentences, GAZ)
    return e.model_copy(update={"entities": [*e.entities, *people],
                                "quotes": extract_quotes(article.sentences, people)})


def brief_of(article: Article, prior: list[Article] = ()) -> Brief:  # type: ignore[assignment]
    return compose_brief(article, enrich(article), GAZ, [(p, enrich(p)) for p in prior],
                         now=NOW)


def insight(brief: Brief, template: str) -> Insight:
    stem = template.split("{focus}")[0]
    found = [i for i in brief.insights if i.question.text.startswith(stem)]
    assert found, f"no question starting {stem!r} in {[i.question.text for i in brief.insights]}"
    return found[0]


def cited(bullet: CitedSentence) -> set[tuple[str, int]]:
    return {(c.article_id, c.sentence) for c in bullet.citations}


# --- Quotes ------------------------------------------------------------------------------


def test_quotes_list_has_speaker_role_words_and_citation(article_text: str) -> None:
    article = make(article_text)
    brief = brief_of(article)
    (q,) = brief.quotes
    assert q.speaker == "Pavel Testov"
    assert q.speaker_role is not None and "director" in q.speaker_role
    assert q.text.startswith("We have never shipped this much wheat")
    assert [c.sentence for c in q.citations] == [2]
    assert brief.verification.dropped == []


def test_a_continued_quote_also_cites_the_sentence_that_names_the_speaker() -> None:
    article = make(EXPORTS)
    brief = brief_of(article)
    continued = [q for q in brief.quotes if q.text.startswith("Nobody expected")]
    assert [q.speaker for q in continued] == ["Marta Quispe"]
    assert [c.sentence for c in continued[0].citations] == [2, 3]
    assert brief.verification.dropped == []


def test_quotes_are_rendered_in_markdown_html_and_json(article_text: str) -> None:
    brief = brief_of(make(article_text))
    md = to_markdown(brief)
    assert md.index("## Quotes") < md.index("## Background")
    line = next(x for x in md.splitlines() if x.startswith("- **Pavel Testov**"))
    assert "a director at the fictional Amur Grain Union" in line
    assert "“We have never shipped this much wheat across the border” [2]" in line
    html = to_html(brief)
    assert '<strong class="speaker">Pavel Testov</strong>' in html
    assert "<q class=\"direct\">We have never shipped" in html
    assert '<sup class="cite">[2]</sup>' in html
    data = json.loads(to_json(brief))
    assert data["quotes"][0]["speaker"] == "Pavel Testov"
    assert data["quotes"][0]["citations"] == [{"article_id": brief.article_id, "sentence": 2}]


def test_unattributed_quotes_are_not_listed() -> None:
    article = make("Grain Talks\n\nOfficials used the phrase \"new era of trade\" at a summit "
                   "in Beijing on Monday. China and Russia agreed to expand grain trade.")
    assert brief_of(article).quotes == []


def test_quotes_are_found_at_brief_time_when_the_enrichment_predates_them(
    article_text: str,
) -> None:
    article = make(article_text)
    current = analyze(article, load_taxonomy(), GAZ)
    assert [q.speaker for q in current.quotes][:1] == ["Pavel Testov"]
    # An enrichment stored before ingest found people and quotes: places only.
    places = [e for e in current.entities if e.type not in SPEAKING]
    bare = current.model_copy(update={
        "quotes": [], "speakers_scanned": False, "entities": places})
    brief = compose_brief(article, bare, GAZ, [], now=NOW)
    assert [q.speaker for q in brief.quotes] == ["Pavel Testov"]
    # An enrichment from today's ingest is trusted: no quotes found means none to show.
    scanned = bare.model_copy(update={"speakers_scanned": True})
    assert compose_brief(article, scanned, GAZ, [], now=NOW).quotes == []


# --- the verifier on quotes ------------------------------------------------------------------


def test_verifier_drops_a_quote_given_to_someone_else(article_text: str) -> None:
    article = make(article_text)
    brief = brief_of(article)
    (q,) = brief.quotes
    tampered = brief.model_copy(update={"quotes": [q.model_copy(update={"speaker": "Olga Test"})]})
    out = verify_brief(tampered, make_lookup([article]), GAZ)
    assert out.quotes == []
    (drop,) = out.verification.dropped
    assert drop.section == "quote" and "Olga Test" in drop.reason


def test_verifier_drops_changed_quote_words_and_invented_roles(article_text: str) -> None:
    article = make(article_text)
    brief = brief_of(article)
    (q,) = brief.quotes
    words = q.model_copy(update={"text": "We have never shipped this much barley"})
    role = q.model_copy(update={"speaker_role": "chief executive of Amur Grain Union"})
    out = verify_brief(brief.model_copy(update={"quotes": [words, role, q]}),
                       make_lookup([article]), GAZ)
    assert out.quotes == [q]
    reasons = [d.reason for d in out.verification.dropped]
    assert any("quoted words" in r for r in reasons) and any("role" in r for r in reasons)


# --- Risks -----------------------------------------------------------------------------------


def test_risks_list_each_signal_kind_with_its_evidence_sentence(article_text: str) -> None:
    article = make(article_text)
    brief = brief_of(article)
    kinds = {k: r.evidence for r in brief.risks for k in r.kinds}
    assert {"sanctions", "tariffs"} <= set(kinds)
    assert "sanctions" in kinds["sanctions"].text
    assert "tariffs" in kinds["tariffs"].text
    assert [c.sentence for c in kinds["tariffs"].citations] == [7]
    md = to_markdown(brief)
    assert md.index("## Risks") < md.index("## Background")
    assert "- **Tariffs**: Rail congestion at the border remains a risk" in md
    assert '<strong class="risk">Tariffs</strong>' in to_html(brief)


def test_one_risk_line_covers_all_the_kinds_its_sentence_evidences() -> None:
    brief = brief_of(make(
        "Banks Halt Payments\n\nFear of US secondary sanctions has caused three Chinese "
        "banks to halt payments from Russian clients, according to traders. Trade between "
        "China and Russia still grew in March. Exporters said the sanctions made every "
        "shipment slower."))
    first = brief.risks[0]
    assert {"secondary_sanctions", "payment_disruption"} <= set(first.kinds)
    assert len({k for r in brief.risks for k in r.kinds}) == sum(len(r.kinds) for r in brief.risks)


def test_the_two_countries_are_who_is_meant_not_a_key_figure() -> None:
    article = make("Trade Climbs\nPublished: 2024-03-07T10:00:00+00:00\n\n"
                   "Trade between the two countries rose 5% to $20 billion in May. "
                   "Both governments welcomed the data. Two ministers resigned over it.")
    shown = [kf.figure.text for kf in brief_of(article).key_figures]
    assert "5%" in shown and "$20 billion" in shown and "Two ministers" in shown
    assert "two countries" not in shown
    assert any(f.text == "two countries" for f in enrich(article).figures)  # still a figure


# --- Insights: what changed ------------------------------------------------------------------


def test_what_changed_cites_the_sentence_with_the_figure_and_its_baseline() -> None:
    article = make(EXPORTS)
    brief = brief_of(article)
    changed = insight(brief, CHANGED)
    assert brief.insights[0] is changed
    first = changed.bullets[0]
    assert cited(first) == {(article.id, 0)}
    assert "9.5%" in first.text and "forecast of 4%" in first.text


def test_an_expectation_in_the_next_sentence_joins_the_figure_bullet() -> None:
    article = make(
        "Grain Exports Jump\n\nRussian grain exports to China rose 18% in March. "
        "Traders had forecast growth of 6%, citing weak demand. "
        "Rail terminals on the border are running at full capacity, operators said. "
        "Buyers in China are paying in yuan.")
    brief = brief_of(article)
    bullet = insight(brief, CHANGED).bullets[0]
    assert [c.sentence for c in bullet.citations] == [0, 1]
    assert "18%" in bullet.text and "6%" in bullet.text
    assert brief.verification.dropped == []


def test_what_changed_sets_an_earlier_figure_on_the_same_subject_beside_todays() -> None:
    earlier, article = make(EARLIER, "earlier.txt"), make(EXPORTS)
    brief = brief_of(article, prior=[earlier])
    composed = [b for b in insight(brief, CHANGED).bullets if b.composed]
    assert len(composed) == 1
    bullet = composed[0]
    assert cited(bullet) == {(article.id, 0), (earlier.id, 0)}
    assert "3.2%" in bullet.text and "9.5%" in bullet.text
    assert bullet.text.startswith("Earlier coverage had Chilean copper exports to China up 3.2%")
    assert brief.verification.dropped == []
    assert earlier.id in [r.article_id for r in brief.references]
    assert "[B1:0]" in to_markdown(brief)


YEAR_TOTAL = ("Trade Totals\nPublished: 2024-01-12T10:00:00+00:00\n\n"
              "Bilateral trade between China and Russia reached $240 billion in 2023. "
              "Officials in Beijing said the figure was a record.")


def test_no_comparison_between_figures_over_different_lengths_of_time() -> None:
    earlier = make(YEAR_TOTAL, "e.txt")
    article = make("Trade Slows\nPublished: 2024-06-07T10:00:00+00:00\n\n"
                   "Bilateral trade between China and Russia reached $100 billion in the "
                   "first five months of 2024. Payments problems slowed shipments to Moscow.")
    bullets = insight(brief_of(article, prior=[earlier]), CHANGED).bullets
    assert not any(b.composed for b in bullets)
    later = make("Trade Record\nPublished: 2025-01-13T10:00:00+00:00\n\n"
                 "Bilateral trade between China and Russia reached $245 billion in 2024. "
                 "Payments problems slowed shipments to Moscow.", "l.txt")
    (composed,) = [b for b in insight(brief_of(later, prior=[earlier]), CHANGED).bullets
                   if b.composed]
    assert "$240 billion in 2023" in composed.text and "$245 billion in 2024" in composed.text


def test_no_comparison_when_only_one_figure_says_what_time_it_covers() -> None:
    """A year's total beside two months' trade would read as a collapse."""
    earlier = make(YEAR_TOTAL, "e.txt")
    article = make("Trade Grows\nPublished: 2024-03-07T10:00:00+00:00\n\n"
                   "Exports rose 7.1% in January and February. Bilateral trade between "
                   "China and Russia reached $37 billion, customs data showed. "
                   "Payments problems slowed shipments to Moscow.")
    bullets = insight(brief_of(article, prior=[earlier]), CHANGED).bullets
    assert bullets and not any(b.composed for b in bullets)


# --- Insights: voices, risks, outlook -------------------------------------------------------


def test_who_is_shaping_it_gives_each_speaker_their_words() -> None:
    article = make(EXPORTS)
    voices = insight(brief_of(article), VOICES)
    (bullet,) = voices.bullets
    assert "Marta Quispe" in bullet.text and "Chinese grid builders" in bullet.text
    assert cited(bullet) == {(article.id, 2)}


def test_risk_bullets_come_from_risk_sentences() -> None:
    article = make(EXPORTS)
    risks = insight(brief_of(article), RISKS)
    assert any("tariffs" in b.text for b in risks.bullets)


def test_watch_bullets_are_forward_looking_statements() -> None:
    article = make(EXPORTS)
    brief = brief_of(article)
    watch = insight(brief, WATCH)
    texts = [b.text for b in watch.bullets]
    assert any(t.startswith("Mining companies plan to expand output") for t in texts)
    assert all(forward_strength(t) > 0 for t in texts)
    assert not any(t.startswith("Analysts had expected") for t in texts)


@pytest.mark.parametrize(("sentence", "strength"), [
    ("Tariffs could lead to lower demand for copper wire.", 2),
    ("The company plans to open a second plant.", 2),
    ("Output is expected to rise later this year.", 2),
    ("Shipments will resume in June.", 2),
    ("The deal signals room to grow.", 1),
    ("Analysts had expected a weaker month.", 0),
    ("Exports rose faster than expected in May.", 0),
    ("Exports rose 5% in May.", 0),
])
def test_forward_strength(sentence: str, strength: int) -> None:
    assert forward_strength(sentence) == strength


def test_questions_are_three_or_four_naming_the_focus(article_text: str) -> None:
    for article in (make(article_text), make(EXPORTS)):
        brief = brief_of(article)
        focus, _ = focus_of(enrich(article).topics)
        assert 3 <= len(brief.insights) <= 4
        assert all(1 <= len(i.bullets) <= 3 for i in brief.insights)
        assert all(focus.removeprefix("developments in ") in i.question.text
                   for i in brief.insights)
    assert insight(brief_of(make(article_text)), CHANGED).question.text == (
        "What changed in China-Russia trade?")


def test_a_theme_focus_reads_as_a_topic_in_what_changed() -> None:
    brief = brief_of(make(EXPORTS))
    focus, topic = focus_of(enrich(make(EXPORTS)).topics)
    assert topic is not None and focus == "developments in exports"
    assert insight(brief, CHANGED).question.text == "What changed in exports?"


def test_a_short_article_without_facts_still_gets_three_questions() -> None:
    brief = brief_of(make(
        "Border Talks\n\nOfficials from China and Russia met in Harbin on Monday to discuss "
        "border crossings. The talks covered customs procedures and rail schedules for "
        "grain trains. Both sides described the meeting as constructive and practical. "
        "A further round of discussions is planned for the spring in Vladivostok."))
    assert len(brief.insights) >= 3


# --- the verifier on composed bullets -------------------------------------------------------


def test_composed_bullets_are_checked_piece_by_piece(article_text: str) -> None:
    article = make(article_text)
    lookup = make_lookup([article])
    sentence_0 = [Citation(article_id=article.id, sentence=0)]
    faithful = CitedSentence(text="Russian grain exports to China rose 18.4% to $2.1 billion.",
                             citations=sentence_0, composed=True)
    assert check(faithful, lookup, GAZ, copied=False) is None
    tampered = faithful.model_copy(update={"text": faithful.text.replace("18.4%", "19.4%")})
    brief = Brief(article_id=article.id, title="t", read_time_minutes=1, created_at=NOW,
                  insights=[Insight(question=CitedSentence(text="What changed?",
                                                           citations=sentence_0),
                                    bullets=[faithful, tampered])])
    out = verify_brief(brief, lookup, GAZ)
    assert out.insights[0].bullets == [faithful]
    assert "19.4%" in out.verification.dropped[0].reason
    copied = faithful.model_copy(update={"composed": False})  # a copy must be a copy
    assert verify_brief(brief.model_copy(update={"insights": [Insight(
        question=brief.insights[0].question, bullets=[copied])]}), lookup, GAZ).insights == []


# --- JSON ---------------------------------------------------------------------------------


def test_json_carries_figures_quotes_risks_and_entities(article_text: str) -> None:
    brief = brief_of(make(article_text))
    data = json.loads(to_json(brief))
    assert data["key_figures"] and data["key_figures"][0]["figure"]["value"]
    assert data["quotes"][0]["speaker"] == "Pavel Testov"
    assert {k for r in data["risks"] for k in r["kinds"]} >= {"sanctions", "tariffs"}
    names = {e["name"]: e for e in data["entities"]}
    assert names["Pavel Testov"]["type"] == "person" and names["Pavel Testov"]["sentences"]
    assert "China" in names
    assert Brief.model_validate(data) == brief


def test_every_sample_brief_passes_its_own_verifier(corpus_desk) -> None:  # type: ignore[no-untyped-def]
    ids = [r[0] for r in corpus_desk.store.conn.execute(
        "SELECT id FROM articles WHERE duplicate_of IS NULL")]
    composed = 0
    for article_id in ids:
        brief = corpus_desk.brief(article_id, now=NOW)
        assert brief.verification.dropped == [], (brief.title, brief.verification.dropped)
        assert 3 <= len(brief.insights) <= 4
        composed += sum(b.composed for i in brief.insights for b in i.bullets)
    assert composed >= 5, "earlier-figure comparisons and quote bullets are composed"


def test_a_figure_sentence_opening_on_a_pronoun_brings_the_sentence_it_refers_to() -> None:
    article = make(
        "Grain Trade Record\n\nGrain trade across the Amur has grown every year since 2019. "
        "Last year it reached a record of about $4 billion, above the $3 billion target. "
        "Traders in Harbin said rail capacity was the main constraint.")
    bullets = insight(brief_of(article), CHANGED).bullets
    assert [c.sentence for c in bullets[0].citations] == [0, 1]
    assert bullets[0].text.startswith("Grain trade across the Amur has grown")


def test_a_quote_bullet_without_its_speaker_gets_the_speaker_back() -> None:
    article = make(
        "Copper Prices Slide\n\n"
        '"Demand has stalled," said Marta Quispe, a senior analyst at the fictional Andes '
        "Metals Desk.\n"
        '"Tariffs on Chinese equipment are a risk for every mine in the north."\n'
        "Chilean copper exports to China fell 4% in March.\n"
        "Mining companies plan to cut output at two large mines next year.")
    brief = brief_of(article)
    bullet = next(b for i in brief.insights for b in i.bullets if "Tariffs on" in b.text)
    assert bullet.composed
    assert bullet.text.startswith("Marta Quispe, a senior analyst at the fictional Andes "
                                  "Metals Desk: “Tariffs on Chinese equipment")
    assert {c.sentence for c in bullet.citations} == {0, 1}
    assert brief.verification.dropped == []


def test_a_two_word_quote_is_not_a_statement() -> None:
    article = make("Grain Talks\n\n\"Absolutely not,\" said Marta Quispe, a senior analyst at "
                   "the fictional Andes Metals Desk, when asked about a copper export ban. "
                   "Chile and China agreed to expand copper trade.")
    assert extract_quotes(article.sentences, find_entities(article.sentences, GAZ))
    assert brief_of(article).quotes == []


def test_a_composed_quote_bullet_given_to_someone_else_is_dropped() -> None:
    article = make(EXPORTS)
    lookup = make_lookup([article])
    cites = [Citation(article_id=article.id, sentence=i) for i in (2, 3)]
    faithful = CitedSentence(text="Marta Quispe: “Nobody expected demand to hold up this well.”",
                             citations=cites, composed=True)
    assert check(faithful, lookup, GAZ, copied=False) is None
    for other in ("Quispe", "Putin", "Analysts"):
        tampered = faithful.model_copy(update={"text": faithful.text.replace("Marta Quispe",
                                                                             other)})
        reason = check(tampered, lookup, GAZ, copied=False)
        if other == "Quispe":
            assert reason is None  # the surname alone names her
        else:
            assert reason is not None and other in reason
