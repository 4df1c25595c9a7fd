"""Places: every alias (capital, demonym, 'the Kremlin') means one canonical country."""

from newsdesk.analyze.places import default_gazetteer


def test_aliases_resolve_to_canonical_names() -> None:
    g = default_gazetteer()
    found = g.find([
        "Moscow and Beijing signed the deal.",
        "The Kremlin said Chinese buyers were welcome.",
        "Washington warned the U.S. would act.",
    ])
    assert found["Russia"] == [0, 1]
    assert found["China"] == [0, 1]
    assert found["United States"] == [2]


def test_gazetteer_is_broad_and_has_blocs() -> None:
    g = default_gazetteer()
    countries = [p for p in g.places.values() if p.kind == "country"]
    assert len(countries) >= 120
    assert {"European Union", "BRICS", "G7"} <= set(g.places)


def test_words_inside_other_words_do_not_match() -> None:
    g = default_gazetteer()
    assert g.find(["The Indianapolis Chinatown restaurant opened."]) == {}


def test_trie_scan_equals_the_plain_alternation(corpus) -> None:
    """The trie-shaped regex finds exactly what one flat alternation (longest first)
    finds, for places and for the people/organisation directory, over the corpus and
    edge cases (start of text, after a period, longer alias sharing a prefix)."""
    from newsdesk.analyze.entities import default_directory

    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
    texts += ["Russia", "Russian", ".Russia", "U.S. and the U.K.", "Bank of Russia's",
              "the West,the Kremlin", "XRussia Russia_ Russia-Ukraine"]
    for scanner in (default_gazetteer().scanner, default_directory().scanner):
        reference = scanner.reference_pattern()
        for text in texts:
            assert [m.span() for m in scanner.scan(text)] == [
                m.span() for m in reference.finditer(text)]
