"""The Desk: ingest with dedupe and quarantine, briefs that draw on the store."""

import json
import os
import subprocess
import sys
from pathlib import Path

from newsdesk.config import Settings
from newsdesk.desk import Desk


def test_ingest_then_reingest_is_a_no_op(desk: Desk, article_file: Path) -> None:
    first = desk.ingest([str(article_file)])
    assert [o.status for o in first.outcomes] == ["accepted"]
    again = desk.ingest([str(article_file)])
    assert [o.status for o in again.outcomes] == ["unchanged"]
    assert desk.stats()["articles"] == 1


def test_article_id_is_stable_across_databases(tmp_path: Path, article_file: Path) -> None:
    ids = []
    for name in ("a.db", "b.db"):
        with Desk.open(Settings(db_path=tmp_path / name)) as d:
            ids.append(d.ingest([str(article_file)]).outcomes[0].article_id)
    assert ids[0] == ids[1] and len(ids[0]) == 16


def test_exact_copy_under_another_url_is_a_duplicate(desk: Desk, article_text: str,
                                                      tmp_path: Path) -> None:
    body = article_text.split("\n\n", 1)[1]
    records = [
        {"title": "Grain", "text": body, "url": "https://one.test/a", "source": "One"},
        {"title": "Grain (syndicated)", "text": "  " + body.replace(" ", "  ") + "\n",
         "url": "https://two.test/b", "source": "Two"},
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records))
    outcomes = desk.ingest([str(path)]).outcomes
    assert [o.status for o in outcomes] == ["accepted", "duplicate"]
    assert outcomes[1].duplicate_of == outcomes[0].article_id
    assert len(desk.search("grain")) == 1, "copies do not inflate search results"


def test_batch_quarantines_bad_items_and_carries_on(desk: Desk, tmp_path: Path,
                                                     article_file: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 500)
    (tmp_path / "bad-date.txt").write_text("Title\nPublished: someday soon\n\nBody text here.\n")
    (tmp_path / "gbk.txt").write_bytes("标题\n\n中国出口增长了百分之七。".encode("gbk"))
    report = desk.ingest([str(tmp_path), str(tmp_path / "missing.txt")])
    status = {Path(o.origin).name: o.status for o in report.outcomes}
    assert status == {
        "bad-date.txt": "quarantined", "binary.txt": "quarantined", "empty.txt": "quarantined",
        "gbk.txt": "accepted", "grain.txt": "accepted", "missing.txt": "quarantined",
    }
    reasons = {Path(q.origin).name: q.reason for q in desk.quarantined()}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]
    assert "date" in reasons["bad-date.txt"] and "no such file" in reasons["missing.txt"]
    assert desk.stats()["articles"] == 2


def test_brief_of_a_file_without_a_database(tmp_path: Path, article_file: Path) -> None:
    settings = Settings(db_path=tmp_path / "never-created.db")
    with Desk.open(settings, read_only=True) as d:
        brief = d.brief(str(article_file))
    assert brief.summary and brief.background_origin == "article"
    assert not settings.db_path.exists()


def test_brief_by_id_prefix_after_save(desk: Desk, article_file: Path) -> None:
    saved = desk.brief(str(article_file), save=True)
    again = desk.brief(saved.article_id[:8])
    assert again.summary == saved.summary
    assert desk.store.get_brief(saved.article_id) is not None


def test_parallel_ingest_matches_serial(tmp_path: Path, corpus: Path) -> None:
    """Workers change the speed, never the result (units are stored in input order)."""
    import shutil

    from newsdesk import pipeline

    folder = tmp_path / "many"
    for n in range(3):  # enough units for the pool to start
        shutil.copytree(corpus, folder / f"copy{n}")
    results = []
    contents: list[dict] = []
    for workers in (1, 2):
        with Desk.open(Settings(db_path=tmp_path / f"w{workers}.db")) as d:
            report = d.ingest([str(folder)], workers=workers, briefs=True)
            results.append((
                [(o.origin, o.status, o.article_id) for o in report.outcomes],
                {k: v for k, v in d.stats().items() if k != "database"},
            ))
            accepted = [o.article_id for o in report.outcomes if o.status == "accepted"]
            briefs = {i: d.store.get_brief(i) for i in accepted if i}
            assert all(b is not None and b.summary for b in briefs.values())
            contents.append({i: b.model_dump(exclude={"created_at"})
                             for i, b in briefs.items() if b is not None})
    assert len(results[0][0]) >= 3 * 40 > pipeline.PARALLEL_MIN_UNITS
    assert results[0] == results[1]
    assert results[0][1]["briefs"] == results[0][1]["articles"]
    # Briefs are composed story by story, in whichever process: the same briefs.
    assert len(contents[0]) >= pipeline.PARALLEL_MIN_UNITS
    assert contents[0] == contents[1]


def test_briefs_are_composed_story_by_story() -> None:
    """A story's articles are briefed together (they read the same earlier coverage),
    stories in the order their first article comes; articles keep their order."""
    from newsdesk.desk import grouped_by_story

    story_of = {"a1": "s1", "b1": "s2", "a2": "s1", "b2": "s2", "a3": "s1"}
    order = ["a1", "b1", "lone", "a2", "b2", "a3"]
    assert grouped_by_story(order, story_of) == ["a1", "a2", "a3", "b1", "b2", "lone"]
    assert grouped_by_story([], story_of) == []


def test_a_malformed_record_is_quarantined_in_a_parallel_batch(tmp_path: Path,
                                                              corpus: Path) -> None:
    import shutil

    folder = tmp_path / "batch"
    shutil.copytree(corpus, folder)
    (folder / "0_bad.json").write_text('{"title": "A", "text": "Trade rose 5%.", "tags": 3}')
    (folder / "0_deep.json").write_text("[" * 100_000 + "]" * 100_000)
    with Desk.open(Settings(db_path=tmp_path / "p.db")) as d:
        report = d.ingest([str(folder)], workers=2)
        assert report.count("accepted") >= 40
        deep = [o for o in report.outcomes if o.origin.endswith("0_deep.json")]
        assert deep and deep[0].status == "quarantined" and "nested" in (deep[0].reason or "")
        bad = [o for o in report.outcomes if o.origin.endswith("0_bad.json")]
        assert bad and bad[0].status == "accepted"  # an odd tags field is not fatal


def test_stdin_is_read_in_the_main_process(tmp_path: Path, corpus: Path, article_text: str,
                                          monkeypatch) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(article_text.encode())))
    with Desk.open(Settings(db_path=tmp_path / "s.db")) as d:
        report = d.ingest(["-", str(corpus)], workers=2)
    stdin = [o for o in report.outcomes if o.origin in ("-", "stdin")]
    assert stdin and stdin[0].status == "accepted"


def test_brief_of_a_new_version_uses_the_new_text(desk: Desk, tmp_path: Path) -> None:
    v1 = tmp_path / "v1.txt"
    v1.write_text("Gas Talks Stall\nURL: https://x.example/1\n\nChina and Russia failed to "
                  "agree on gas prices for the Power of Siberia 2 pipeline on Monday.\n")
    v2 = tmp_path / "v2.txt"
    v2.write_text("Wheat Deal Signed\nURL: https://x.example/1\n\nChina agreed to buy more "
                  "Russian wheat, and grain exports rose 18% in May.\n")
    desk.ingest([str(v1)])
    brief = desk.brief(str(v2), save=True)
    assert "wheat" in brief.summary[0].text.lower()
    assert brief.verification.dropped == []
    stored = desk.store.get_article(brief.article_id)
    assert stored is not None and "wheat" in stored.text


def test_html_headings_and_list_items_are_not_glued_into_sentences(tmp_path: Path,
                                                                  desk: Desk) -> None:
    page = tmp_path / "p.html"
    page.write_text(
        "<html><head><title>Gas talks stall</title></head><body><article>"
        "<h1>Gas talks stall</h1><p>China and Russia failed to agree on prices on Monday "
        "after two days of talks in Beijing.</p><h2>What comes next</h2>"
        "<p>Negotiators will meet again in the autumn, officials said on Tuesday.</p>"
        "<ul><li>Volume: 50 billion cubic metres a year</li><li>Length: 2,600 km</li></ul>"
        "</article></body></html>"
    )
    article = desk.load(str(page))
    assert "What comes next" in article.sentences
    assert not any(s.startswith("Gas talks stall") for s in article.sentences)
    assert any(s.startswith("Negotiators will meet") for s in article.sentences)


def test_corrected_headline_is_an_update_not_unchanged(desk: Desk, tmp_path: Path) -> None:
    body = ("China and Russia signed a wheat deal on Monday, officials said, and grain "
            "exports rose 18% in May.\n")
    v1 = tmp_path / "v1.txt"
    v1.write_text(f"Wheat Deal Signd\nURL: https://x.example/1\n\n{body}")
    v2 = tmp_path / "v2.txt"
    v2.write_text(f"Wheat Deal Signed\nURL: https://x.example/1\n\n{body}")
    desk.ingest([str(v1)])
    (outcome,) = desk.ingest([str(v2)]).outcomes
    assert outcome.status == "updated"
    assert desk.store.get_article(outcome.article_id).title == "Wheat Deal Signed"
    (again,) = desk.ingest([str(v2)]).outcomes
    assert again.status == "unchanged"


def test_copies_survive_when_their_original_changes(desk: Desk, tmp_path: Path) -> None:
    body = "Rail freight between China and Russia grew 9% in the first half, operators said."
    first = tmp_path / "first.jsonl"
    first.write_text(
        json.dumps({"title": "Rail", "text": body, "url": "https://a.example/1"}) + "\n"
        + json.dumps({"title": "Rail", "text": body, "url": "https://b.example/2"}) + "\n")
    changed = tmp_path / "changed.jsonl"
    changed.write_text(json.dumps({"title": "Rail", "url": "https://a.example/1",
                                   "text": "Rail freight fell sharply in July, operators said."}))
    desk.ingest([str(first)])
    desk.ingest([str(changed)])
    hits = desk.search("grew")
    assert [h.title for h in hits] == ["Rail"], "the copy is now the searchable original"
    assert desk.stats()["duplicates"] == 0


def test_a_lightly_edited_rewrite_is_linked_to_its_original(desk: Desk, article_text: str,
                                                            tmp_path: Path) -> None:
    body = article_text.split("\n\n", 1)[1]
    rewrite = body.replace("rose 18.4%", "climbed 18.4%").replace("Analysts", "Economists")
    records = [
        {"title": "Grain", "text": body, "url": "https://one.test/a", "source": "One"},
        {"title": "Russian grain floods into China", "text": rewrite,
         "url": "https://two.test/b", "source": "Two"},
        {"title": "Unrelated", "text": "The city council approved a new park budget on "
         "Monday. Residents welcomed the plan, and construction starts in spring.",
         "url": "https://three.test/c", "source": "Three"},
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records))
    outcomes = desk.ingest([str(path)]).outcomes
    assert [o.status for o in outcomes] == ["accepted", "duplicate", "accepted"]
    assert outcomes[1].duplicate_of == outcomes[0].article_id
    assert outcomes[1].similarity is not None and 0.6 <= outcomes[1].similarity < 1.0
    assert len(desk.search("grain")) == 1, "rewrites do not inflate search results"


def test_briefs_are_the_same_in_every_process(corpus_db: Path) -> None:
    """Re-running gives the same brief: nothing may depend on the order of a set of
    strings, which Python changes from process to process (PYTHONHASHSEED)."""
    script = (
        "import sys\nfrom datetime import UTC, datetime\nfrom pathlib import Path\n"
        "from newsdesk.config import Settings\nfrom newsdesk.desk import Desk\n"
        "with Desk.open(Settings(db_path=Path(sys.argv[1])), read_only=True) as d:\n"
        "    ids = [r[0] for r in d.store.conn.execute('SELECT id FROM articles "
        "ORDER BY rowid')]\n"
        "    for i in ids:\n"
        "        print(d.brief(i, now=datetime(2026, 1, 1, tzinfo=UTC)).model_dump_json())\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script, str(corpus_db)], capture_output=True,
                       text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed},
                       timeout=300).stdout
        for seed in ("1", "2", "3")
    ]
    assert runs[0].count("\n") >= 40
    assert runs[0] == runs[1] == runs[2]


