"""The live commands as a user meets them: config round trips, clear errors, exit codes."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from newsdesk.cli import app
from tests.live.feedkit import corpus_docs, page_html, rss
from tests.live.server import Reply, serve

runner = CliRunner()


def invoke(db: Path, *args: str):
    return runner.invoke(app, ["--db", str(db), *args])


def test_sources_add_list_remove_round_trip(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    assert invoke(db, "sources", "add", "wire", "https://news.example/rss",
                  "--interval", "300").exit_code == 0
    folder = tmp_path / "drop"
    folder.mkdir()
    assert invoke(db, "sources", "add", "drop", str(folder)).exit_code == 0
    config = tomllib.loads((tmp_path / "d.live.toml").read_text())
    assert [(s["name"], s["kind"], s["interval"]) for s in config["sources"]] == [
        ("wire", "feed", 300), ("drop", "folder", 600)]
    listed = json.loads(invoke(db, "sources", "list", "--json").stdout)
    assert [r["source"]["name"] for r in listed] == ["wire", "drop"]
    dup = invoke(db, "sources", "add", "wire", "https://other.example/rss")
    assert dup.exit_code == 1 and "exists" in dup.output
    assert invoke(db, "sources", "remove", "wire").exit_code == 0
    gone = invoke(db, "sources", "remove", "wire")
    assert gone.exit_code == 1 and "no source named 'wire'" in gone.output


def test_bad_source_and_bad_config_are_one_line_errors(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    bad = invoke(db, "sources", "add", "x", "ftp://news.example/rss", "--kind", "feed")
    assert bad.exit_code == 1 and "http(s)" in bad.output
    (tmp_path / "d.live.toml").write_text("[[sources]\nname = ")
    broken = invoke(db, "sources", "list")
    assert broken.exit_code == 1 and "not valid TOML" in broken.output
    (tmp_path / "d.live.toml").write_text('[[sources]]\nname = "a"\nkind = "radio"\n')
    wrong = invoke(db, "watch", "--once")
    assert wrong.exit_code == 1 and "sources.0.kind" in wrong.output
    assert "Traceback" not in wrong.output


def test_sources_add_and_webhook_refuse_a_url_that_cannot_be_fetched(tmp_path: Path) -> None:
    """Refused when added, in one line, instead of saved and failing every poll."""
    db = tmp_path / "d.db"
    for url in ("http://[::1", "http://news example/rss", "http://news.example:99999/",
                "https:///rss"):
        bad = invoke(db, "sources", "add", "x", url)
        assert bad.exit_code == 1 and "not a valid URL" in bad.output, (url, bad.output)
        hook = invoke(db, "alerts", "webhook", url)
        assert hook.exit_code == 1 and "not a valid URL" in hook.output, (url, hook.output)
    assert not (tmp_path / "d.live.toml").exists()
    huge = invoke(db, "sources", "add", "x", "https://news.example/rss",
                  "--interval", "99999999999999999999")
    assert huge.exit_code == 1 and "interval" in huge.output  # was saved, then overflowed


def test_sources_add_refuses_an_empty_name_or_target_another_scheme_and_a_missing_folder(
        tmp_path: Path) -> None:
    """'ftp://host/feed' was saved as the folder <cwd>/ftp:/host/feed, '' as the current
    folder, a name '' as a source nobody could address; a folder that is not there failed
    every poll. Each is refused when added, in one line."""
    db = tmp_path / "d.db"
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    for args, message in ((["", "https://news.example/rss"], "needs a name and a target"),
                          (["x", ""], "needs a name and a target"),
                          (["x", "ftp://news.example/rss"], "not an http(s) URL"),
                          (["x", str(tmp_path / "missing")], "is not a folder"),
                          (["x", str(a_file)], "is not a folder")):
        bad = invoke(db, "sources", "add", *args)
        assert bad.exit_code == 1 and message in bad.output, (args, bad.output)
    assert not (tmp_path / "d.live.toml").exists()


def test_a_config_edit_waits_for_another_in_progress_and_keeps_both(tmp_path: Path) -> None:
    """Each `sources add` read the file and the last write won: of 12 added at once, 3
    remained. Here the test holds the lock, writes its source late, and the command's
    source, added once the lock is free, is kept beside it."""
    import os
    import subprocess
    import sys
    import time

    from newsdesk.live.config import LiveConfig, locked, save_config
    from newsdesk.models import LiveSource

    path = tmp_path / "d.live.toml"
    env = {**os.environ, "NEWSDESK_DB": str(tmp_path / "d.db")}
    with locked(path):
        proc = subprocess.Popen([sys.executable, "-m", "newsdesk", "sources", "add", "theirs",
                                 "https://theirs.example/rss"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(3)  # long enough to have read and written the file, were it not locked
        save_config(path, LiveConfig(sources=[LiveSource.model_validate(
            {"name": "ours", "kind": "feed", "url": "https://ours.example/rss"})]))
    assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    config = tomllib.loads(path.read_text())
    assert [s["name"] for s in config["sources"]] == ["ours", "theirs"]


def test_quarantine_retry_of_an_unknown_id_says_so(tmp_path: Path) -> None:
    """It printed 'retried 0' and exited 0, as if the item had been dealt with."""
    result = invoke(tmp_path / "d.db", "quarantine", "retry", "99999")
    assert result.exit_code == 1 and "#99999 skipped: no open quarantine item" in result.output


def test_alert_thresholds_must_be_finite_and_spans_bounded(tmp_path: Path) -> None:
    """NaN was saved (a rule that never fires); --days 1000000 was saved and then failed
    every watch pass (date overflow) before any alert was delivered."""
    db = tmp_path / "d.db"
    for args in (("--kind", "figure", "--subject", "exports", "--below", "nan"),
                 ("--kind", "figure", "--subject", "exports", "--above", "inf"),
                 ("--kind", "spike", "--value", "Sanctions", "--days", "1000000")):
        bad = invoke(db, "alerts", "add", "x", *args)
        assert bad.exit_code == 1 and "bad alert" in bad.output, (args, bad.output)
    assert not (tmp_path / "d.live.toml").exists()


def test_alerts_add_refuses_a_blank_name_or_value_and_webhook_remove_an_unknown_url(
        tmp_path: Path) -> None:
    """A keyword of spaces was saved and never fired (the value is stripped when matched);
    removing a webhook that was never added said 'removed' and exited 0."""
    db = tmp_path / "d.db"
    for args, message in ((["", "--kind", "keyword", "--value", "oil"], "needs a name"),
                          (["k", "--kind", "keyword", "--value", "   "], "needs --value"),
                          (["t", "--kind", "tag", "--value", ""], "needs --value")):
        bad = invoke(db, "alerts", "add", *args)
        assert bad.exit_code == 1 and message in bad.output, (args, bad.output)
    gone = invoke(db, "alerts", "webhook", "https://hooks.example/x", "--remove")
    assert gone.exit_code == 1 and "no webhook https://hooks.example/x" in gone.output
    assert not (tmp_path / "d.live.toml").exists()


def test_names_in_square_brackets_are_printed_as_they_are(tmp_path: Path) -> None:
    """Rich read '[/x]' in a rule's or source's name as a closing tag: MarkupError."""
    db = tmp_path / "d.db"
    for args in (["alerts", "add", "[/x]", "--kind", "keyword", "--value", "oil"],
                 ["alerts", "remove", "[/x]"],
                 ["sources", "add", "[/y]", "https://news.example/rss"],
                 ["sources", "list"], ["sources", "remove", "[/y]"]):
        result = invoke(db, *args)
        assert result.exit_code == 0 and result.exception is None, (args, result.output)
        assert "[/x]" in result.output or "[/y]" in result.output, (args, result.output)


def test_watch_without_sources_says_how_to_add_one(tmp_path: Path) -> None:
    result = invoke(tmp_path / "d.db", "watch", "--once")
    assert result.exit_code == 1 and "newsdesk sources add" in result.output


def test_watch_with_a_log_file_it_cannot_write_says_so(tmp_path: Path) -> None:
    """A folder, or a file in a folder that is not there: IsADirectoryError and
    FileNotFoundError were internal errors."""
    db = tmp_path / "d.db"
    drop = tmp_path / "drop"
    drop.mkdir()
    assert invoke(db, "sources", "add", "drop", str(drop)).exit_code == 0
    for log in (tmp_path, tmp_path / "missing" / "watch.log"):
        result = invoke(db, "watch", "--once", "--log-file", str(log))
        assert result.exit_code == 1 and "cannot write the log file" in result.output, (
            result.output)


def test_alerts_add_list_remove_and_feed(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    assert invoke(db, "alerts", "add", "fall", "--kind", "figure", "--subject",
                  "exports to Russia", "--below", "0").exit_code == 0
    assert invoke(db, "alerts", "add", "yuan", "--kind", "keyword", "--value",
                  "yuan").exit_code == 0
    missing = invoke(db, "alerts", "add", "x", "--kind", "tag")
    assert missing.exit_code == 1 and "--value" in missing.output
    unknown = invoke(db, "alerts", "add", "x", "--kind", "weather", "--value", "rain")
    assert unknown.exit_code == 1 and "kind" in unknown.output
    assert invoke(db, "alerts", "webhook", "http://127.0.0.1:9/hook", "--local").exit_code == 0
    listed = json.loads(invoke(db, "alerts", "list", "--json").stdout)
    assert [a["name"] for a in listed["alerts"]] == ["fall", "yuan"]
    assert listed["alerts"][0]["below"] == 0 and listed["webhooks"][0]["local"] is True
    assert invoke(db, "alerts", "remove", "yuan").exit_code == 0
    feed = invoke(db, "alerts", "feed")
    assert feed.exit_code == 0 and "<feed" in feed.stdout


def test_watch_once_alerts_and_quarantine_commands(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    docs = corpus_docs(6)
    with serve() as srv:
        srv.routes["/feed"] = Reply(body=rss(docs, srv.base, full=False))
        for n, d in enumerate(docs[:5]):
            srv.routes[f"/a/{n}"] = Reply(body=page_html(d).encode())
        # /a/5 is missing: 404
        assert invoke(db, "sources", "add", "wire", srv.url("/feed"), "--local",
                      "--rate", "0").exit_code == 0
        assert invoke(db, "alerts", "add", "yuan", "--kind", "keyword",
                      "--value", "yuan").exit_code == 0
        result = invoke(db, "watch", "--once", "--json", "--workers", "1")
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout[result.stdout.index("{"):])
        assert report["accepted"] == 5 and report["quarantined"] == 1
        bare = invoke(db, "quarantine")
        assert bare.exit_code == 0 and "HTTP 404" in bare.stdout
        listed = json.loads(invoke(db, "quarantine", "list", "--json").stdout)
        assert len(listed) == 1 and listed[0]["attempts"] == 1
        still = invoke(db, "quarantine", "retry")
        assert still.exit_code == 1 and "1 failed again" in still.stdout
        srv.routes["/a/5"] = srv.routes["/a/0"]
        fixed = invoke(db, "quarantine", "retry", "--json")
        assert fixed.exit_code == 0 and json.loads(fixed.stdout)["resolved"]
    assert json.loads(invoke(db, "quarantine", "list", "--json").stdout) == []
    assert len(json.loads(invoke(db, "quarantine", "list", "--all", "--json").stdout)) == 2
    stats = json.loads(invoke(db, "stats", "--json").stdout)
    # /a/5 came back with /a/0's page: a copy, linked to its original, not briefed
    assert stats["quarantined"] == 0 and (stats["articles"], stats["duplicates"]) == (5, 1)
    assert stats["briefs"] == 5


def test_watch_once_fails_when_every_source_fails_and_logs_json(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    log = tmp_path / "watch.jsonl"
    with serve({"/feed": Reply(500)}) as srv:
        assert invoke(db, "sources", "add", "down", srv.url("/feed"), "--local",
                      "--rate", "0").exit_code == 0
        result = invoke(db, "watch", "--once", "--log-file", str(log))
    assert result.exit_code == 1
    records = [json.loads(line) for line in log.read_text().splitlines()]
    failed = [r for r in records if r["message"] == "poll failed"]
    assert failed and failed[0]["source"] == "down" and "HTTP 500" in failed[0]["error"]
    [status] = json.loads(invoke(db, "sources", "list", "--json").stdout)
    assert status["last_status"] == "error" and "HTTP 500" in status["last_error"]


def test_status_view_renders_each_source(tmp_path: Path) -> None:
    from rich.console import Console

    from newsdesk.cli_live import _status_table
    from newsdesk.config import Settings
    from newsdesk.desk import Desk
    from newsdesk.live.config import LiveConfig
    from newsdesk.live.fetch import Fetcher
    from newsdesk.live.watch import Watcher
    from newsdesk.models import LiveSource

    config = LiveConfig(sources=[
        LiveSource(name="wire", kind="feed", url="https://news.example/rss"),
        LiveSource(name="drop", kind="folder", path=str(tmp_path))])
    with Desk.open(Settings(db_path=tmp_path / "v.db")) as desk, Fetcher() as f:
        w = Watcher(desk, config, f)
        w.views["wire"].error = "HTTP 503"
        console = Console(record=True, width=160)
        console.print(_status_table(w))
    text = console.export_text()
    assert "wire" in text and "drop" in text and "HTTP 503" in text


def test_alerts_webhook_refuses_a_rule_no_alert_has(tmp_path: Path) -> None:
    """A webhook for a rule name no alert has was saved and never received anything."""
    db = tmp_path / "d.db"
    assert invoke(db, "alerts", "add", "oil", "--kind", "keyword", "--value", "oil"
                  ).exit_code == 0
    bad = invoke(db, "alerts", "webhook", "https://hooks.example/x", "--rule", "oil",
                 "--rule", "gas")
    assert bad.exit_code == 1 and "no alert named 'gas'" in bad.output, bad.output
    assert "alerts add" in bad.output
    assert "webhooks" not in tomllib.loads((tmp_path / "d.live.toml").read_text())
    assert invoke(db, "alerts", "webhook", "https://hooks.example/x", "--rule", "oil"
                  ).exit_code == 0
