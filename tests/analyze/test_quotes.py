"""Quotes: who said what, direct or reported, with speakers resolved."""

from newsdesk.analyze.entities import find_entities
from newsdesk.analyze.places import default_gazetteer
from newsdesk.analyze.quotes import extract_quotes


def quotes(*sentences: str):
    s = list(sentences)
    return extract_quotes(s, find_entities(s, default_gazetteer()))


def test_curly_quote_with_speaker_and_role_after() -> None:
    (q,) = quotes("“China and Russia have built a new model of ties,” Foreign Minister "
                  "Wang Yi said on Thursday.")
    assert q.kind == "direct" and q.speaker == "Wang Yi" and q.speaker_role == "Foreign Minister"
    assert q.text == "China and Russia have built a new model of ties,"


def test_straight_quote_with_said_name_role() -> None:
    (q,) = quotes('"Payments are the weak link," said Irina Volkova, a senior analyst at '
                  "the fictional Amur Trade Council.")
    assert q.speaker == "Irina Volkova"
    assert q.speaker_role is not None and "senior analyst" in q.speaker_role


def test_quote_spanning_sentences_and_continuation() -> None:
    qs = quotes(
        '"Demand is weak. Credit is expensive," said Oleg Sorokin, an economist at the '
        "fictional Don Institute.",
        '"It will take a year to recover."',
    )
    assert qs[0].speaker == "Oleg Sorokin"
    assert qs[0].sentences == [0]
    assert qs[1].speaker == "Oleg Sorokin"


def test_quote_across_two_sentences_keeps_both_indexes() -> None:
    (q,) = quotes("Jia Lin, a trader at the fictional Harbin Link, said: “Trucks wait for days.",
                  "Nobody knows when it ends.”")
    assert q.sentences == [0, 1] and q.speaker == "Jia Lin"


def test_pronoun_resolves_to_the_last_named_person() -> None:
    qs = quotes(
        "Sergei Malov, a director at the fictional Taiga Bank, spoke on Monday.",
        '"We expect fewer rejected payments," he said.',
    )
    assert qs[-1].speaker == "Sergei Malov"


def test_reported_speech_and_according_to() -> None:
    qs = quotes(
        "Nina Orlova, chief economist at the fictional Volga Advisory, said that exports "
        "would fall in the second half.",
        "Shipments fell sharply in August, according to customs officials.",
    )
    assert [(q.kind, q.speaker) for q in qs] == [
        ("reported", "Nina Orlova"), ("reported", "customs officials")]
    assert qs[0].text.startswith("exports would fall")


def test_unattributed_quote_has_no_speaker() -> None:
    (q,) = quotes('The phrase "no limits" was used in the statement of February 2022.')
    assert q.speaker is None
