"""Figures: every quantity normalised, with kind, direction, subject, period and baseline."""

from datetime import UTC, datetime

import pytest

from newsdesk.analyze.figures import extract_figures

PUBLISHED = datetime(2024, 3, 7, 10, 0, tzinfo=UTC)


def figures(text: str, published: datetime | None = PUBLISHED):
    return extract_figures([text], published)


def only(text: str):
    (figure,) = figures(text)
    return figure


def test_money_is_normalised_to_a_value_and_currency() -> None:
    f = only("Bilateral trade hit a total of $37 billion in the period.")
    assert f.value == 3.7e10 and f.unit == "USD" and f.currency == "USD"
    assert f.subject == "Bilateral trade" and f.kind == "level"
    assert f.text == "$37 billion"


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("Exports reached 37bn yuan.", 3.7e10, "CNY"),
        ("The fund holds 1.2 trillion roubles.", 1.2e12, "RUB"),
        ("Russia shipped 22.7 bcm of gas.", 2.27e10, "cubic metre"),
        ("Output was 2.1 million barrels per day.", 2.1e6, "barrel per day"),
        ("Sales rose 4.5 per cent.", 4.5, "percent"),
        ("The spread widened by 25 basis points.", 25, "basis point"),
        ("Brent traded at $82.10 a barrel.", 82.1, "USD per barrel"),
        ("The company hired 13,000 workers.", 13000, "worker"),
    ],
)
def test_units_scales_and_currencies(text: str, value: float, unit: str) -> None:
    f = only(text)
    assert f.value == pytest.approx(value) and f.unit == unit


def test_change_with_direction_subject_period_and_forecast_baseline() -> None:
    (main, base) = figures(
        "Volumes rose 7.1% in the first two months of 2024, eclipsing a Reuters poll "
        "forecast of 1.9%."
    )
    assert (main.value, main.unit, main.kind, main.direction) == (7.1, "percent", "change", "up")
    assert main.subject == "Volumes"
    assert main.period is not None and (main.period.year, main.period.months) == (2024, 2)
    assert main.baseline is not None
    assert (main.baseline.kind, main.baseline.value, main.baseline.source) == (
        "forecast", 1.9, "Reuters poll")
    assert base.role == "baseline" and base.value == 1.9


def test_subject_is_the_phrase_before_the_verb() -> None:
    f = only("Through January and February, Chinese exports to the country rose 12.5%.")
    assert f.subject == "Chinese exports to the country"
    assert f.period is not None and f.period.text == "January and February"
    assert f.period.year == 2024 and f.period.months == 2


def test_last_year_resolves_against_publication_date() -> None:
    f = only("Bilateral trade hit a record $240 billion last year.")
    assert f.period is not None and f.period.year == 2023


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("Exports to Russia fell 3.2% in August.", "down"),
        ("Car shipments dipped 9% from a year earlier.", "down"),
        ("Imports surged 25% on the year.", "up"),
        ("Trade was halted at 0% growth.", "none"),
        ("The index ended down 1% on Friday.", "down"),
        ("Shares closed 4% higher.", "up"),
        ("Revenue rose to $7.4 billion.", "none"),
    ],
)
def test_direction_words(text: str, direction: str) -> None:
    assert figures(text)[0].direction == direction


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("About 40% of trade is settled in yuan.", "approximate"),
        ("More than 90% of payments use roubles and yuan.", "more_than"),
        ("Fewer than 300 trucks crossed.", "less_than"),
        ("The grant is worth up to $8 million.", "less_than"),
    ],
)
def test_qualifiers(text: str, qualifier: str) -> None:
    assert figures(text)[0].qualifier == qualifier


def test_ranges() -> None:
    f = only("Prices ranged from $750,000 to $1 million.")
    assert (f.value, f.value_high, f.unit) == (750000, 1e6, "USD")
    g = only("Growth is forecast at 4.5-5% this year.")
    assert (g.value, g.value_high, g.unit) == (4.5, 5, "percent")


@pytest.mark.parametrize(
    "text",
    [
        "The deal was signed on March 14, 2022 in Moscow.",
        "Since the 2022 invasion, ties have deepened.",
        "The G7 and the Covid-19 response dominated.",
        "Trading opened at 10 a.m. local time.",
        "It was the 3rd meeting this month.",
        "Boeing 737 jets were grounded.",
        "Senard, 65, took over.",
    ],
)
def test_dates_years_times_ordinals_and_names_are_not_figures(text: str) -> None:
    assert figures(text) == []


def test_share_and_count_kinds() -> None:
    assert only("The yuan's share of settlements reached 40%.").kind == "share"
    f = only("The bank closed 120 accounts.")
    assert (f.kind, f.unit, f.value) == ("count", "account", 120)


def test_spans_point_into_the_sentence() -> None:
    text = "Exports rose 12.5% while imports fell 4%."
    for f in figures(text):
        assert text[f.span.start:f.span.end] == f.text
        assert f.span.sentence == 0
