"""Web fixtures: one store with the sample corpus (briefs written) and a hostile article,
built once per session; apps over it (read-only tests) or over a copy (write tests)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsdesk.config import Settings
from newsdesk.desk import Desk
from newsdesk.web import WebConfig, create_app
from tests.conftest import CORPUS

# Written for these tests: markup that would run if any page forgot to escape it.
HOSTILE = """Port Authority <script>document.title='pwned';window.__pwned=1</script> Update
Source: Test Wire <b onmouseover="window.__pwned=3">bold</b>
Published: 2025-06-02 09:00 UTC

Cargo volumes at the river port rose 4.2% in May to 1.3 million tonnes, the port authority said on Monday <img src=x onerror="window.__pwned=2">.
The authority said grain and coal shipments to China drove most of the increase.
"We expect the rise to continue <script>window.__pwned=4</script> through the summer," said Anna Testova, a director at the fictional port authority.
Western sanctions have pushed more Russian cargo toward Asian ports since 2022.
"""


@pytest.fixture(scope="session")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web")
    hostile = folder / "hostile.txt"
    hostile.write_text(HOSTILE, encoding="utf-8")
    path = folder / "web.db"
    with Desk.open(Settings(db_path=path)) as desk:
        desk.ingest([str(CORPUS), str(hostile)], briefs=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture(scope="session")
def client(web_db: Path) -> Iterator[TestClient]:
    """Read-only tests share this client (they must not write)."""
    with TestClient(create_app(Settings(db_path=web_db))) as c:
        yield c


@pytest.fixture
def db_copy(web_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "copy.db"
    shutil.copy(web_db, path)
    return path


@pytest.fixture
def writer(db_copy: Path) -> Iterator[TestClient]:
    """A client over a private copy of the store, for tests that write."""
    with TestClient(create_app(Settings(db_path=db_copy)), base_url="http://127.0.0.1") as c:
        yield c


def app_client(db: Path, web: WebConfig, **kwargs: object) -> TestClient:
    kwargs.setdefault("base_url", "http://127.0.0.1")  # a loopback Host, as a browser sends
    return TestClient(create_app(Settings(db_path=db), web), **kwargs)  # type: ignore[arg-type]


def hostile_id(client: TestClient) -> str:
    items = client.get("/api/v1/articles", params={"source": "Test Wire"}).json()["items"]
    assert items, "the hostile article was not ingested"
    return str(items[0]["article_id"])
