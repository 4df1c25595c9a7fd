"""Entities: canonical people, organisations and places, with roles."""

from newsdesk.analyze.entities import find_entities
from newsdesk.analyze.places import default_gazetteer


def entities(*sentences: str) -> dict:
    return {e.name: e for e in find_entities(list(sentences), default_gazetteer())}


def test_known_leaders_and_institutions_get_full_names() -> None:
    found = entities("Putin met Xi in Beijing.", "The PBOC cut rates.")
    assert found["Vladimir Putin"].type == "person"
    assert found["Xi Jinping"].role == "President"
    assert found["People's Bank of China"].type == "organisation"


def test_unknown_person_with_title_or_role() -> None:
    found = entities(
        '"Trade will recover," said Marta Kowalczyk, a senior economist at the fictional '
        "Vistula Research Institute.",
        "Deputy Governor Tomas Rivera told reporters the bank was ready.",
    )
    assert found["Marta Kowalczyk"].role.startswith("a senior economist")
    assert found["Vistula Research Institute"].type == "organisation"
    assert found["Tomas Rivera"].role == "Deputy Governor"


def test_surname_mentions_resolve_to_the_full_name() -> None:
    found = entities(
        "Anna Petrova, an analyst at the fictional Neva Capital, expects a rebound.",
        "Petrova said the rouble would stabilise.",
    )
    assert found["Anna Petrova"].mentions == 2
    assert "Petrova" not in found


def test_sentence_openers_are_not_names() -> None:
    found = entities("Meanwhile Exports Rose sharply.", "In March the index fell.")
    assert not any(e.type == "person" for e in found.values())


def test_spans_point_at_the_name() -> None:
    text = "Foreign Minister Wang Yi said ties were strong."
    (e,) = [x for x in find_entities([text], default_gazetteer()) if x.type == "person"]
    assert text[e.spans[0].start:e.spans[0].end] == "Wang Yi"
