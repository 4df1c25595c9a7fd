"""The evidence pack's budget, and `newsdesk brief --engine` as a user meets it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from newsdesk.cli import app
from newsdesk.config import Settings
from newsdesk.desk import Desk
from newsdesk.llm.evidence import build_evidence
from tests.conftest import CORPUS
from tests.llm.conftest import Scripted, good_answer, ok

runner = CliRunner()


def test_budget_drops_lowest_priority_sentences_first(tmp_path: Path) -> None:
    path = sorted(CORPUS.glob("*.txt"))[0]
    with Desk.open(Settings(db_path=tmp_path / "d.db"), read_only=True) as desk:
        article = desk.load(str(path))
        enrichment = desk.analyze(article)
        base = desk.brief(str(path), engine="extractive")
    full = build_evidence(article, enrichment, [], frozenset(), base, 100_000)
    assert full.left_out == 0 and len(full.items) == len(article.sentences)
    assert [i.n for i in full.items] == list(range(1, len(full.items) + 1))
    small = build_evidence(article, enrichment, [], frozenset(), base, 150)
    assert 0 < len(small.items) < len(full.items)
    assert small.left_out == len(full.items) - len(small.items)
    assert len(small.render()) <= 150 * 4 + 200  # figures/quotes lines share the budget
    kept = {i.citation.sentence for i in small.items}
    summary = [c.sentence for s in base.summary for c in s.citations]
    assert summary[0] in kept  # the extractive engine's first pick is kept longest
    # Numbers are in reading order and map back to the article's sentences.
    for item in small.items:
        assert small.citation(item.n) == item.citation
        assert article.sentences[item.citation.sentence] == item.text
    assert small.citation(len(small.items) + 1) is None


def test_cli_engine_llm_and_fallback(tmp_path: Path, server: Scripted, rail_file: Path) -> None:
    env = {"NEWSDESK_LLM_BASE_URL": server.url, "NEWSDESK_LLM_MODEL": "scripted",
           "NEWSDESK_LLM_CACHE": str(tmp_path / "cache"), "NEWSDESK_CONFIG": ""}
    server.script(ok(good_answer))
    db = str(tmp_path / "d.db")
    result = runner.invoke(app, ["--db", db, "brief", str(rail_file), "--engine", "llm", "--json"],
                           env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["engine"] == "llm:scripted"
    result = runner.invoke(app, ["--db", db, "brief", str(rail_file), "--engine", "llm"],
                           env={**env, "NEWSDESK_LLM_BASE_URL": "http://127.0.0.1:9/v1",
                                "NEWSDESK_LLM_RETRIES": "0"})
    assert result.exit_code == 0, result.output
    assert "could not be used" in result.output and "Engine: extractive" in result.output
    result = runner.invoke(app, ["--db", db, "brief", str(rail_file), "--engine", "gpt"], env=env)
    assert result.exit_code == 1 and "unknown engine 'gpt'" in result.output


def test_cli_refuses_an_unusable_llm_setting_in_one_line(tmp_path: Path, rail_file: Path) -> None:
    """A negative timeout was an "internal error" (exit 70) from inside httpx."""
    env = {"NEWSDESK_CONFIG": "", "NEWSDESK_LLM_TIMEOUT": "-1"}
    result = runner.invoke(app, ["--db", str(tmp_path / "d.db"), "brief", str(rail_file),
                                 "--engine", "llm"], env=env)
    assert result.exit_code == 1
    assert "timeout_s=-1.0 must be above 0" in result.output
