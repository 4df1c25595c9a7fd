"""Cue roles: what job each sentence does, found in one pass and stored compactly."""

from newsdesk.analyze import cues

SENTENCES = (
    "Exports fell 3% because banks delayed payments.",
    "Since 2022, trade has been settled in yuan.",
    '"We expect growth to return," said Anna Test, an analyst.',
    "Sanctions could tighten next year.",
)


def test_roles_per_sentence() -> None:
    roles = cues.sentence_roles(SENTENCES)
    assert {"driver", "risk", "figure"} <= roles[0]
    assert "context" in roles[1]
    assert {"quote", "attribution", "outlook"} <= roles[2]
    assert {"risk", "outlook"} <= roles[3]


def test_stored_roles_round_trip() -> None:
    roles = cues.sentence_roles(SENTENCES)
    encoded = cues.encode_roles(roles)
    fresh = tuple(s + " " for s in SENTENCES)  # not in the cache yet
    cues.remember_roles(fresh, encoded)
    assert cues.sentence_roles(fresh) == roles
