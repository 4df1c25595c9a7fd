"""The News Summary: lead first, a short read, no restatements."""

from newsdesk.analyze.enrich import analyze
from newsdesk.analyze.places import default_gazetteer
from newsdesk.analyze.topics import load_taxonomy
from newsdesk.brief.summary import SUMMARY_WORDS, select_summary, sentence_scores
from newsdesk.brief.text import word_len
from newsdesk.ingest.prepare import prepare
from newsdesk.ingest.text import parse_text


def summary_of(text: str) -> tuple[list[str], list[int]]:
    article = prepare(parse_text(text, "a.txt"))
    enrichment = analyze(article, load_taxonomy(), default_gazetteer())
    return article.sentences, select_summary(article, enrichment,
                                             sentence_scores(article, enrichment))


LONG = (
    "Rail Freight Grows\n\n"
    "Rail freight between the two northern ports grew strongly in the first half of the "
    "year as coal and grain shippers moved cargo away from crowded highways and river barges. "
    "The operator said it had added forty trains a week on the line since January and planned "
    "to double the number of wagons serving the coastal terminals before the winter season. "
    "Shippers said rail transport cost them less than road haulage over long distances, "
    "especially for bulk cargo such as coal, fertiliser, timber and grain from the interior. "
    "Local officials in the port cities welcomed the shift because it reduced traffic "
    "congestion and the wear on roads that had not been repaired for a decade or more. "
    "Freight rates on the line rose slightly in June, reflecting higher fuel and labour costs "
    "for the operator, which employs several thousand people along the corridor. "
    "A new signalling system will allow trains to run closer together from next spring, the "
    "operator said in its statement, raising the capacity of the busy single-track sections. "
    "Environmental groups said the move from road to rail would cut emissions from freight "
    "transport across the region, though they asked for electrification of the whole line. "
    "The ports themselves are investing in new cranes and storage yards to handle the extra "
    "volumes arriving by train, with work on the eastern terminal due to finish in autumn."
)


def test_long_lead_sentences_make_a_three_sentence_summary_from_the_lead() -> None:
    sentences, picked = summary_of(LONG)
    assert picked == [0, 1, 2]
    assert sum(word_len(sentences[i]) for i in picked) >= SUMMARY_WORDS


SHORT = (
    "Port Strike Ends\n\n"
    "Dock workers at the northern port returned to work on Monday. "
    "The strike had halted container traffic for nine days. "
    "Union leaders accepted a wage rise of four percent. "
    "Shipping lines expect delays to clear within two weeks. "
    "Retailers had warned of empty shelves before the holidays. "
    "The port handles a third of national container imports. "
    "Talks on pensions will resume in the spring."
)


def test_short_sentences_are_added_until_the_summary_is_a_short_read() -> None:
    sentences, picked = summary_of(SHORT)
    words = sum(word_len(sentences[i]) for i in picked)
    assert len(picked) > 3 and picked[0] == 0
    assert words >= SUMMARY_WORDS or len(picked) == 6
    assert words - word_len(sentences[picked[-1]]) < SUMMARY_WORDS, "stops once a short read"


def test_an_article_of_restatements_still_gets_three_sentences() -> None:
    text = "Port Strike Ends\n\n" + " ".join(
        f"Dock workers at terminal {name} returned to work on Monday morning." for name in
        ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"])
    _, picked = summary_of(text)
    assert len(picked) == 3 and picked == sorted(picked)
