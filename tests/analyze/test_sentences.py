"""The splitter decides what a citation can point at: it must not cut facts in half."""

import pytest

from newsdesk.analyze.sentences import split_sentences


@pytest.mark.parametrize(
    "text",
    [
        "Sanctions imposed by the U.S. and its allies hit banks hard.",
        "Volumes rose 7.1% in the first two months, beating the 1.9% forecast.",
        "Bilateral trade hit a total of $37 billion in January and February.",
        "Mr. Wang met Dr. Li at 10 a.m. on Monday to discuss No. 2 priorities.",
        "The yuan traded at 7.24 per dollar, the weakest level since Nov. 2022.",
    ],
)
def test_one_sentence_stays_whole(text: str) -> None:
    assert split_sentences(text) == [text]


def test_breaks_between_sentences_and_after_closing_quotes() -> None:
    text = (
        '"Trade has room to grow," said Ivan Petrov, an analyst. He added that payments '
        'were slow. "We are worried." The ministry did not comment.'
    )
    assert split_sentences(text) == [
        '"Trade has room to grow," said Ivan Petrov, an analyst.',
        "He added that payments were slow.",
        '"We are worried."',
        "The ministry did not comment.",
    ]


def test_us_at_sentence_end_before_an_opener() -> None:
    text = "The goods were rejected by the U.S. The move hurt exporters."
    assert split_sentences(text) == [
        "The goods were rejected by the U.S.",
        "The move hurt exporters.",
    ]


def test_curly_quotes_and_question_inside_quote() -> None:
    text = "“Is it sustainable?” she asked. “Not yet,” he replied."
    assert split_sentences(text) == ["“Is it sustainable?” she asked.", "“Not yet,” he replied."]


def test_paragraph_breaks_always_split() -> None:
    assert split_sentences("Headline without a stop\n\nBody sentence.") == [
        "Headline without a stop",
        "Body sentence.",
    ]


def test_chinese_full_stops() -> None:
    assert split_sentences("出口增长。贸易额创新高！") == ["出口增长。", "贸易额创新高！"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Shares of Alibaba Group Holding Ltd. The company said profits rose.",
         ["Shares of Alibaba Group Holding Ltd.", "The company said profits rose."]),
        ("Asked about it, he said no. Officials declined to comment.",
         ["Asked about it, he said no.", "Officials declined to comment."]),
        ("Exports fell 5% in Jan. The next month was better.",
         ["Exports fell 5% in Jan.", "The next month was better."]),
        ("He cited Art. 5 of the treaty.", ["He cited Art. 5 of the treaty."]),
        ("The No. 2 lender grew on Jan. 5 this year.",
         ["The No. 2 lender grew on Jan. 5 this year."]),
    ],
)
def test_abbreviations_that_can_also_end_a_sentence(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("The mayor returned home.Half the town came out.",
     ["The mayor returned home.", "Half the town came out."]),
    ('He said "we are done."Officials disagreed.',
     ['He said "we are done."', "Officials disagreed."]),
    ("It costs $3.5bn.Analysts expect more.", ["It costs $3.5bn.", "Analysts expect more."]),
])
def test_a_sentence_end_that_lost_its_space_still_ends_the_sentence(
        text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize("text", [
    "Write to john.Smith@example.com for details.",
    "See www.example.org/News.Today for more.",
    "The U.S.Army said so.",
    "Mr.Smith left early.",
    "Prices rose approx.The figure was small.",
])
def test_addresses_capitals_and_abbreviations_are_not_glued_sentence_ends(text: str) -> None:
    assert len(split_sentences(text)) == 1
