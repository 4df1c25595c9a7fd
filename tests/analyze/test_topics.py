"""Topic tags: a shipped YAML taxonomy, scores with evidence, a threshold, user themes."""

from pathlib import Path

import pytest

from newsdesk.analyze.places import default_gazetteer
from newsdesk.analyze.sentences import split_sentences
from newsdesk.analyze.topics import GROUPS, load_taxonomy, tag_article
from newsdesk.errors import InputError


def tags_of(title: str, text: str, extra: tuple[Path, ...] = ()) -> dict:
    sentences = split_sentences(text)
    topics = tag_article(title, sentences, load_taxonomy(extra), default_gazetteer())
    return {t.label: t for t in topics}


def test_shipped_taxonomy_is_broad() -> None:
    taxonomy = load_taxonomy()
    assert len(taxonomy.themes) >= 30
    assert {t.group for t in taxonomy.themes} == set(GROUPS)
    for theme in taxonomy.themes:
        assert theme.label and theme.description, theme.id
    labels = {t.label for t in taxonomy.themes}
    assert {"De-dollarization", "Geopolitical Risk", "Energy Cooperation", "Sanctions",
            "Tech Collaboration", "Tariffs", "Export Controls"} <= labels


def test_country_pair_tag_with_evidence(article_text: str) -> None:
    body = article_text.split("\n\n", 1)[1]
    tags = tags_of("Grain Shipments Across The Amur Reach A New High", body)
    pair = tags["China-Russia Trade"]
    sentences = split_sentences(body)
    assert pair.tag == "pair:china-russia:trade"
    assert pair.evidence and all("Chin" in sentences[i] or "Russia" in sentences[i]
                                 for i in pair.evidence)
    assert pair.score >= 2


def test_every_tag_cites_sentences_that_match(article_text: str) -> None:
    body = article_text.split("\n\n", 1)[1]
    sentences = split_sentences(body)
    for topic in tags_of("Grain", body).values():
        assert topic.evidence, topic.label
        assert max(topic.evidence) < len(sentences)


def test_a_passing_mention_stays_below_the_threshold() -> None:
    text = (
        "The city council approved a new park budget on Monday. Residents welcomed the plan. "
        "Construction starts in spring and should take a year. One speaker mentioned sanctions "
        "in passing. The mayor thanked volunteers for their work on the proposal."
    )
    assert "Sanctions" not in tags_of("Park plan approved", text)


def test_no_pair_tag_when_countries_only_appear_in_sanctions_talk() -> None:
    text = (
        "The United States imposed new sanctions on Russia on Friday. "
        "Washington said the sanctions target Russian banks. "
        "Russia said it would respond to the US sanctions. "
        "Russian exports to India rose 10% last month, and India bought more Russian oil. "
        "Indian refiners increased imports of Russian crude again."
    )
    tags = tags_of("New sanctions", text)
    assert "Russia-US Trade" not in tags
    assert "India-Russia Trade" in tags


def test_a_sentence_that_names_its_pair_is_not_evidence_for_a_bystander() -> None:
    text = (
        "Trade between Brazil and India rose to a record last year, but a new US order "
        "could make exports harder to finance. "
        "Indian exports to Brazil jumped by a third, driven by cars and medicines. "
        "Brazilian shipments to India, mostly soybeans and sugar, also grew. "
        "The US order lets the Treasury cut off banks that finance arms deals with India. "
        "Washington officials said the order was aimed at defence trade."
    )
    tags = tags_of("Record Brazil-India Trade Meets A New US Bank Order", text)
    assert "Brazil-India Trade" in tags
    assert "India-US Trade" not in tags


def test_user_theme_from_yaml(tmp_path: Path) -> None:
    custom = tmp_path / "mine.yaml"
    custom.write_text(
        "themes:\n"
        "  - id: arctic-shipping\n"
        "    label: Arctic Shipping\n"
        "    group: trade\n"
        "    description: Cargo through Arctic waters.\n"
        "    patterns: ['Northern Sea Route', 'icebreakers?']\n"
    )
    text = ("Cargo on the Northern Sea Route doubled this summer. More icebreakers were "
            "hired to escort tankers. Shipping firms plan more voyages on the Northern Sea Route.")
    assert "Arctic Shipping" in tags_of("Arctic cargo", text, (custom,))
    assert "Arctic Shipping" not in tags_of("Arctic cargo", text)


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("themes:\n  - id: x\n    label: X\n", "missing patterns"),
        ("themes:\n  - id: x\n    label: X\n    group: sport\n    patterns: [a]\n", "group"),
        ("themes:\n  - id: x\n    label: X\n    patterns: ['(unclosed']\n", "not a valid regex"),
        ("themes:\n  - id: x\n    label: X\n    patterns: ['a|']\n", "empty string"),
        ("themes:\n  - id: x\n    label: X\n    patterns:\n      - a(?: b)\n", "quote"),
        ("themes: [\n", "cannot read"),
        ("themes:\n  - 5\n", "theme 5 is not a mapping"),
        ("threshold: high\n", "threshold 'high' is not a number"),
        ("country_pairs: 5\n", "country_pairs must be a mapping"),
        ("country_pairs:\n  min_mentions: two\n", "min_mentions 'two' is not a number"),
    ],
)
def test_bad_user_taxonomy_is_explained(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text)
    with pytest.raises(InputError, match=message):
        load_taxonomy((path,))
