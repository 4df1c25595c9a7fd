"""Event marks: what a text says about *which* occurrence it reports (a person's age, the
Nth of something in the headline), and when two sets of marks contradict each other."""

from __future__ import annotations

from newsdesk.relate.marks import NO_MARKS, EventMarks, SeenMarks, event_marks


def seen(*texts: tuple[str, str]) -> SeenMarks:
    marks = SeenMarks()
    for title, text in texts:
        marks.add(event_marks(title, text))
    return marks


def test_ages_are_read_after_a_name_and_before_it() -> None:
    m = event_marks("Actor named", "Matt Smith, 26, takes the role. The 36-year-old "
                    "champion Klitschko won again, and the 40 - year - old American Tony "
                    "Thompson lost.")
    assert m.ages == {("Smith", 26), ("Klitschko", 36), ("Thompson", 40)}


def test_an_age_is_keyed_by_surname_without_possessive_or_shouting() -> None:
    m = event_marks("x", "KLITSCHKO'S, 32, record grew. Smith’s, 30, turn.")
    assert m.ages == {("Klitschko", 32), ("Smith", 30)}


def test_numbers_that_are_not_ages_are_not_read_as_ages() -> None:
    m = event_marks("Election", "Of the 288 candidates, 56 are women, 46 in Akhal, 25 in "
                    "Balkan. The show has been running for 45-years.")
    assert m.ages == frozenset()


def test_headline_ordinals_name_an_occurrence() -> None:
    assert event_marks("Capaldi revealed as 12th Doctor", "").ordinals == {("doctor", 12)}
    assert event_marks("Capaldi revealed as the Twelfth Doctor", "").ordinals == {
        ("doctor", 12)}
    assert event_marks("Klitschko stops Thompson in 6th round", "").ordinals == {
        ("round", 6)}


def test_ordinals_that_do_not_name_an_occurrence_are_ignored() -> None:
    # "first" mostly means "for the first time"; days and nights count one ongoing story;
    # the body is not read for ordinals (it recalls earlier occurrences freely).
    assert not event_marks("Turkmens vote in first multi-party election", "").ordinals
    assert not event_marks("Protests enter third day in Athens", "").ordinals
    assert not event_marks("Riots go on", "It was the 4th time this year.").ordinals
    assert event_marks("Quiet day", "Nothing happened.") is NO_MARKS


def test_the_same_person_at_another_age_contradicts_a_story() -> None:
    story = seen(("Klitschko retains titles", "Wladimir Klitschko, 32, beat Rahman."))
    assert story.contradicted_by(event_marks("Klitschko wins", "Klitschko, 36, beat Thompson."))
    # A birthday between two reports of one event is no contradiction.
    assert not story.contradicted_by(event_marks("Klitschko", "The 33-year-old Klitschko."))
    # Another person's age says nothing about this one.
    assert not story.contradicted_by(event_marks("Thompson", "Tony Thompson, 36, lost."))


def test_another_ordinal_of_the_same_word_contradicts_a_story() -> None:
    story = seen(("Matt Smith named as the 11th Doctor", "The BBC announced it."))
    assert story.contradicted_by(event_marks("Peter Capaldi is the 12th Doctor", ""))
    assert not story.contradicted_by(event_marks("Who is the eleventh Doctor?", ""))
    assert not story.contradicted_by(event_marks("Smith's 12th film", ""))


def test_a_story_that_already_holds_a_value_is_not_contradicted_by_it() -> None:
    story = seen(("The 11th Doctor", ""), ("The 12th Doctor", ""))
    assert not story.contradicted_by(event_marks("Capaldi, the 12th Doctor", ""))


def test_no_marks_never_contradict() -> None:
    story = seen(("The 11th Doctor", "Smith, 26, was cast."))
    assert not story.contradicted_by(NO_MARKS)
    assert not SeenMarks().contradicted_by(EventMarks(ages=frozenset({("Smith", 40)})))


def test_a_headline_reversal_is_read_only_for_the_undoing_of_an_act() -> None:
    assert event_marks("Governor Hale overturns predecessor's fishing quota rule", "").reversal
    assert event_marks("Court reverses the ruling on appeal", "").reversal
    assert event_marks("Interior revokes eleventh-hour rule", "").reversal
    # Not a vehicle overturning, and not the body (which recalls earlier acts freely).
    assert not event_marks("Bus overturns in mountain pass; seven hurt", "").reversal
    assert not event_marks("Governor Reed loosens fishing quota rule", "Hale may overturn it.").reversal


def test_a_reversal_contradicts_a_story_that_reported_none() -> None:
    act = seen(("Reed administration loosens fishing quota rule", ""))
    undoing = event_marks("Governor Hale overturns predecessor's fishing quota rule", "")
    assert act.contradicted_by(undoing)
    # Once a story holds a report of the reversal, more reports of it join freely, and
    # reports of the act itself were never in question.
    both = seen(("Reed administration loosens fishing quota rule", ""),
                ("Hale reverses Reed on fishing quotas", ""))
    assert not both.contradicted_by(undoing)
    assert not seen(("Hale overturns Reed rule", "")).contradicted_by(
        event_marks("Reed administration loosens fishing quota rule", ""))
