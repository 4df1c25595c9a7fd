"""Story features: content words say what happened, names and numbers say to whom."""

from __future__ import annotations

import random
from collections import Counter

from newsdesk.relate.features import (
    _TOKEN,
    STOPWORDS,
    OnlineIdf,
    article_terms,
    content_words,
    dot,
)


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


def test_content_words_are_the_lowered_words_of_the_token_scan() -> None:
    """Content words: each token of two letters or more (not a number) lower-cased, "’"
    read as "'", stopwords out; on random text with curly apostrophes, hyphens, digits
    and letters that fold case oddly (Kelvin sign, long s, dotted I)."""

    def reference(text: str) -> list[str]:
        tokens = (t.lower().replace("’", "'") for t in _TOKEN.findall(text)
                  if len(t) > 1 and not t[0].isdigit())
        return [t for t in tokens if t not in STOPWORDS]

    assert content_words("Moscow’s exports rose 12.5% in the year-earlier period") == [
        "moscow's", "exports", "rose", "year-earlier", "period"]
    rng = random.Random(5)
    alphabet = "aB1-'’.x\u212a\u017fİı ,"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert content_words(text) == reference(text), repr(text)
