"""The fact checker: what a generated text says that its source sentences do not."""

from __future__ import annotations

from newsdesk.brief.factcheck import assess, check, reason, supported

SOURCE = [
    "China's exports to Russia rose 12% in July to $37 billion, customs data showed.",
    "Analyst Chen Mingyu of the Yellow Sea Institute said the growth would continue.",
    "The central bank did not approve the new settlement scheme for yuan payments.",
    "Officials said talks on a pipeline deal \u201cmade real progress\u201d on Tuesday.",
]


def kinds(text: str) -> set[str]:
    return {issue.kind for issue in check(text, SOURCE)}


def test_a_copied_sentence_is_supported() -> None:
    assert check(SOURCE[0], SOURCE) == []
    assert supported(SOURCE[2], SOURCE)


def test_a_faithful_paraphrase_of_figures_is_supported() -> None:
    text = "Exports from China to Russia rose 12 per cent in July to $37bn, customs data showed."
    assert "number" not in kinds(text)
    assert supported(text, SOURCE)


def test_a_changed_number_is_flagged_with_the_figure() -> None:
    issues = check("China's exports to Russia rose 15% in July to $37 billion.", SOURCE)
    assert [i.text for i in issues if i.kind == "number"] == ["15%"]
    assert not supported("China's exports to Russia rose 15% in July to $37 billion.", SOURCE)


def test_a_changed_scale_is_flagged_even_when_the_digits_match() -> None:
    assert "number" in kinds("China's exports to Russia rose 12% in July to $37 million.")


def test_a_count_written_in_words_must_be_in_the_source() -> None:
    assert "number" in kinds("Three analysts said the growth would continue.")


def test_a_name_absent_from_the_source_is_flagged() -> None:
    issues = check("Analyst Wang Lei of the Yellow Sea Institute said growth would continue.",
                   SOURCE)
    assert {i.text for i in issues if i.kind == "name"} == {"Wang", "Lei"}
    assert not supported("Analyst Wang Lei said the growth would continue.", SOURCE)


def test_lower_cased_text_is_checked_the_same_way() -> None:
    result = assess("analyst wang lei said the growth would continue .", SOURCE)
    assert {i.text for i in result.issues} == {"wang", "lei"}
    assert result.has_error
    assert supported("analyst chen mingyu said the growth would continue .", SOURCE)


def test_a_negation_flip_is_flagged_both_ways() -> None:
    assert "negation" in kinds("The central bank approved the new settlement scheme.")
    assert "negation" in kinds("Analyst Chen Mingyu said the growth would not continue.")
    assert "negation" not in kinds("The central bank did not approve the settlement scheme.")


def test_words_put_in_quotation_marks_must_be_the_sources() -> None:
    assert "quote" in kinds("Officials said the talks \u201cmade a breakthrough\u201d.")
    assert "quote" not in kinds("Officials said the talks \u201cmade real progress\u201d.")


def test_one_new_word_in_a_long_paraphrase_is_tolerated_but_reported() -> None:
    text = ("Customs data showed that China's exports to Russia climbed 12% in July to "
            "$37 billion, and analyst Chen Mingyu of the Yellow Sea Institute said the "
            "growth would continue while the central bank did not approve the new "
            "settlement scheme for yuan payments.")
    result = assess(text, SOURCE)
    assert [i.text for i in result.issues] == ["climbed"]
    assert result.absent_share < 0.05 and not result.has_error


def test_every_issue_says_why() -> None:
    for issue in check("Analyst Wang Lei said exports rose 15% and did not slow.", SOURCE):
        assert issue.reason and issue.text


def test_the_reason_of_a_failing_sentence_names_what_is_unsupported() -> None:
    assert reason(SOURCE[1], SOURCE) is None
    why = reason("China's exports to Russia rose 15% in July to $37 billion.", SOURCE)
    assert why is not None and "15%" in why
    why = reason("Analyst Wang Lei said the growth would continue.", SOURCE)
    assert why is not None and "Wang" in why and "Lei" in why


TOKENISED_SOURCE = [
    "Gary Locke had been working as number 2 under Allan Johnston until February.",
    "\u201cHe wasn't going to let his fans down,\u201d his daughter said.",
    "The volcano (3,800 metres high) first erupted in 1576.",
]


def test_tokenised_quotes_are_checked_like_prose_quotes() -> None:
    copied = "his daughter said : `` he was n't going to let his fans down '' ."
    assert "quote" not in {i.kind for i in check(copied, TOKENISED_SOURCE)}
    invented = "his daughter said : `` he was going to let his fans down '' ."
    assert "quote" in {i.kind for i in check(invented, TOKENISED_SOURCE)}
    single = "his daughter said he was ` going to let his team down ' ."
    assert "quote" in {i.kind for i in check(single, TOKENISED_SOURCE)}


def test_a_placeholder_inside_a_quote_stands_for_one_uncopied_word() -> None:
    text = "his daughter said : `` he was n't going to let his UNK down '' ."
    assert "quote" not in {i.kind for i in check(text, TOKENISED_SOURCE)}


def test_an_apostrophe_is_not_a_quotation_mark() -> None:
    text = "the volcano 's first eruption was in 1576 , locke 's daughter said ."
    assert "quote" not in {i.kind for i in check(text, TOKENISED_SOURCE)}


def test_treebank_bracket_tokens_are_punctuation_not_words() -> None:
    result = assess("the volcano -lrb- 3,800 metres high -rrb- first erupted in 1576 .",
                    TOKENISED_SOURCE)
    assert result.issues == [] and not result.has_error


def test_no_before_a_number_is_not_a_negation() -> None:
    text = "locke had been working as no 2 under allan johnston until february ."
    assert "negation" not in {i.kind for i in check(text, TOKENISED_SOURCE)}
    assert supported(text, TOKENISED_SOURCE)


def test_a_change_of_tense_of_an_irregular_verb_is_not_an_absent_word() -> None:
    source = ["Boase said he must have been sleep walking when he took the car."]
    assert supported("boase said he must have slept walking when he had taken the car .",
                     source)
    assert check("boase said he must have slept walking .", source) == []


def test_an_irregular_form_of_a_verb_the_source_lacks_is_still_absent() -> None:
    source = ["Boase said he must have been sleep walking when he took the car."]
    assert [i.text for i in check("boase said he drove the car .", source)] == ["drove"]


def test_a_tokenised_plural_possessive_does_not_open_a_quote() -> None:
    source = ["He told Torquay Magistrates' Court he had been 'sleep walking'."]
    text = "he told torquay magistrates ' court that he had been ' sleep walking ' ."
    assert "quote" not in {i.kind for i in check(text, source)}
    text = "he told torquay magistrates ' court that he had been ' fast asleep ' ."
    assert "quote" in {i.kind for i in check(text, source)}


def test_a_quote_closes_with_its_own_mark() -> None:
    source = ["\u201cHe's not going to let his fans down,\u201d his daughter said."]
    text = "his daughter said ` he 's not going to let his fans down ' ."
    assert "quote" not in {i.kind for i in check(text, source)}
    text = "his daughter said `` he 's going to let his fans down '' ."
    assert "quote" in {i.kind for i in check(text, source)}


def test_an_ending_that_took_a_final_e_meets_the_word_with_it() -> None:
    source = ["Northampton are facing Saracens on Saturday and will make changes."]
    assert check("northampton face saracens on saturday .", source) == []
    assert check("northampton faced saracens , making changes .", source) == []
    source = ["The number of children using tablets is set to rise."]
    assert check("the number of children using tablets is rising .", source) == []


def test_giving_an_e_back_does_not_join_unrelated_words() -> None:
    source = ["A former employee of the firm said he cared for his car."]
    assert [i.text for i in check("the firm employed him .", source)] == ["employed"]
    assert [i.text for i in check("his car was rated highly .", source)] == ["rated", "highly"]


def test_a_figure_given_to_the_subject_of_another_cited_sentence_is_caught() -> None:
    """Citing the exports sentence and the central-bank one puts every word and figure in
    the evidence; "the settlement scheme rose 12%" binds the exports' figure to the other
    sentence's subject. A figure's subject must be in the sentences that hold it."""
    from newsdesk.brief.factcheck import misbound_figure

    cited = [SOURCE[0], SOURCE[2]]
    assert supported("The settlement scheme for yuan payments rose 12% in July.", cited)
    why = misbound_figure("The settlement scheme for yuan payments rose 12% in July.", cited)
    assert why is not None and "12%" in why and "settlement scheme" in why
    # faithful: the subject is the exports', however many sentences are cited
    assert misbound_figure("Exports to Russia rose 12% in July.", cited) is None
    assert misbound_figure("China's exports to Russia reached $37 billion.", SOURCE) is None
    # one cited sentence: the word checks already bind everything to it
    assert misbound_figure("The settlement scheme rose 12%.", [SOURCE[0]]) is None
