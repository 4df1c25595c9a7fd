"""Shared fixtures: the bundled sample corpus, a desk on a temporary database, and a
small article written for the tests (not taken from the corpus)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk.config import Settings
from newsdesk.desk import Desk

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "samples" / "corpus"
SHARED = ROOT.parent / "shared"

ARTICLE = """Grain Shipments Across The Amur Reach A New High
Source: Test Wire
Published: 09/02/2025, 14:52:00 EDT
By Olga Test and Wei Sample
Estimated read time 2 min read
Tags: Agriculture, China-Russia Trade
Global

Russian grain exports to China rose 18.4% in the first half of 2025 to $2.1 billion, customs data showed on Tuesday.
The increase came as Beijing looked for suppliers outside the U.S. and Russia sought buyers after Western sanctions closed other markets.
"We have never shipped this much wheat across the border," said Pavel Testov, a director at the fictional Amur Grain Union.
Since 2022, China has opened its market to wheat from more Russian regions.
Bilateral trade between China and Russia reached a record $240 billion in 2023, and grain was a small but fast-growing part of it.
Traders said payments were settled mostly in yuan and roubles, avoiding the dollar.
Analysts expect shipments could double by 2027 if new rail terminals open on schedule.
Rail congestion at the border remains a risk, and tariffs on fertiliser could raise costs.
"""


@pytest.fixture
def article_text() -> str:
    return ARTICLE


@pytest.fixture
def article_file(tmp_path: Path) -> Path:
    path = tmp_path / "grain.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "desk.db")


@pytest.fixture
def desk(settings: Settings) -> Iterator[Desk]:
    with Desk.open(settings) as d:
        yield d


@pytest.fixture(scope="session")
def corpus() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the whole sample corpus ingested once for the session."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.db"
    with Desk.open(Settings(db_path=path)) as d:
        d.ingest([str(CORPUS)])
    return path


@pytest.fixture
def corpus_desk(corpus_db: Path) -> Iterator[Desk]:
    with Desk.open(Settings(db_path=corpus_db), read_only=True) as d:
        yield d
