"""Risk signals and tone, with evidence sentences."""

from newsdesk.analyze.enrich import analyze
from newsdesk.analyze.places import default_gazetteer
from newsdesk.analyze.topics import load_taxonomy
from newsdesk.ingest.prepare import prepare
from newsdesk.ingest.text import parse_text

TEXT = """Banks Reject Russian Payments
Published: 2024-02-20T07:30:00+03:00

Chinese banks rejected payments from Russian importers this month, disrupting trade.
The United States threatened secondary sanctions on foreign banks in December.
Washington also raised tariffs on Chinese electric vehicles to 100%.
New export controls on chips took effect in October.
Exports to Russia fell 15% in March, customs data showed.
"""


def enrichment(text: str = TEXT):
    article = prepare(parse_text(text, "a.txt"))
    return article, analyze(article, load_taxonomy(), default_gazetteer())


def test_signals_with_evidence() -> None:
    article, e = enrichment()
    kinds = {s.kind: s.sentences for s in e.signals}
    assert {"secondary_sanctions", "tariffs", "export_controls", "payment_disruption"} <= set(kinds)
    assert 2 in kinds["tariffs"]
    for signal in e.signals:
        assert signal.sentences and max(signal.sentences) < len(article.sentences)


def test_tone_is_negative_for_bad_news_and_positive_for_growth() -> None:
    _, bad = enrichment()
    _, good = enrichment("Trade Booms\n\nExports rose 12% in May. Imports grew 8%. "
                         "Car sales jumped 30% on the year. Investment climbed 5%.\n")
    assert -1 <= bad.tone < 0 < good.tone <= 1


def test_a_default_is_a_failure_to_pay_not_a_default_choice_or_a_housing_story() -> None:
    article, e = enrichment(
        "Property Lenders Under Strain\nPublished: 2024-02-20T07:30:00+03:00\n\n"
        "Housing sales in China fell again in January, and the real estate slump deepened.\n"
        "Chinese brands will still be the default choice for Russian car buyers.\n"
        "Two developers defaulted on dollar bonds last week.\n"
        "By default, payments are routed through the yuan system.\n")
    kinds = {s.kind: s.sentences for s in e.signals}
    assert kinds.get("default") == [2]  # "defaulted on dollar bonds" only


def test_payments_in_roubles_and_yuan_are_no_disruption_but_payments_stuck_are() -> None:
    _, e = enrichment(
        "Payments Shift\nPublished: 2024-02-20T07:30:00+03:00\n\n"
        "More than 90% of bilateral payments are now made in roubles and yuan, a shift "
        "that accelerated after Western sanctions.\n"
        "Small firms say their payments are getting stuck for weeks because of sanctions.\n"
        "Banks in Moscow settle payments with banking partners in yuan despite sanctions.\n"
        "A blockchain payments pilot of the central banks went ahead despite sanctions.\n")
    kinds = {s.kind: s.sentences for s in e.signals}
    assert kinds.get("payment_disruption") == [1]  # not for "banks" or "blockchain"
