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


def test_the_same_period_points_back_to_the_one_stated_before() -> None:
    """"Over the same two months" is January and February when the article said so just
    before: later comparisons must know these are two months' figures, not a year's."""
    found = extract_figures([
        "Exports rose 7.1% over January and February combined.",
        "Economists had expected 1.9%.",
        "Exports to Russia increased 12.5% over the same two months, and two-way trade "
        "reached roughly $37 billion.",
    ], PUBLISHED)
    assert [f.text for f in found] == ["7.1%", "1.9%", "12.5%", "$37 billion"]  # no "two months"
    for f in found[2:]:
        assert f.period is not None and (f.period.year, f.period.month, f.period.months) == (
            2024, 1, 2)
        assert f.period.text == "the same two months (January and February)"
    (_, imports) = figures("Output rose 5% in the first quarter, and imports fell 2% over the "
                           "same period.")
    assert imports.period is not None and imports.period.quarter == 1


def test_the_same_period_may_point_back_past_a_sentence_without_figures() -> None:
    (sales,) = extract_figures([
        "Imports of cars fell by roughly half in the first seven months of 2025.",
        "Car sales declined by more than 20% over the same period, Autostat said.",
    ], datetime(2025, 9, 2, tzinfo=UTC))
    assert sales.period is not None and (sales.period.year, sales.period.months) == (2025, 7)


@pytest.mark.parametrize("text", [
    "Sales rose 4% in the first quarter and 2% over the same two months.",  # lengths differ
    "Imports rose 2% over the same two months.",  # nothing before to point back to
])
def test_the_same_period_is_left_unresolved_when_it_cannot_be_told(text: str) -> None:
    found = figures(text)
    assert "two months" not in [f.text for f in found]
    assert not any(f.period and f.period.text.startswith("the same") for f in found)


def test_the_same_period_a_year_earlier_is_not_the_current_one() -> None:
    found = extract_figures(["Exports rose 7% in May.",
                             "Imports fell 3% in the same month a year earlier."], PUBLISHED)
    assert found[1].period is None or not found[1].period.text.startswith("the same")


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


def test_a_change_from_one_level_to_another_is_one_figure_with_its_previous_value() -> None:
    main, = [f for f in figures("WTI fell from $75 a barrel in October to $45.88 on Friday.")
             if f.role == "figure"]
    assert main.value == 45.88 and main.unit == "USD per barrel"
    assert main.baseline is not None and main.baseline.kind == "previous"
    assert main.baseline.value == 75 and main.direction == "down"


def test_the_bare_end_of_a_from_to_takes_the_unit_of_the_other_end() -> None:
    main = figures("He has lost weight, dropping from 208 pounds to 193 this year.")[-1]
    assert main.value == 193 and main.unit == "pound-mass"  # a weight, not sterling
    first = figures("Value should grow from 24.2 to 33 billion euros.")[0]
    assert first.value == 2.42e10 and first.unit == "EUR"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Pluristem rose 8.15% to 3.65 after the meeting.", 3.65),
        ("The yen traded at 132.86 against the greenback.", 132.86),
        ("Deliveries fell short of FactSet estimates of 64,900.", 64900),
        ("He has raised only 280 million so far.", 2.8e8),
    ],
)
def test_a_number_without_a_unit_counts_when_its_form_says_amount(text: str, value: float) -> None:
    assert value in [f.value for f in figures(text)]


@pytest.mark.parametrize(
    "text", ["Article 5 of the treaty applies.", "He scored in the 89th minute.",
             "Room 12 was closed.", "The G20 met in 2023."])
def test_labels_and_plain_small_numbers_are_not_figures(text: str) -> None:
    assert figures(text) == []


@pytest.mark.parametrize(
    ("text", "value", "high", "unit"),
    [
        ("There are tens of thousands of students here.", 1e4, 1e5, "student"),
        ("It could cost tens of millions of dollars.", 1e7, 1e8, "USD"),
        ("The plume extends hundreds of miles into space.", 100, 1000, "mile"),
        ("Prices may rise three or four percent.", 3, 4, "percent"),
        ("Growth could be five per cent to 20 per cent.", 5, 20, "percent"),
        ("The deal runs for seven to 10 years.", 7, 10, "year"),
    ],
)
def test_vague_amounts_and_word_ranges_are_ranges(
    text: str, value: float, high: float, unit: str
) -> None:
    f = only(text)
    assert (f.value, f.value_high, f.unit) == (value, high, unit)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Nearly two-thirds of the sales came from CDs.", 2 / 3),
        ("A third of the population lives in the south.", 1 / 3),
        ("It employs 600 people, almost half of which are in California.", 0.5),
        ("One out of three Germans have housing problems.", 1 / 3),
    ],
)
def test_fractions_of_a_group_are_shares(text: str, value: float) -> None:
    f = next(f for f in figures(text) if f.unit == "fraction")
    assert f.value == pytest.approx(value) and f.kind == "share"


def test_first_half_is_a_period_not_a_fraction() -> None:
    assert all(f.unit != "fraction" for f in figures("Sales rose 5% in the first half of 2024."))


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("The package was worth up to PS2.7m.", 2.7e6, "GBP"),
        ("Nintendo fell 4.28 percent to Y=28,030.", 28030, "JPY"),
    ],
)
def test_symbols_garbled_by_wire_feeds_are_still_read(
    text: str, value: float, currency: str
) -> None:
    assert (value, currency) in [(f.value, f.currency) for f in figures(text)]


def test_a_console_name_is_not_garbled_sterling() -> None:
    assert all(f.currency != "GBP" for f in figures("Sony sold the PS4 for years."))


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("Tusi has appeared in eight straight World Cups.", 8, "Cup"),
        ("In total, 1,307,000 Americans were collecting jobless aid.", 1307000, "American"),
        ("There were 4 hundred million people.", 4e8, "people"),
        ("They will provide three thousand tests per day.", 3000, "test per day"),
        ("Sea levels could rise 11 feet per century.", 11, "foot per century"),
        ("The offense managed minus-5 yards.", -5, "yard"),
        ("Top relievers: John Gant (0.5 WAR).", 0.5, "WAR"),
    ],
)
def test_counts_signs_and_units_we_do_not_list(text: str, value: float, unit: str) -> None:
    assert (value, unit) in [(f.value, f.unit) for f in figures(text)]


def test_a_number_in_a_model_name_is_not_a_count() -> None:
    assert all(f.value != 737 for f in figures("The airline grounded two new 737 Max jets."))


def test_a_duration_used_as_an_adjective_is_not_a_figure() -> None:
    assert figures("He won a five-year award for his research.") == []


def test_a_conversion_in_brackets_keeps_the_qualifier_of_the_amount() -> None:
    text = "It charges customers with more than 7.5 million Danish crowns (US $1.1 million)."
    crowns, dollars = figures(text)
    assert crowns.currency == "DKK" and dollars.currency == "USD"
    assert crowns.qualifier == dollars.qualifier == "more_than"


def test_an_elliptical_clause_keeps_the_direction_of_the_one_before() -> None:
    f = figures("Ross was down 2.3%, Burlington by 2.6% before the bell.")
    assert [x.direction for x in f] == ["down", "down"]


def test_it_takes_the_subject_of_the_sentence_before() -> None:
    first, *_ = extract_figures(["Bilateral commerce has expanded rapidly since 2022.",
                                 "Last year it hit a record of about $240 billion."], PUBLISHED)
    assert first.value == 2.4e11 and first.subject == "Bilateral commerce"


def test_a_noun_of_the_figure_is_its_subject() -> None:
    f = only("Economists had pencilled in growth of only 1.9% for the period.")
    assert f.subject == "growth"


@pytest.mark.parametrize(
    "text", ["It is the core idea of Minetest 0.4, they said.", "Upgrade to version 2.1 now.",
             "The hospital treated 20 COVID-19 patients."])
def test_versions_and_names_are_not_units_or_amounts(text: str) -> None:
    assert all(f.unit not in (None, "COVID") for f in figures(text))


def test_a_currency_code_after_the_amount_is_its_currency() -> None:
    assert [(f.value, f.currency) for f in figures("The rate is 110 JPY to 1 USD.")] == [
        (110, "JPY"), (1, "USD")]


def test_baseline_text_is_the_words_that_give_it() -> None:
    main, _ = figures("Exports rose 7.1% in January, beating a Reuters poll forecast of 1.9%.")
    assert main.baseline is not None and main.baseline.text == "Reuters poll forecast of 1.9%"
    main, _ = figures("Imports fell 3% from 5% a year earlier.")
    assert main.baseline is not None and main.baseline.text == "from 5%"


def test_a_subject_does_not_end_on_an_auxiliary_and_adverb() -> None:
    assert only("Bilateral trade was still up 4%.").subject == "Bilateral trade"


@pytest.mark.parametrize(("text", "subjects"), [
    ("Officials said that more than 95% of bilateral payments already use roubles and yuan.",
     ["bilateral payments"]),
    ("Some 30% of Russian imports of cars came from China last year.",
     ["Russian imports of cars"]),
    ("Bilateral trade reached about $245 billion in 2024 before falling 9.1% in the first "
     "half of 2025.", ["Bilateral trade", "Bilateral trade"]),
    ("Output hit 10 million tonnes, rising 4% on the year.", ["Output", "Output"]),
    ("Exports rose 5% in May, while imports fell 3%.", ["Exports", "imports"]),
    ("The key interest rate that only recently came down from 21% to 18% weighs on sales.",
     ["key interest rate"]),  # one change: from 21% to 18%
])
def test_a_share_names_its_whole_and_a_second_predicate_keeps_the_subject(
        text: str, subjects: list[str]) -> None:
    assert [f.subject for f in figures(text)] == subjects


def test_a_period_in_the_next_item_of_a_list_is_not_the_figures() -> None:
    (rate,) = figures("Dealers blame a key interest rate that came down from 21% to 18%, "
                      "and large stocks of unsold cars shipped in 2024.")
    assert rate.period is None
    # Before the figure, the clause's period carries over: May for both.
    rose, fell = figures("Exports rose 5% in May, while imports fell 3%.")
    assert rose.period is not None and fell.period is not None
    assert rose.period.month == fell.period.month == 5


def test_a_year_ago_baseline_is_not_the_period_and_an_appositive_change_keeps_its_subject() -> None:
    total, change = figures("Two-way trade totalled about $106.5 billion between January "
                            "and June, a decline of 9.1% from a year earlier.")
    assert change.subject == total.subject == "Two-way trade"
    assert change.period is not None and change.period.months == 6
    (june,) = figures("In June, exports to Russia rose 2.2% from a year earlier.")
    assert june.period is not None and june.period.month == 6
    (bare,) = figures("Sales were 5% higher than the year before.")
    assert bare.period is None


def test_the_same_period_last_year_is_the_baseline_not_the_period() -> None:
    total, change = figures("Two-way trade reached about $116.8 billion between January "
                            "and June, an increase of roughly 1.8% from the same period last "
                            "year.")
    assert change.period is not None and change.period.months == 6
    (bigger,) = figures("The population was 144% greater than last year, with the highest "
                        "count since the winter of 2006.")
    assert bigger.period is None
