"""Story features: content words say what happened, names and numbers say to whom."""

from __future__ import annotations

from collections import Counter

from newsdesk.relate.features import OnlineIdf, article_terms, dot


def test_words_drop_function_words_and_fold_case() -> None:
    t = article_terms("The Strike Ends", "Dockworkers said the strike had ended.")
    assert t.words["strike"] == 2
    assert "the" not in t.words and "said" not in t.words


def test_names_are_capitalised_words_and_numbers_not_sentence_openers() -> None:
    t = article_terms("Rotterdam strike", "The FNV union called out 3,000 dockworkers. "
                      "It said ECT halted loading in Rotterdam.")
    assert t.names == Counter({"Rotterdam": 2, "FNV": 1, "3,000": 1, "ECT": 1})


def test_shouted_headlines_match_normal_case() -> None:
    t = article_terms("CHARGERS RECEIVER ARRESTED", "Chargers receiver held.")
    assert t.names["Chargers"] == 2


def test_entities_from_the_analysis_join_the_names() -> None:
    t = article_terms("Talks in Moscow", "Officials met.", extra_names=["Russia"])
    assert t.names["Russia"] == 1


def test_idf_is_online_and_pending_weighs_as_if_added() -> None:
    idf = OnlineIdf()
    idf.add({"strike", "port"})
    idf.add({"strike", "flood"})
    counts = Counter({"strike": 2, "port": 1, "budget": 1})
    pending = idf.weigh(counts, pending=True)
    idf.add(counts)
    assert pending == idf.weigh(counts)
    # A word in every article weighs least; one never seen before weighs most.
    assert pending["strike"] / 2 < pending["port"] < pending["budget"]
    assert abs(dot(pending, pending) - 1.0) < 1e-9
