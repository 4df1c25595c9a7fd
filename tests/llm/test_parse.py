"""Lenient about form, strict about content."""

from __future__ import annotations

import json
import time

import pytest

from newsdesk.llm.parse import AnswerError, outermost_object, parse_answer


def test_plain_fenced_and_chatty_answers_parse() -> None:
    body = '{"summary": [{"text": "A {braced} \\"word\\".", "cites": ["2", 3]}]}'
    for text in (body, f"```json\n{body}\n```", f"Here you go:\n{body}\nHope it helps!"):
        answer = parse_answer(text)
        assert answer.summary[0].text == 'A {braced} "word".'
        assert answer.summary[0].cites == [2, 3]
        assert answer.background == [] and answer.insights == []


def test_trailing_commas_and_extra_keys_are_tolerated() -> None:
    answer = parse_answer('{"summary": [{"text": "x", "cites": [1,], "confidence": 0.9},],'
                          ' "insights": [{"question": "Why?", "bullets": [],}], "notes": 1}')
    assert answer.summary[0].cites == [1]
    assert answer.insights[0].question == "Why?"


@pytest.mark.parametrize(("text", "why"), [
    ("no json here", "no JSON object"),
    ('{"summary": [{"text": "cut off', "no JSON object"),
    ('{"summary": [1 2]}', "invalid JSON"),
    ('{"summary": []}', "summary"),
    ('{"background": [{"text": "x"}]}', "summary"),
    ('{"summary": [{"text": "", "cites": [1]}]}', "summary.0.text"),
])
def test_unusable_answers_say_why(text: str, why: str) -> None:
    with pytest.raises(AnswerError, match=why.replace(".", r"\.")):
        parse_answer(text)


def test_outermost_object_ignores_braces_in_strings() -> None:
    assert outermost_object('x {"a": "}", "b": {"c": 1}} y') == '{"a": "}", "b": {"c": 1}}'
    assert outermost_object("{") is None


def test_cut_off_answer_keeps_its_finished_sentences() -> None:
    answer = parse_answer('{"summary": [{"text": "One.", "cites": [1]}, {"text": "Two.", '
                          '"cites": [2]}, {"text": "Thr')
    assert [s.text for s in answer.summary] == ["One.", "Two."]
    cut = parse_answer('{"summary": [{"text": "a", "cites": [1]}], "background": [{"text": "b')
    assert cut.summary[0].text == "a" and cut.background == []


def test_an_answer_nested_too_deeply_to_read_is_unusable_not_a_crash() -> None:
    """json.loads recurses: 100,000 nested brackets raise RecursionError, which is no
    JSONDecodeError; such an answer is unusable like any other (asked again, then the
    extractive brief), never a traceback, and is found so in linear time."""
    start = time.perf_counter()
    with pytest.raises(AnswerError, match="nested too deeply"):
        parse_answer('{"summary": ' + "[" * 100_000 + "]" * 100_000 + "}")
    cut = outermost_object('{"a": ' + "[[]," * 100_000)  # cut off: closed after the last []
    assert cut is not None and cut.endswith("[]" + "]" * 100_000 + "}")
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(("cites", "read"), [
    ("3", [3]), (3, [3]), ("[3, 4]", [3, 4]), (["[3]", "4"], [3, 4]), ("3; 4", [3, 4]),
    (None, []), ([None, "B1", 2], [2]), ([1.5], []), ([True], []),
])
def test_one_sentence_s_odd_cites_do_not_cost_the_whole_answer(cites: object,
                                                                 read: list[int]) -> None:
    """Small models write "cites": 3 or "3, 4" or "B1": the numbers in them are read, what
    is no evidence number is left out, and the sentence then faces the verifier like any
    other (with no citation left, it is dropped as citing nothing). Rejecting the whole
    answer for one sentence's list threw away every good sentence beside it."""
    body = json.dumps({"summary": [{"text": "One.", "cites": cites},
                                   {"text": "Two.", "cites": [1]}]})
    answer = parse_answer(body)
    assert answer.summary[0].cites == read
    assert answer.summary[1].cites == [1]


def test_a_reasoning_model_s_thinking_is_not_read_as_its_answer() -> None:
    """Qwen3 or DeepSeek-R1 behind some servers answer "<think>...</think>" and then the
    JSON; braces in the thinking ("{summary: ...}") were taken for the answer, which
    failed twice, and the brief fell back."""
    answer = parse_answer('<think>It needs {summary: [...]} with cites.</think>\n'
                          '{"summary": [{"text": "One.", "cites": [1]}]}')
    assert answer.summary[0].text == "One."
    cut = parse_answer('<think>{"summary": [{"text": "Draft.", "cites": [1]}]}</think>'
                       '{"summary": [{"text": "Final.", "cites": [1]}]}')
    assert cut.summary[0].text == "Final."


def test_a_section_written_as_null_is_an_empty_section() -> None:
    """"background": null is how a model says "none": not a reason to throw away the
    summary beside it."""
    answer = parse_answer('{"summary": [{"text": "One.", "cites": [1]}], "background": null, '
                          '"insights": [{"question": "What next?", "bullets": null}]}')
    assert answer.background == [] and answer.insights[0].bullets == []
    assert parse_answer('{"summary": [{"text": "One.", "cites": [1]}], '
                        '"insights": null}').insights == []
