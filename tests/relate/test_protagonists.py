"""Protagonists: who a report is about, and when an article and a story swap them (a new
lead person the story never named, while the person the story keeps naming fades)."""

from __future__ import annotations

from collections import Counter

from newsdesk.analyze.sentences import split_sentences
from newsdesk.relate.features import _names
from newsdesk.relate.protagonists import (
    MIN_MEMBERS,
    NO_PEOPLE,
    People,
    SeenPeople,
    article_people,
    person_surnames,
)

JACKSON = ("Mariners receiver arrested for drunk driving.",
           "Harbor City Mariners wide receiver Tom Alder was arrested on suspicion of "
           "drunk driving on Tuesday. Alder failed sobriety tests, police said. Alder "
           "will play on Sunday.")
WILLIAMS = ("Harbor City lineman arrested on suspicion of drunk driving.",
            "Harbor City Mariners defensive tackle Sam Ortega was arrested on suspicion "
            "of drunken driving, a month after a teammate was held on the same charge. "
            "Ortega was stopped early Sunday. Ortega was booked and released. The "
            "first was receiver Tom Alder.")


def people(title: str, text: str) -> People:
    sentences = split_sentences(text)
    return article_people(title, sentences, Counter(_names([title, *sentences])))


def counts(title: str, text: str) -> Counter[str]:
    return Counter(_names([title, *split_sentences(text)]))


def story_of(*articles: tuple[str, str]) -> tuple[SeenPeople, set[str]]:
    seen, names = SeenPeople(), set()
    for title, text in articles:
        seen.add(people(title, text))
        names.update(counts(title, text))
    return seen, names


def test_a_person_is_a_first_name_and_a_surname() -> None:
    assert person_surnames("The actor Matt Smith's first episode; coach Jim Brown left.") == {
        "Smith", "Brown"}
    # Pairs overlap: the sentence's first word does not hide the name after it.
    assert person_surnames("When Matt Smith stepped in.") == {"Smith"}
    # A title before the name is not part of it.
    assert person_surnames("President Barack Obama overturns the rule.") == {"Obama"}


def test_places_institutions_sources_and_longer_names_are_not_persons() -> None:
    assert person_surnames("She checked in at Seacliff Haven.") == set()
    assert person_surnames("She left the Mary Rowan Center.") == set()
    assert person_surnames("Dana Kerr says she saw it. Paul Venn, told reporters.") == set()
    assert person_surnames("The Harbor City Mariners lead the Eastern Conference.") == set()
    assert person_surnames("The Millbrook Bible Church burned.") == set()


def test_the_lead_protagonist_is_repeated_and_used_alone() -> None:
    assert people(*WILLIAMS).lead == {"Ortega"}
    # Named once, in passing: not a protagonist, though a person the article names.
    assert people(*WILLIAMS).named >= {"Ortega", "Alder"}
    once = people("Storm hits coast", "Mayor Ann Lee spoke. The storm moved north.")
    assert once.lead == frozenset()
    # Only the lead is read for protagonists; a Title Case headline is not read at all.
    late = people("Storm Hits Coast As Sam Ortega Watches",
                  "The storm moved north. Sam Ortega watched. Ortega left.")
    assert late.lead == frozenset()
    assert people("Quiet day", "Nothing happened.") is NO_PEOPLE


def test_a_new_lead_person_swaps_protagonists_with_a_story_that_keeps_naming_another() -> None:
    story, names = story_of(*[JACKSON] * MIN_MEMBERS)
    assert story.swapped_by(people(*WILLIAMS), counts(*WILLIAMS), names)
    # Another report on Alder, or one that names no one, swaps nothing.
    assert not story.swapped_by(people(*JACKSON), counts(*JACKSON), names)
    assert not story.swapped_by(NO_PEOPLE, Counter(), names)


def test_no_swap_without_evidence_on_both_sides() -> None:
    # A story too small to have a constant person.
    small, names = story_of(*[JACKSON] * (MIN_MEMBERS - 1))
    assert not small.swapped_by(people(*WILLIAMS), counts(*WILLIAMS), names)
    # A newcomer some member already named (even in passing) is no newcomer.
    story, names = story_of(*[JACKSON] * MIN_MEMBERS, WILLIAMS)
    assert not story.swapped_by(people(*WILLIAMS), counts(*WILLIAMS), names)
    # The story's constant person still as present in the article as the newcomer.
    story, names = story_of(*[JACKSON] * MIN_MEMBERS)
    both = (WILLIAMS[0], WILLIAMS[1] + " Alder was cut. Alder sat out. Alder left.")
    assert not story.swapped_by(people(*both), counts(*both), names)
