"""Engine "llm" against a scripted server: repair, retry, fall back, verify, cache, account."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from newsdesk.desk import Desk
from newsdesk.models import Brief
from tests.llm.conftest import (
    Body,
    Scripted,
    good_answer,
    llm_settings,
    n_of,
    ok,
)


def brief_of(tmp_path: Path, server_url: str, path: Path, **kw: Any) -> Brief:
    with Desk.open(llm_settings(tmp_path, server_url, **kw), read_only=True) as desk:
        return desk.brief(str(path))


def shown(brief: Brief) -> list[str]:
    return [s.text for s in [*brief.summary, *brief.background,
                             *(x for i in brief.insights for x in [i.question, *i.bullets])]]


def test_good_json_becomes_the_verified_brief(tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    server.script(ok(good_answer))
    brief = brief_of(tmp_path, server.url, rail_file)
    assert brief.engine == "llm:scripted"
    assert brief.summary[0].text.startswith("Rail freight between China and Russia rose 12%")
    assert all(s.generated for s in brief.summary)
    assert [q.question.text for q in brief.insights] == [
        "What are the risks for shippers?", "What should readers watch?"]
    assert brief.verification.dropped == []
    assert brief.background_origin == "article"
    assert brief.engine_note == ""
    # The request asked for JSON and carried the rules and the delimited evidence.
    body = server.requests[0]
    assert body["response_format"] == {"type": "json_object"}
    assert body["model"] == "scripted"
    assert "<evidence>" in body["messages"][1]["content"]


def test_malformed_json_is_retried_with_the_error(tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    server.script(ok("Here is the brief: {summary: [Rail freight rose]}"),
                  ok(good_answer, prompt_tokens=300, completion_tokens=90))
    brief = brief_of(tmp_path, server.url, rail_file)
    assert len(server.requests) == 2
    retry = server.requests[1]["messages"]
    assert retry[-2]["role"] == "assistant" and "could not be used" in retry[-1]["content"]
    assert brief.engine == "llm:scripted"
    # Token accounting sums both calls.
    assert brief.llm_usage is not None
    assert (brief.llm_usage.calls, brief.llm_usage.prompt_tokens,
            brief.llm_usage.completion_tokens) == (2, 420, 130)
    assert brief.llm_usage.latency_s > 0


def test_unusable_twice_falls_back_and_never_shows_raw_output(
        tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    server.script(ok("I cannot help with that."), ok('{"summary": "not a list"}'))
    brief = brief_of(tmp_path, server.url, rail_file)
    assert brief.engine == "extractive"
    assert "unusable answer twice" in brief.engine_note
    assert not any("cannot help" in t or "not a list" in t for t in shown(brief))


def test_code_fenced_json_with_trailing_commas_is_repaired(
        tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    def fenced(body: Body) -> str:
        n = n_of(body, "Rail freight")
        return ("Sure.\n```json\n{\"summary\": [{\"text\": \"Rail freight between China and Russia "
                f"rose 12% in the first quarter.\", \"cites\": [{n}],}},],}}\n```\n")
    server.script(ok(fenced))
    brief = brief_of(tmp_path, server.url, rail_file)
    assert len(server.requests) == 1
    assert brief.engine == "llm:scripted"
    assert brief.summary[0].text == "Rail freight between China and Russia rose 12% in the first quarter."


def test_server_error_is_retried(tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    server.script((500, {"error": "overloaded"}, 0.0), ok(good_answer))
    brief = brief_of(tmp_path, server.url, rail_file)
    assert len(server.requests) == 2
    assert brief.engine == "llm:scripted"


def test_timeout_falls_back_to_extractive(tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    slow = (200, {"choices": []}, 1.5)
    server.script(slow, slow)
    brief = brief_of(tmp_path, server.url, rail_file, timeout_s=0.3, max_retries=1)
    assert len(server.requests) == 2  # the first try and one retry
    assert brief.engine == "extractive"
    assert "no answer within 0.3 s" in brief.engine_note
    assert brief.summary and brief.verification.dropped == []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_server_falls_back_and_says_so(tmp_path: Path, rail_file: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    brief = brief_of(tmp_path, url, rail_file)
    assert brief.engine == "extractive"
    assert "could not be used" in brief.engine_note and "cannot connect" in brief.engine_note
    assert brief.summary


def test_hallucinated_number_is_dropped_and_replaced(
        tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    def invented(body: Body) -> str:
        answer = json.loads(good_answer(body))
        answer["summary"][0]["text"] = "Rail freight between China and Russia rose 25% in the first quarter."
        return json.dumps(answer)
    server.script(ok(invented))
    brief = brief_of(tmp_path, server.url, rail_file)
    assert not any("25%" in t for t in shown(brief))
    drop = next(d for d in brief.verification.dropped if "25%" in d.text)
    assert drop.section == "summary" and "25%" in drop.reason
    assert "replaced by the extractive engine" in drop.reason
    # Its place is taken by the extractive sentence citing the same evidence, copied.
    first = brief.summary[0]
    assert not first.generated and first.text.startswith("Rail freight between China and Russia rose 12%")
    assert "failed verification" in brief.engine_note


def test_swapped_speaker_is_dropped(tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    def swapped(body: Body) -> str:
        answer = json.loads(good_answer(body))
        answer["summary"][1] = {"text": "Li Fengtest said: \u201cThe new terminals are already full.\u201d",
                                "cites": [n_of(body, "terminals")]}
        return json.dumps(answer)
    server.script(ok(swapped))
    brief = brief_of(tmp_path, server.url, rail_file)
    drop = next(d for d in brief.verification.dropped if d.text.startswith("Li Fengtest said"))
    assert "Li Fengtest" in drop.reason
    assert not any(t.startswith("Li Fengtest said") for t in shown(brief))


def test_citing_evidence_that_does_not_exist_is_dropped(
        tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    def bad_cite(body: Body) -> str:
        answer = json.loads(good_answer(body))
        answer["background"].append({"text": "Trade rose.", "cites": [999]})
        answer["background"].append({"text": "Trade rose sharply.", "cites": []})
        return json.dumps(answer)
    server.script(ok(bad_cite))
    brief = brief_of(tmp_path, server.url, rail_file)
    reasons = {d.text: d.reason for d in brief.verification.dropped}
    assert "[999]" in reasons["Trade rose."]
    assert reasons["Trade rose sharply."] == "cites no evidence sentence"


def test_second_run_is_answered_by_the_cache(tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    server.script(ok(good_answer))
    first = brief_of(tmp_path, server.url, rail_file)
    second = brief_of(tmp_path, server.url, rail_file)
    assert len(server.requests) == 1
    assert second.llm_usage is not None and second.llm_usage.cached_calls == 1
    assert second.llm_usage.latency_s == 0
    assert shown(second) == shown(first)
    # A different model is a different question.
    server.script(ok(good_answer))
    brief_of(tmp_path, server.url, rail_file, model="other")
    assert len(server.requests) == 2


def test_engine_note_and_usage_are_rendered(tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    from newsdesk.brief.render import to_html, to_markdown

    server.script(ok(good_answer))
    md = to_markdown(brief_of(tmp_path, server.url, rail_file))
    assert "_Engine: llm:scripted." in md and "120 prompt + 40 completion tokens" in md
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    fallback = brief_of(tmp_path, url, rail_file)
    assert "> **Note:** The language model could not be used" in to_markdown(fallback)
    assert "could not be used" in to_html(fallback)


def test_saved_llm_brief_reverifies_and_catches_tampering(
        tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    from newsdesk.brief.compose import make_lookup
    from newsdesk.brief.verify import verify_brief

    server.script(ok(good_answer))
    with Desk.open(llm_settings(tmp_path, server.url), read_only=True) as desk:
        brief = desk.brief(str(rail_file))
        lookup = make_lookup([desk.load(str(rail_file))])
        again = verify_brief(brief, lookup, desk.gazetteer)
    assert again.verification.dropped == [] and shown(again) == shown(brief)
    tampered = brief.summary[0].model_copy(
        update={"text": "Rail freight between China and Russia collapsed in the first quarter."})
    bad = verify_brief(brief.model_copy(update={"summary": [tampered]}), lookup, desk.gazetteer)
    assert bad.summary == [] and "collapsed" in bad.verification.dropped[0].reason


def test_template_echo_is_dropped(tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    """A weak model copies the example of the prompt: "..." says nothing and is dropped."""
    def echo(body: Body) -> str:
        n = n_of(body, "Rail freight")
        return json.dumps({"summary": [{"text": "...", "cites": [n]},
                                       {"text": "<a sentence of news>", "cites": [n]}]})
    server.script(ok(echo))
    brief = brief_of(tmp_path, server.url, rail_file)
    reasons = {d.text: d.reason for d in brief.verification.dropped}
    assert reasons["..."].startswith("has no words")
    assert "sentence of news" not in " ".join(shown(brief))
    assert brief.summary and not any(s.generated for s in brief.summary)


def test_an_answer_with_a_lone_surrogate_is_retried_not_crashed(
        tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    """A model that splits an emoji across tokens can send "\\ud83d" alone: not UTF-8, so
    the cache file, the cache key and the retry's request body cannot encode it. The text
    is made well-formed when it arrives; the unusable answer is then asked again."""
    server.script(ok("Sorry \ud83d I cannot"), ok(good_answer))
    brief = brief_of(tmp_path, server.url, rail_file)
    assert len(server.requests) == 2
    assert "Sorry ? I cannot" in server.requests[1]["messages"][-2]["content"]
    assert brief.engine == "llm:scripted"


def test_a_looping_model_is_shown_once(tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    """Small models loop: the same true sentence five times is one sentence of the brief,
    and the repeats are listed as dropped."""
    def looping(body: Body) -> str:
        answer = json.loads(good_answer(body))
        answer["summary"] += [answer["summary"][0]] * 4
        answer["insights"][0]["bullets"] *= 2
        return json.dumps(answer)
    server.script(ok(looping))
    brief = brief_of(tmp_path, server.url, rail_file)
    texts = [s.text for s in brief.summary]
    assert len(texts) == len(set(texts)) == 2
    assert len(brief.insights[0].bullets) == 1
    repeats = [d for d in brief.verification.dropped if d.reason == "repeats an earlier sentence"]
    assert [d.section for d in repeats] == ["summary"] * 4 + ["insight bullet"]


def test_an_answer_is_held_to_the_lengths_the_prompt_asks_for(
        tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    """The schema sent to the model (at most 6 summary sentences of 400 characters, 3
    insights of 3 bullets) is enforced on the answer too: a server that ignores
    response_format must not turn a rambling answer into a 300-sentence brief, nor a true
    sentence repeated twenty times into one "sentence" that passes the verifier."""
    def rambling(body: Body) -> str:
        answer = json.loads(good_answer(body))
        watch = {"text": "Officials expect volumes to keep rising through 2026.",
                 "cites": [n_of(body, "Officials expect")]}
        answer["summary"] += [watch] * 300
        answer["summary"][0]["text"] = " ".join([answer["summary"][0]["text"]] * 20)
        answer["insights"] *= 3
        return json.dumps(answer)
    server.script(ok(rambling))
    brief = brief_of(tmp_path, server.url, rail_file)
    assert len(brief.summary) <= 6 and len(brief.insights) <= 3
    assert all(len(s.text) <= 400 for s in brief.summary)
    reasons = [d.reason for d in brief.verification.dropped]
    assert any(r.startswith("longer than the 400 characters") for r in reasons)
    assert any(r == "beyond the 6 sentences the summary may have" for r in reasons)
    assert any(r == "beyond the 3 insights the brief may have" for r in reasons)


def test_words_given_to_the_wrong_speaker_are_dropped_even_when_both_are_cited(
        tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    """Citing Railova's sentence and Li's puts both names and all the words in the
    evidence, so word checks pass a swap: who said what must hold within one cited
    sentence, the one that names the speaker. Faithful attributions are kept."""
    swaps = ["\u201cThe new terminals are already full,\u201d said Li Fengtest.",
             "Li Fengtest said the new terminals are already full.",
             "Anna Railova said payment delays remain the main obstacle for shippers.",
             "According to Anna Railova, payment delays remain the main obstacle for shippers."]

    def swapped(body: Body) -> str:
        answer = json.loads(good_answer(body))
        both = [n_of(body, "terminals"), n_of(body, "Li Fengtest")]
        answer["summary"] += [{"text": t, "cites": both} for t in swaps]
        for s in answer["summary"][:2]:  # the faithful ones, with an extra citation
            s["cites"] = both + s["cites"] if "Railova" in s["text"] else s["cites"]
        answer["insights"][0]["bullets"][0]["cites"] = both
        return json.dumps(answer)
    server.script(ok(swapped))
    brief = brief_of(tmp_path, server.url, rail_file)
    dropped = {d.text: d.reason for d in brief.verification.dropped}
    for text in swaps:
        assert text not in shown(brief)
        assert "not in a cited sentence naming" in dropped[text], dropped.get(text)
    assert "Anna Railova of the Northern Rail Company said the new terminals are already full." in shown(brief)
    assert "Payment delays remain the main obstacle for shippers, Li Fengtest said." in shown(brief)


def test_control_characters_of_a_model_are_not_shown(
        tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    """A NUL, a terminal escape or a right-to-left override carries no words, so the word
    checks let it through; it is removed from the sentence before anything checks it."""
    def noisy(body: Body) -> str:
        answer = json.loads(good_answer(body))
        answer["summary"][0]["text"] = ("Rail freight between China and Russia\u0000 rose "
                                        "12%\u001b\u202e in the\u0007 first quarter.")
        return json.dumps(answer)
    server.script(ok(noisy))
    brief = brief_of(tmp_path, server.url, rail_file)
    assert brief.summary[0].generated
    assert brief.summary[0].text == ("Rail freight between China and Russia rose 12% in "
                                     "the first quarter.")


def test_a_sentence_that_is_only_citation_marks_is_listed_as_dropped(
        tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    """"[2]" alone is no sentence once its marker is read as a citation; it is dropped
    like "...", and the report says so instead of losing it silently."""
    def marks(body: Body) -> str:
        answer = json.loads(good_answer(body))
        answer["summary"].append({"text": " [2] ", "cites": []})
        return json.dumps(answer)
    server.script(ok(marks))
    brief = brief_of(tmp_path, server.url, rail_file)
    assert [(d.section, d.reason) for d in brief.verification.dropped] == [
        ("summary", "has no words")]



def test_the_background_note_does_not_credit_the_model_with_what_it_did_not_write(
        tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    """When no background sentence of the model survives, the brief's background is the
    extractive engine's (here: none), and so are its origin and note; the note said
    "Written by the model from this article's own sentences." over an empty section."""
    def false_background(body: Body) -> str:
        answer = json.loads(good_answer(body))
        answer["background"] = [{"text": "Sanctions on Russian banks were lifted in 2021.",
                                 "cites": [n_of(body, "Western sanctions")]}]
        return json.dumps(answer)
    server.script(ok(false_background))
    brief = brief_of(tmp_path, server.url, rail_file)
    assert brief.background == []
    assert brief.background_origin == "none"
    assert "model" not in brief.background_note


def test_reading_attributions_takes_linear_time() -> None:
    """A saved brief is verified again on load, whatever its length: finding "X said" in
    a sentence must not backtrack through every letter of a long word."""
    import time

    from newsdesk.brief.factcheck import attribution, misattribution

    start = time.perf_counter()
    assert attribution("A" * 50_000) is None
    assert misattribution("Anna said " + "b" * 50_000, ["Li said b."]) is not None
    assert time.perf_counter() - start < 1.0


def test_a_sentence_of_whitespace_is_read_in_linear_time() -> None:
    """A degenerate answer can be mostly whitespace: reading inline "[3]" markers out of
    it must not try every space as the start of one."""
    import time

    from newsdesk.llm.engine import _clean
    from newsdesk.models import LlmSentence

    start = time.perf_counter()
    text, cites = _clean(LlmSentence(text="a" + " " * 200_000 + "b [3]", cites=[1]))
    assert (text, cites) == ("a b", [1, 3])
    assert time.perf_counter() - start < 1.0


def test_an_empty_answer_is_not_cached(tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    """An overloaded server can answer 200 with no content: that says nothing about the
    article, so it is not kept; the next run asks again instead of replaying the
    emptiness from the cache and falling back for ever."""
    empty = (200, {"choices": [{"message": {"role": "assistant", "content": None}}]}, 0.0)
    server.script(empty, empty)
    assert brief_of(tmp_path, server.url, rail_file).engine == "extractive"
    server.script(ok(good_answer))
    again = brief_of(tmp_path, server.url, rail_file)
    assert len(server.requests) == 3
    assert again.engine == "llm:scripted"


def test_an_organisation_named_with_the_is_a_speaker_too() -> None:
    """"The Northern Rail Company said X" gives X to the company: its sentence must hold X."""
    from newsdesk.brief.factcheck import misattribution

    railova = ("\"The new terminals are already full,\" said Anna Railova, head of logistics "
               "at the Northern Rail Company.")
    li = "Li Fengtest said payment delays remain the main obstacle for shippers."
    for text in ("The Northern Rail Company said payment delays remain the main obstacle.",
                 "Payment delays remain the main obstacle, according to the Northern Rail "
                 "Company."):
        assert misattribution(text, [railova, li]) is not None, text
    assert misattribution("The Northern Rail Company said the new terminals are already "
                          "full.", [railova, li]) is None
    assert misattribution("He said payment delays remain the main obstacle.", [railova, li]) is None


def test_a_fragment_of_the_evidence_is_not_a_sentence(
        tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    """"Copied or minimally trimmed" is trimmed by words: a substring that cuts words
    ("il freight between China and Rus") or says nothing ("y", "the") passed as copied
    text and was shown as a summary sentence."""
    def fragments(body: Body) -> str:
        n = n_of(body, "Rail freight")
        answer = json.loads(good_answer(body))
        answer["summary"] += [{"text": t, "cites": [n]}
                              for t in ("il freight between China and Rus", "y", "the")]
        return json.dumps(answer)
    server.script(ok(fragments))
    brief = brief_of(tmp_path, server.url, rail_file)
    assert [s.text for s in brief.summary] == [
        "Rail freight between China and Russia rose 12% in the first quarter to 4.2 million tonnes.",
        "Anna Railova of the Northern Rail Company said the new terminals are already full."]
    dropped = {d.text: d.reason for d in brief.verification.dropped}
    assert set(dropped) == {"il freight between China and Rus", "y", "the"}


def test_the_report_quotes_a_dropped_answer_sentence_cleaned_and_bounded(
        tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    """The report shows what was dropped, so it shows model text: cleaned of control
    characters and cut to a sentence's length, like anything else the brief shows."""
    def noisy(body: Body) -> str:
        answer = json.loads(good_answer(body))
        answer["summary"][0]["text"] = "Rail freight rose. " * 1000
        answer["summary"].append({"text": "\u001b[2J", "cites": []})
        answer["summary"] += [{"text": "Extra \u001b]0;owned\u0007 sentence.", "cites": [1]}] * 6
        return json.dumps(answer)
    server.script(ok(noisy))
    brief = brief_of(tmp_path, server.url, rail_file)
    for d in brief.verification.dropped:
        assert len(d.text) <= 401 and "\u001b" not in d.text and "\u0007" not in d.text, d


EARLIER_RAIL = """Rail Freight Between China And Russia Hits A Record
Source: Test Wire
Published: 02/10/2025, 09:00:00 UTC

Rail freight between China and Russia reached a record 15 million tonnes last year, the railway operator said.
The operator opened two new terminals at the border crossing of Zabaikalsk in December.
"""


def test_a_summary_sentence_must_rest_on_this_article(
        tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    """A sentence true of an earlier article of the story is Background: in the News
    Summary it would present old coverage as today's news, so it is dropped there (and
    kept in the Background, where the same sentence belongs)."""
    earlier = tmp_path / "earlier.txt"
    earlier.write_text(EARLIER_RAIL, encoding="utf-8")
    old = "Rail freight between China and Russia reached a record 15 million tonnes last year."

    def answer(body: Body) -> str:
        out = json.loads(good_answer(body))
        n = n_of(body, "record 15 million tonnes")
        out["summary"].append({"text": old, "cites": [n]})
        out["background"] = [{"text": old, "cites": [n]}]
        return json.dumps(out)
    server.script(ok(answer))
    settings = llm_settings(tmp_path, server.url)
    with Desk.open(settings) as desk:
        desk.ingest([str(earlier), str(rail_file)])
        brief = desk.brief(str(rail_file))
    assert "Earlier article B1" in server.requests[0]["messages"][1]["content"]
    assert old not in [s.text for s in brief.summary]
    assert [s.text for s in brief.background] == [old]
    dropped = [d for d in brief.verification.dropped if d.section == "summary"]
    assert [d.text for d in dropped] == [old]
    assert "cites only earlier articles" in dropped[0].reason


def test_a_figure_moved_onto_another_cited_sentence_s_subject_is_dropped(
        tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    """Citing the rail-freight and the sanctions sentences, "Western sanctions on Russian
    banks rose 12%" has every word and figure in its evidence; the 12% is rail freight's.
    Dropped, and the faithful sentence citing both is kept."""
    moved = "Western sanctions on Russian banks rose 12% in the first quarter."
    kept = ("Rail freight between China and Russia rose 12% in the first quarter as Western "
            "sanctions on Russian banks slowed settlements.")

    def answer(body: Body) -> str:
        out = json.loads(good_answer(body))
        both = [n_of(body, "Rail freight"), n_of(body, "Western sanctions")]
        out["summary"] += [{"text": moved, "cites": both}, {"text": kept, "cites": both}]
        return json.dumps(out)
    server.script(ok(answer))
    brief = brief_of(tmp_path, server.url, rail_file)
    dropped = {d.text: d.reason for d in brief.verification.dropped}
    assert moved not in shown(brief)
    assert "which the cited sentences holding it do not speak of" in dropped[moved]
    assert kept in shown(brief), dropped.get(kept)
