"""Story assignment: same event joins, another event starts a story, time splits, and the
same articles in the same order always give the same stories."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from newsdesk.models import Figure, Span, Story
from newsdesk.relate.stories import StoryArticle, StoryIndex, StorySettings, story_id_for
from tests.conftest import SHARED

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

# Articles written for these tests: two port strikes (Rotterdam, Santos), a flood, a
# central-bank decision. Each event has two or three reports in different words.
ROTTERDAM = [
    ("Dockworkers in Rotterdam walk out over automation plans",
     "Dockworkers at the Port of Rotterdam began a 48-hour strike on Monday over plans to "
     "automate container terminals. The FNV union said 3,000 workers joined the walkout. "
     "Ships queued outside Maasvlakte as terminal operator ECT halted loading."),
    ("Rotterdam port strike halts container traffic",
     "Container traffic at Rotterdam stopped after the FNV union called out 3,000 "
     "dockworkers. ECT said its Maasvlakte terminals were idle. The union opposes "
     "automation of the terminals, which it says threatens jobs at the Port of Rotterdam."),
    ("FNV extends Rotterdam dock strike",
     "The FNV union extended the strike at the Port of Rotterdam by a day. Dockworkers "
     "at ECT's Maasvlakte terminals stayed out, and more ships waited at anchor."),
]
SANTOS = [
    ("Brazil's Santos port shut by stevedore strike",
     "Stevedores at the port of Santos in Brazil stopped work on Tuesday, demanding higher "
     "pay. The Sindestiva union said soybean and coffee exports were delayed as Codesp "
     "closed berths in Sao Paulo state."),
    ("Santos strike delays soybean exports",
     "Soybean and coffee shipments from Santos were held up after Sindestiva stevedores "
     "walked out over pay. Codesp said berths in Sao Paulo state remained closed."),
]
FLOOD = ("River Elbe floods Dresden old town",
         "The Elbe rose above 8 metres in Dresden, flooding the old town. Saxony's "
         "government evacuated 2,000 residents and closed the Augustus Bridge.")
BANK = ("Bank of Canada holds its policy rate at 2.75%",
        "The Bank of Canada kept its overnight rate at 2.75% on Wednesday. Governor Tiff "
        "Macklem said tariffs clouded the outlook for inflation and exports.")


def art(key: str, item: tuple[str, str], when: datetime | None = T0, **kw: object
        ) -> StoryArticle:
    return StoryArticle(id=key, title=item[0], text=item[1], published_at=when, **kw)  # type: ignore[arg-type]


def feed(index: StoryIndex, items: list[StoryArticle]) -> list[str]:
    return index.extend(items)


def stream() -> list[StoryArticle]:
    return [
        art("r1", ROTTERDAM[0]), art("b1", BANK, T0 + timedelta(hours=1)),
        art("s1", SANTOS[0], T0 + timedelta(days=1)), art("r2", ROTTERDAM[1]),
        art("f1", FLOOD), art("s2", SANTOS[1], T0 + timedelta(days=1, hours=3)),
        art("r3", ROTTERDAM[2], T0 + timedelta(days=1)),
    ]


def by_article(index: StoryIndex, ids: list[str]) -> dict[str, str | None]:
    return {i: index.story_of(i) for i in ids}


def test_a_new_report_of_the_same_event_joins_its_story() -> None:
    index = StoryIndex()
    first = index.add(art("r1", ROTTERDAM[0]))
    assert index.add(art("r2", ROTTERDAM[1], T0 + timedelta(hours=5))) == first
    assert first == story_id_for("r1")


def test_an_unrelated_article_starts_a_new_story() -> None:
    index = StoryIndex()
    first = index.add(art("r1", ROTTERDAM[0]))
    assert index.add(art("f1", FLOOD)) != first
    assert len(index) == 2


def test_another_event_of_the_same_kind_starts_its_own_story() -> None:
    index = StoryIndex()
    feed(index, stream())
    s = by_article(index, ["r1", "r2", "r3", "s1", "s2", "b1", "f1"])
    assert s["r1"] == s["r2"] == s["r3"]
    assert s["s1"] == s["s2"] != s["r1"]
    assert len({s["r1"], s["s1"], s["b1"], s["f1"]}) == 4


def test_same_articles_same_order_give_the_same_stories() -> None:
    one, two = StoryIndex(), StoryIndex()
    assert feed(one, stream()) == feed(two, stream())
    assert [s.model_dump() for s in one.stories()] == [s.model_dump() for s in two.stories()]


def test_arrival_order_does_not_change_the_grouping() -> None:
    def grouping(items: list[StoryArticle]) -> set[frozenset[str]]:
        index = StoryIndex()
        feed(index, items)
        return {frozenset(s.article_ids) for s in index.stories()}

    expected = grouping(stream())
    for seed in range(5):
        items = stream()
        random.Random(seed).shuffle(items)
        assert grouping(items) == expected


def test_time_decay_splits_far_apart_events() -> None:
    index = StoryIndex()
    first = index.add(art("r1", ROTTERDAM[0]))
    # The same wording a day later is the same story; three months later it is a new one.
    assert index.add(art("r2", ROTTERDAM[1], T0 + timedelta(days=1))) == first
    later = index.add(art("r3", ROTTERDAM[2], T0 + timedelta(days=90)))
    assert later != first
    soon = StoryIndex()
    soon.extend([art("r1", ROTTERDAM[0]), art("r2", ROTTERDAM[1], T0 + timedelta(days=1))])
    assert soon.add(art("r3", ROTTERDAM[2], T0 + timedelta(days=2))) == first


def test_a_story_lists_the_one_it_would_have_joined_but_for_time_as_related() -> None:
    index = StoryIndex()
    first = index.add(art("r1", ROTTERDAM[0]))
    index.add(art("s1", SANTOS[0], T0 + timedelta(days=1)))
    later = index.add(art("r3", ROTTERDAM[2], T0 + timedelta(days=90)))
    assert later != first
    assert index.story(later).related == [first]  # the running story it continues
    assert index.story(first).related == []  # nothing fitted it without joining
    # Fading stories are scored only for that: candidates() is unchanged, and a replay
    # of the same articles lists the same related stories.
    assert first not in {c.story_id for c in index.candidates(
        art("r4", ROTTERDAM[1], T0 + timedelta(days=91)))}
    again = StoryIndex()
    again.extend([art("r1", ROTTERDAM[0]), art("s1", SANTOS[0], T0 + timedelta(days=1)),
                  art("r3", ROTTERDAM[2], T0 + timedelta(days=90))])
    assert again.story(later).related == [first]


def test_decay_measures_the_gap_to_the_story_span_not_to_its_start() -> None:
    index = StoryIndex()
    first = index.add(art("r1", ROTTERDAM[0]))
    for day, (key, item) in enumerate([("r2", ROTTERDAM[1]), ("r3", ROTTERDAM[2])], start=1):
        assert index.add(art(key, item, T0 + timedelta(days=2 * day))) == first
    story = index.story(first)
    assert story.first_seen == T0 and story.last_seen == T0 + timedelta(days=4)


def test_undated_articles_are_never_decayed() -> None:
    index = StoryIndex()
    first = index.add(art("r1", ROTTERDAM[0], None))
    assert index.add(art("r2", ROTTERDAM[1], T0 + timedelta(days=400))) == first


# Two title defences by one boxer, four years apart, reported without dates: the words
# and names are nearly the same; the boxer's age in the text is what differs.
DEFENCE_2008 = [
    ("Klitschko stops Rahman in seventh round to keep IBF title",
     "Wladimir Klitschko, 32, defended his IBF and WBO heavyweight titles on Saturday, "
     "stopping Hasim Rahman in the seventh round in Mannheim. The referee halted the fight "
     "after Klitschko landed a series of left hooks."),
    ("Klitschko retains heavyweight belts against Rahman",
     "The 32-year-old Wladimir Klitschko kept his IBF and WBO heavyweight belts by beating "
     "Hasim Rahman in Mannheim, Germany. Rahman was stopped in the seventh round."),
]
DEFENCE_2012 = (
    "Klitschko stops Thompson to retain heavyweight titles",
    "Wladimir Klitschko, 36, retained his IBF, WBA and WBO heavyweight titles on Saturday, "
    "stopping Tony Thompson in the sixth round in Bern. The referee stopped the fight after "
    "Klitschko landed a right hand.")


def one_story(key: str, items: list[tuple[str, str]], settings: StorySettings
              ) -> tuple[StoryIndex, str]:
    """An index holding `items` (undated), which must all make one story; its id."""
    index = StoryIndex(settings)
    first = index.add(art(f"{key}0", items[0], None))
    for k, item in enumerate(items[1:], 1):
        assert index.add(art(f"{key}{k}", item, None)) == first
    return index, first


def defences(settings: StorySettings = StorySettings()) -> tuple[StoryIndex, str]:
    return one_story("d", DEFENCE_2008, settings)


def test_a_later_occurrence_dated_by_an_age_in_the_text_starts_its_own_story() -> None:
    index, first = defences()
    assert index.add(art("d3", DEFENCE_2012, None)) != first
    # The age is what separates them: without the conflict rule the report joins.
    same, first = defences(StorySettings(conflict_factor=1.0))
    assert same.add(art("d3", DEFENCE_2012, None)) == first


def test_a_contradicting_mark_halves_the_score_and_is_reported() -> None:
    halved = defences()[0].candidates(art("d3", DEFENCE_2012, None))[0]
    kept = defences(StorySettings(conflict_factor=1.0))[0].candidates(
        art("d3", DEFENCE_2012, None))[0]
    assert halved.conflict and kept.conflict
    assert halved.score == pytest.approx(0.5 * kept.score)
    assert halved.words == kept.words and halved.names == kept.names


def test_a_close_copy_joins_despite_a_misread_mark() -> None:
    # Halved, not vetoed: a report that repeats the story's account still joins even if
    # its age is off (a typo, another reading of the record).
    index, first = defences()
    title, text = DEFENCE_2008[0]
    assert index.add(art("d4", (title, text.replace("32", "36")), None)) == first


def test_marks_that_agree_change_nothing() -> None:
    index, first = defences()
    plain = index.candidates(art("d5", DEFENCE_2008[1], None))[0]
    assert not plain.conflict and plain.story_id == first


def test_the_shortlist_chooses_as_scoring_every_story_would() -> None:
    """Only a shortlist of stories (the best on the article's top terms) is fully scored;
    forty stories sharing the article's general vocabulary must not crowd out the one
    that shares its names, and the choices are those of scoring every story."""
    general = "Port workers strike over pay and ships queue outside the terminals."
    towns = [f"Town{chr(65 + i // 26)}{chr(97 + i % 26)}" for i in range(40)]
    items = [art(f"s{i}", (f"{town} dockers strike at Opco{i} terminals",
                           f"{general} {town} dockers at Opco{i} lost {100 + i} shifts, "
                           f"Opco{i} said in {town}."))
             for i, town in enumerate(towns)]
    items.append(art("late", (f"{towns[23]} strike at Opco23 goes on",
                              f"{general} Opco23 said the {towns[23]} dockers strike cost "
                              f"{123} shifts in {towns[23]}.")))
    short, full = StoryIndex(StorySettings(max_candidates=4)), StoryIndex(
        StorySettings(max_candidates=10_000))
    assert feed(short, items) == feed(full, items)
    assert len(short) > 4 * 3
    assert short.story_of("late") == short.story_of("s23") != short.story_of("s22")


def test_an_article_already_assigned_keeps_its_story() -> None:
    index = StoryIndex()
    first = index.add(art("r1", ROTTERDAM[0]))
    index.add(art("f1", FLOOD))
    assert index.add(art("r1", ROTTERDAM[0])) == first
    assert index.story(first).article_ids == ["r1"]


def test_candidates_explain_the_choice_without_adding() -> None:
    index = StoryIndex()
    first = index.add(art("r1", ROTTERDAM[0]))
    index.add(art("f1", FLOOD))
    found = index.candidates(art("r2", ROTTERDAM[1]))
    assert found[0].story_id == first and found[0].score >= index.settings.threshold
    assert found[0].names > 0 and found[0].words > 0 and found[0].decay == 1.0
    assert index.story_of("r2") is None and len(index) == 2


def test_ties_go_to_the_older_story() -> None:
    # Two stories with identical members score identically; the older one wins.
    index = StoryIndex(StorySettings(threshold=1.01))  # nothing can join: two stories
    a = index.add(art("a", FLOOD))
    b = index.add(art("b", FLOOD))
    assert a != b
    index.settings = StorySettings(threshold=0.5)
    scores = index.candidates(art("c", FLOOD))
    assert [c.story_id for c in scores] == [a, b] and scores[0].score == scores[1].score
    assert index.add(art("c", FLOOD)) == a


def test_story_record_has_label_dates_members_and_timeline() -> None:
    figure = Figure(text="3,000 workers", value=3000, unit="worker", kind="count",
                    subject="dockworkers", span=Span(sentence=1, start=0, end=13))
    index = StoryIndex()
    sid = index.add(art("r2", ROTTERDAM[1], T0 + timedelta(days=1),
                        summary="Traffic stops as 3,000 strike.", figure=figure))
    index.add(art("r1", ROTTERDAM[0], T0, summary="Strike begins at Rotterdam."))
    story = index.story(sid)
    assert isinstance(story, Story)
    assert story.article_ids == ["r2", "r1"]  # arrival order
    assert [e.article_id for e in story.timeline] == ["r1", "r2"]  # date order
    assert story.timeline[0].summary == "Strike begins at Rotterdam."
    assert story.timeline[1].figure == figure
    assert story.first_seen == T0 and story.last_seen == T0 + timedelta(days=1)
    assert story.label in {ROTTERDAM[0][0], ROTTERDAM[1][0]}
    assert story.figure_series == {"dockworkers": [figure]}
    assert Story.model_validate_json(story.model_dump_json()) == story


def test_timeline_falls_back_to_the_title() -> None:
    index = StoryIndex()
    sid = index.add(art("f1", FLOOD))
    assert index.story(sid).timeline[0].summary == FLOOD[0]


def test_naive_dates_are_read_as_utc() -> None:
    index = StoryIndex()
    sid = index.add(art("f1", FLOOD, datetime(2025, 3, 3, 9, 0)))
    assert index.story(sid).first_seen == T0


# --- the evaluation set (skips without ../shared) -----------------------------------------

ECB = SHARED / "datasets" / "clustering" / "ecbplus-dev.jsonl"


@pytest.mark.skipif(not ECB.exists(), reason="../shared/datasets not present")
def test_ecbplus_dev_stream_beats_the_tuned_anchor() -> None:
    from bench.stories_eval import bcubed

    rows = [json.loads(line) for line in ECB.read_text(encoding="utf-8").splitlines()]
    index = StoryIndex()
    pred = [index.add(StoryArticle(id=r["id"], title=r["title"], text=r["text"]))
            for r in rows]
    p, r, f = bcubed(pred, [row["cluster"] for row in rows])
    # 0.903 with event marks (bench/README.md); the TF-IDF + average-link anchor, with its
    # threshold tuned on the file, is 0.872.
    assert f >= 0.89, (p, r, f)


# Two drunk-driving arrests of players of one team, a month apart: the reports share
# nearly every word and name, and state no age or ordinal; what differs is who.
JACKSON_ARREST = [
    ("Mariners' Alder held on suspicion of drunk driving",
     "Mariners wide receiver Tom Alder was arrested early Tuesday on suspicion of "
     "drunken driving in Harbor City. Alder failed sobriety tests, police said."),
    ("Mariners receiver arrested for drunk driving",
     "Harbor City Mariners receiver Tom Alder was arrested on suspicion of drunk "
     "driving on Tuesday morning. Alder was booked and released."),
    ("Alder faces drunk-driving charge",
     "Receiver Tom Alder of the Harbor City Mariners was arrested on suspicion of "
     "driving under the influence. Alder will play on Sunday, the Mariners said."),
    ("Mariners' Alder says he is innocent",
     "Wide receiver Tom Alder, arrested on suspicion of drunken driving, says he "
     "doubts charges will be filed. Alder plays for the Harbor City Mariners."),
    ("Harbor City's Alder arrested after freeway stop",
     "Tom Alder of the Mariners was stopped on a Harbor City freeway and arrested on "
     "suspicion of drunk driving. Alder was released hours later."),
]
WILLIAMS_ARREST = (
    "Harbor City lineman arrested on suspicion of drunk driving",
    "Mariners defensive tackle Sam Ortega was arrested on suspicion of drunken driving "
    "in Harbor City, a month after a teammate was held on the same charge. Ortega failed "
    "sobriety tests, police said. Ortega was booked and released.")


def arrests(settings: StorySettings = StorySettings()) -> tuple[StoryIndex, str]:
    return one_story("j", JACKSON_ARREST, settings)


def test_a_report_leading_with_a_person_the_story_never_named_starts_its_own_story() -> None:
    index, first = arrests()
    candidate = index.candidates(art("w", WILLIAMS_ARREST, None))[0]
    assert candidate.story_id == first and candidate.conflict
    assert index.add(art("w", WILLIAMS_ARREST, None)) != first
    # The swap of protagonists is what separates them: without it the report joins.
    same, first = arrests(StorySettings(protagonists=False))
    assert same.add(art("w", WILLIAMS_ARREST, None)) == first


def test_a_report_on_the_story_s_own_protagonist_joins_whatever_else_it_names() -> None:
    index, first = arrests()
    follow_up = ("Alder will play against the Rovers",
                 "Tom Alder, arrested on suspicion of drunk driving, will play on "
                 "Sunday, coach Ray Dunmore said. Alder practised with the Mariners in "
                 "Harbor City. Dunmore praised him.")
    assert index.add(art("f", follow_up, None)) == first
