"""The CLI as a user meets it: real subprocesses for exit codes, CliRunner for output."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.cli import app

runner = CliRunner()


def run(*args: str, db: Path, stdin: bytes | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEWSDESK_DB": str(db), "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "newsdesk", *args], input=stdin, capture_output=True,
        env=env, timeout=120,
    )


def invoke(db: Path, *args: str, input: str | None = None):
    return runner.invoke(app, ["--db", str(db), *args], input=input)


def test_brief_prints_the_seed_layout(tmp_path: Path, article_file: Path) -> None:
    result = invoke(tmp_path / "d.db", "brief", str(article_file))
    assert result.exit_code == 0, result.output
    for heading in ("News Summary", "Background", "In-Depth Insights"):
        assert heading in result.output


def test_brief_formats(tmp_path: Path, article_file: Path) -> None:
    as_json = invoke(tmp_path / "d.db", "brief", str(article_file), "--json")
    data = json.loads(as_json.stdout)
    assert data["summary"] and data["summary"][0]["citations"]
    html = invoke(tmp_path / "d.db", "brief", str(article_file), "--format", "html")
    assert html.stdout.lstrip().lower().startswith("<!doctype html>")
    out = tmp_path / "brief.md"
    invoke(tmp_path / "d.db", "brief", str(article_file), "-o", str(out))
    assert out.read_text().startswith("# Grain Shipments")


def test_brief_from_stdin(tmp_path: Path, article_text: str) -> None:
    result = invoke(tmp_path / "d.db", "brief", "-", "--json", input=article_text)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"] == "Test Wire"


def test_ingest_keeps_vectors_current_once_the_desk_has_them(
        tmp_path: Path, corpus: Path) -> None:
    """A desk that was never embedded loads no model at ingest; once it has vectors, new
    articles get theirs (or hybrid search would rank them on keywords alone), unless
    --no-embed; --embed embeds on a desk without vectors too."""
    db, env = tmp_path / "v.db", {"NEWSDESK_EMBEDDER": "hashing"}
    files = sorted(p for p in corpus.iterdir() if p.suffix == ".txt")

    def ingest(path: Path, *flags: str) -> dict:
        result = runner.invoke(app, ["--db", str(db), "ingest", str(path), "--json", *flags],
                               env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    assert "embedding" not in ingest(files[0])
    first = ingest(files[1], "--embed")["embedding"]
    assert first["model"].startswith("hashing") and first["embedded"] == 2  # both articles
    assert ingest(files[2])["embedding"]["embedded"] == 1
    assert "embedding" not in ingest(files[3], "--no-embed")
    assert ingest(files[4])["embedding"]["embedded"] == 2  # catches up on the skipped one
    shown = runner.invoke(app, ["--db", str(db), "ingest", str(files[5])], env=env)
    assert "embedded 1" in shown.stdout


def test_ingest_that_cannot_embed_keeps_the_articles_and_says_so(
        tmp_path: Path, corpus: Path) -> None:
    db = tmp_path / "e.db"
    path = sorted(p for p in corpus.iterdir() if p.suffix == ".txt")[0]
    result = runner.invoke(app, ["--db", str(db), "ingest", str(path), "--embed"],
                           env={"NEWSDESK_EMBEDDING_MODEL": str(tmp_path / "no-model")})
    assert result.exit_code == 1
    assert "the articles are stored, but embedding them failed" in result.output
    assert "no-model" in result.output and "Traceback" not in result.output
    listed = runner.invoke(app, ["--db", str(db), "stats", "--json"])
    assert json.loads(listed.stdout)["articles"] >= 1


def test_ingest_search_show_round_trip(tmp_path: Path, corpus: Path) -> None:
    db = tmp_path / "d.db"
    result = invoke(db, "ingest", str(corpus), "--json")
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)["counts"]
    assert counts["accepted"] >= 40 and counts["duplicate"] >= 1 and counts["quarantined"] == 0
    hits = json.loads(invoke(db, "search", "yuan settlement", "--json").stdout)
    assert hits and all("article_id" in h for h in hits)
    filtered = json.loads(invoke(db, "search", "", "--since", "2025-01-01", "--until",
                                 "2025-12-31", "--json", "--limit", "100").stdout)
    assert filtered and all(h["published_at"][:4] == "2025" for h in filtered)
    tagged = json.loads(invoke(db, "search", "", "--tag", "Sanctions", "--json").stdout)
    assert tagged and all("Sanctions" in h["tags"] for h in tagged)
    listing = invoke(db, "search", "", "--tag", "Sanctions")
    assert "newest articles that pass the filters come first" in listing.stderr
    assert "score" not in listing.stdout and tagged[0]["title"] in listing.stdout
    shown = json.loads(invoke(db, "show", hits[0]["article_id"][:8], "--json").stdout)
    assert shown["article"]["id"] == hits[0]["article_id"]
    assert shown["brief"]["summary"]
    text = invoke(db, "show", hits[0]["article_id"])
    assert text.exit_code == 0 and "News Summary" in text.output


def test_schema_lists_every_record(tmp_path: Path) -> None:
    data = json.loads(invoke(tmp_path / "d.db", "schema").stdout)
    text = json.dumps(data)
    for record in ("Article", "Enrichment", "Brief", "Citation", "Topic"):
        assert record in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["brief", "/no/such/file.txt"], "no such file"),
        (["brief", ""], "an empty path"),
        (["show", "deadbeef"], "no stored article"),
        (["search", "x", "--since", "last tuesday"], "cannot read the date"),
        (["search", "x", "--limit", "0"], "at least 1"),
    ],
)
def test_errors_are_one_line_and_exit_non_zero(tmp_path: Path, args: list[str],
                                               message: str) -> None:
    proc = run(*args, db=tmp_path / "d.db")
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty file"),
        ("binary.txt", b"\x7fELF" + bytes(range(256)) * 4, "binary|ELF"),
        ("date.txt", b"Title\nPublished: 99/99/9999\n\nBody sentence here.\n", "date"),
    ],
)
def test_bad_files_fail_cleanly(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    for cmd in ("brief", "ingest"):
        proc = run(cmd, str(path), db=tmp_path / "d.db")
        err = proc.stderr.decode()
        assert proc.returncode == 1, (cmd, err)
        assert "Traceback" not in err
        import re
        assert re.search(message, err), err


def test_square_brackets_in_names_and_messages_are_printed_as_they_are(
        tmp_path: Path) -> None:
    """A path, id or config key in brackets is text, not Rich markup: '[/red]' in a file
    name crashed the error line, and '[llm]' vanished from the config file's message."""
    folder = tmp_path / "["
    folder.mkdir()
    (folder / "red]draft.txt").write_bytes(b"")
    db = tmp_path / "d.db"
    checks = [
        (run("brief", f"{folder}/red]draft.txt", db=db), 1, "[/red]draft.txt"),
        (run("ingest", str(tmp_path), db=db), 1, "[/red]draft.txt: empty file"),
        (run("show", "[/]abcdef", db=db), 1, "'[/]abcdef'"),
    ]
    config = tmp_path / "config.toml"
    config.write_text("llm = 5\n")
    checks.append((run("stats", db=db, env={"NEWSDESK_CONFIG": str(config)}), 1,
                   "[llm] must be a table"))
    for proc, code, text in checks:
        err = proc.stderr.decode()
        assert proc.returncode == code, err
        assert "Traceback" not in err and text in err, err


def test_huge_numbers_list_everything_or_are_usage_errors(tmp_path: Path,
                                                         article_file: Path) -> None:
    """A --limit past SQLite's integers means "all of them"; a --batch, id, port or
    --workers out of range is a usage error (exit 2). Neither is an internal error."""
    db, huge = tmp_path / "d.db", "99999999999999999999"
    assert invoke(db, "ingest", str(article_file)).exit_code == 0
    article_id = json.loads(invoke(db, "search", "", "--json").stdout)[0]["article_id"]
    for args in (["search", "grain", "--limit", huge], ["search", "", "--limit", huge],
                 ["stories", "--limit", huge], ["similar", article_id, "--limit", huge],
                 ["quarantine", "--limit", huge], ["alerts", "list", "--fired", "--limit", huge],
                 ["alerts", "feed", "--limit", huge]):
        result = invoke(db, *args)
        assert result.exit_code == 0 and result.exception is None, (args, result.output)
    for args in (["figures", "-s", "grain exports", "--limit", huge], ["embed", "--batch", huge],
                 ["quarantine", "retry", huge], ["serve", "--port", huge],
                 ["serve", "--port", "-1"], ["ingest", str(article_file), "--workers", huge],
                 ["watch", "--once", "--workers", huge]):
        result = invoke(db, *args)
        assert result.exit_code == 2, (args, result.output)


def test_a_day_in_basic_iso_form_is_the_whole_day(tmp_path: Path, article_file: Path) -> None:
    """--until 20250902 is all of 2 September, like --until 2025-09-02: the article
    published that afternoon is in both."""
    db = tmp_path / "d.db"
    assert invoke(db, "ingest", str(article_file)).exit_code == 0
    for day in ("2025-09-02", "20250902"):
        hits = json.loads(invoke(db, "search", "", "--since", day, "--until", day,
                                 "--json").stdout)
        assert len(hits) == 1, day


def test_a_model_named_in_square_brackets_is_printed_as_it_is(
        tmp_path: Path, article_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The model's name comes from its folder: '[mini]' vanished from 'embed' as markup."""
    from newsdesk.relate import embed

    if not embed.torch_available():
        pytest.skip("torch / sentence-transformers not installed")
    model = tmp_path / "[mini]"
    model.symlink_to(embed.packaged_model_path(), target_is_directory=True)
    monkeypatch.setenv("NEWSDESK_EMBEDDING_MODEL", str(model))
    db = tmp_path / "d.db"
    assert invoke(db, "ingest", str(article_file), "--no-embed").exit_code == 0
    result = invoke(db, "embed")
    assert result.exit_code == 0 and "st:[mini]:" in result.stdout, result.output


def test_twenty_megabyte_file(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as f:
        f.truncate(20 * 1024 * 1024)
    proc = run("brief", str(path), db=tmp_path / "d.db")
    assert proc.returncode == 1 and "too large" in proc.stderr.decode()


def test_ingest_reports_quarantine_but_keeps_good_items(tmp_path: Path,
                                                        article_file: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    db = tmp_path / "d.db"
    proc = run("ingest", str(article_file), str(bad), db=db)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "quarantined" in proc.stderr.decode() and "bad.txt" in proc.stderr.decode()
    listed = json.loads(run("quarantine", "--json", db=db).stdout)
    assert listed[0]["reason"].startswith("empty file")
    stats = json.loads(run("stats", "--json", db=db).stdout)
    assert stats["articles"] == 1 and stats["quarantined"] == 1


def test_not_a_database(tmp_path: Path, article_file: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_text("these are my notes, not a database" * 50)
    proc = run("ingest", str(article_file), db=db)
    assert proc.returncode == 1 and "not a usable newsdesk database" in proc.stderr.decode()
    assert db.read_text().startswith("these are my notes")


def test_a_database_damaged_after_it_opened_is_a_one_line_error(tmp_path: Path,
                                                                article_file: Path) -> None:
    """Damage a query meets (a table another program dropped, a malformed page, text
    that is not UTF-8) was an internal error with the undecodable bytes in it."""
    import sqlite3

    db = tmp_path / "d.db"
    assert run("ingest", str(article_file), db=db).returncode == 0
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE stories")
    conn.commit()
    conn.close()
    proc = run("stories", db=db)
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert "is damaged or was changed by another program (no such table: stories)" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_figures_series_in_date_order(tmp_path: Path, corpus: Path) -> None:
    db = tmp_path / "d.db"
    assert invoke(db, "ingest", str(corpus), "--json").exit_code == 0
    points = json.loads(invoke(db, "figures", "--subject", "exports to Russia", "--json").stdout)
    assert len(points) >= 5
    dates = [p["published_at"] for p in points]
    assert dates == sorted(dates)
    for p in points:
        subject = p["figure"]["subject"].lower()
        assert "export" in subject and "russia" in subject
        assert p["figure"]["unit"] not in ("month", "year")
    percent = json.loads(invoke(db, "figures", "-s", "exports to Russia", "--unit", "percent",
                                "--json").stdout)
    assert percent and all(p["figure"]["unit"] == "percent" for p in percent)
    bad = invoke(db, "figures", "--subject", "the of")
    assert bad.exit_code == 1 and "content word" in bad.output


def test_verify_command_catches_a_tampered_brief(tmp_path: Path, article_file: Path) -> None:
    db = tmp_path / "d.db"
    out = tmp_path / "brief.json"
    assert invoke(db, "brief", str(article_file), "--save", "--json", "-o", str(out)).exit_code == 0
    ok = invoke(db, "verify", str(out))
    assert ok.exit_code == 0 and "unsupported 0" in ok.output
    with_bom = tmp_path / "saved-by-notepad.json"  # UTF-8 with a byte-order mark
    with_bom.write_bytes(b"\xef\xbb\xbf" + out.read_bytes())
    ok = invoke(db, "verify", str(with_bom))
    assert ok.exit_code == 0 and "unsupported 0" in ok.output, ok.output
    data = json.loads(out.read_text())
    data["summary"][0]["text"] = data["summary"][0]["text"].replace("18.4%", "28.4%")
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(data))
    result = invoke(db, "verify", str(bad), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["dropped"] and report["dropped"][0]["section"] == "summary"
    garbage = tmp_path / "garbage.json"
    garbage.write_text('{"title": 3}')
    assert invoke(db, "verify", str(garbage)).exit_code == 1
    assert "not a newsdesk brief" in invoke(db, "verify", str(garbage)).output


def test_verify_command_catches_a_quote_given_to_someone_else(
    tmp_path: Path, article_file: Path
) -> None:
    db = tmp_path / "d.db"
    out = tmp_path / "brief.json"
    assert invoke(db, "brief", str(article_file), "--save", "--json", "-o", str(out)).exit_code == 0
    data = json.loads(out.read_text())
    assert data["quotes"][0]["speaker"] == "Pavel Testov" and data["risks"] and data["entities"]
    data["quotes"][0]["speaker"] = "Wei Sample"
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(data))
    result = invoke(db, "verify", str(bad), "--json")
    assert result.exit_code == 1
    (drop,) = json.loads(result.stdout)["dropped"]
    assert drop["section"] == "quote" and "Wei Sample" in drop["reason"]


def test_show_prints_quotes_and_json_carries_them(tmp_path: Path, article_file: Path) -> None:
    db = tmp_path / "d.db"
    ingested = json.loads(invoke(db, "ingest", str(article_file), "--json").stdout)
    article_id = ingested["outcomes"][0]["article_id"]
    text = invoke(db, "show", article_id)
    assert text.exit_code == 0, text.output
    assert "Pavel Testov, a director at the fictional Amur Grain Union" in text.output
    assert "We have never shipped this much wheat" in text.output
    assert "Pavel Testov (person)" in text.output
    shown = json.loads(invoke(db, "show", article_id, "--json").stdout)
    quotes = shown["enrichment"]["quotes"]
    assert any(q["speaker"] == "Pavel Testov" and q["kind"] == "direct" for q in quotes)
    kinds = {e["name"]: e["type"] for e in shown["enrichment"]["entities"]}
    assert kinds["Amur Grain Union"] == "organisation" and kinds["Russia"] == "country"


def test_stories_story_similar_embed_commands(tmp_path: Path, corpus: Path) -> None:
    db = tmp_path / "s.db"
    assert invoke(db, "ingest", str(corpus), "--quiet").exit_code == 0
    listed = invoke(db, "stories", "--json", "--limit", "100")
    assert listed.exit_code == 0, listed.output
    stories = json.loads(listed.stdout)
    assert stories and {"id", "label", "first_seen", "last_seen", "articles"} <= set(stories[0])
    big = max(stories, key=lambda s: s["articles"])
    assert big["articles"] > 1
    text = invoke(db, "stories", "--limit", "3")
    assert text.exit_code == 0 and "first seen" in text.stdout
    one = invoke(db, "story", big["id"][:7], "--json")
    assert one.exit_code == 0, one.output
    data = json.loads(one.stdout)
    assert data["id"] == big["id"] and len(data["timeline"]) == big["articles"]
    assert "series" in data
    shown = invoke(db, "story", big["id"][:7])
    assert shown.exit_code == 0 and "Timeline" in shown.stdout
    sim = invoke(db, "similar", big["article_ids"][0][:8], "--json")
    assert sim.exit_code == 0 and json.loads(sim.stdout)
    env = {"NEWSDESK_EMBEDDER": "hashing"}
    first = runner.invoke(app, ["--db", str(db), "embed", "--json"], env=env)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["model"].startswith("hashing")
    again = json.loads(runner.invoke(app, ["--db", str(db), "embed", "--json"],
                                     env=env).stdout)
    assert again["embedded"] == 0 and again["total"] == json.loads(first.stdout)["total"]
    hits = invoke(db, "search", "yuan settlement", "--entity", "Russia", "--json")
    assert hits.exit_code == 0 and json.loads(hits.stdout)


def test_unknown_story_and_article_are_one_line_errors(tmp_path: Path, corpus: Path) -> None:
    db = tmp_path / "u.db"
    invoke(db, "ingest", str(corpus), "--quiet")
    for args in (("story", "sdeadbeef"), ("story", "?!"), ("similar", "abcdef0123"),
                 ("stories", "--limit", "0"), ("search", "x", "--mode", "fuzzy")):
        result = run(*args, db=db)
        assert result.returncode == 1, (args, result.stderr)
        assert b"Traceback" not in result.stderr
        assert len(result.stderr.decode().strip().splitlines()) == 1, result.stderr


def test_starting_the_cli_does_not_import_what_only_some_commands_need() -> None:
    """Every command pays for what `import newsdesk.cli` imports: scipy (via datasketch,
    for near-duplicate signatures), trafilatura (HTML pages), the network stack of the
    live desk and rich's Markdown renderer are imported where they are used, which took
    start-up from about 2.5 s to about 1 s."""
    heavy = ("scipy", "datasketch", "trafilatura", "httpx", "feedparser", "rich.markdown")
    probe = ("import sys, newsdesk.cli; "
             f"print(','.join(m for m in {heavy!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_html_and_signatures_still_load_their_libraries_when_used(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Grain deal</title></head><body><article><h1>Grain deal</h1>"
        + "".join(f"<p>Ukraine shipped {i} million tonnes of grain through the corridor "
                  f"in month {i}, officials said on Tuesday.</p>" for i in range(1, 9))
        + "</article></body></html>", encoding="utf-8")
    result = run("ingest", str(page), db=tmp_path / "d.db")
    assert result.returncode == 0, result.stderr
    assert b"accepted" in result.stdout + result.stderr


def test_stats_of_a_desk_not_created_yet_names_its_file(tmp_path: Path) -> None:
    db = tmp_path / "later" / "d.db"
    result = run("stats", db=db)
    assert result.returncode == 0, result.stderr
    assert f"{db} (not created yet" in result.stdout.decode()
    assert ":memory:" not in result.stdout.decode() and not db.exists()


def test_ingest_names_stdin_once_and_says_so_when_named_twice(
        tmp_path: Path, article_text: str) -> None:
    """Standard input can be read once: a second '-' is quarantined with that reason,
    not with advice to pipe into another command; the first is stored."""
    result = invoke(tmp_path / "d.db", "ingest", "-", "-", "--json", input=article_text)
    outcomes = json.loads(result.stdout)["outcomes"]
    assert [o["status"] for o in outcomes] == ["accepted", "quarantined"]
    assert "read only once" in outcomes[1]["reason"]
    assert "brief" not in outcomes[1]["reason"]


def test_empty_stdin_message_fits_any_command(tmp_path: Path) -> None:
    result = invoke(tmp_path / "d.db", "ingest", "-", "--json", input="")
    reason = json.loads(result.stdout)["outcomes"][0]["reason"]
    assert "standard input is empty" in reason and "brief" not in reason


def test_verify_reads_the_brief_from_stdin_given_dash(
        tmp_path: Path, article_file: Path) -> None:
    """'verify -' reads the brief JSON from standard input, as 'brief -' reads an
    article; bad JSON there is refused like a bad file, naming standard input."""
    db = tmp_path / "d.db"
    made = invoke(db, "brief", str(article_file), "--save", "--json")
    ok = invoke(db, "verify", "-", input=made.stdout)
    assert ok.exit_code == 0 and "unsupported 0" in ok.output, ok.output
    bad = invoke(db, "verify", "-", input='{"title": 3}')
    assert bad.exit_code == 1
    assert "standard input is not a newsdesk brief" in bad.output
    assert "Traceback" not in bad.output
