"""The pages in headless Chromium, served by uvicorn on a free loopback port: the feed,
a brief, a citation click that highlights its source sentence, and a hostile article
whose scripts must never run.

Needs Playwright (the `test` extra) and a Chromium binary (Debian: `apt-get install
chromium`; `make test` installs it when apt-get is at hand). Without either, the tests
skip and say why.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk.config import Settings
from newsdesk.web import create_app

pytestmark = pytest.mark.slow
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def chromium_path() -> str | None:
    for candidate in (os.environ.get("NEWSDESK_CHROMIUM"), *CHROMIUM_PATHS):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(web_db: Path) -> Iterator[str]:
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(db_path=web_db)),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set NEWSDESK_CHROMIUM)")
    with playwright_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        except Exception as exc:  # noqa: BLE001 - a browser that cannot start: skip, say why
            pytest.skip(f"Chromium at {path} did not start: {exc}")
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context()  # type: ignore[attr-defined]
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.errors = errors
    yield pg
    context.close()


def test_feed_then_brief_then_citation_highlights_source(base_url: str, page) -> None:
    page.goto(base_url + "/")
    items = page.locator("ol.feed li.item")
    assert items.count() == 20
    first = items.nth(0).locator("h2 a")
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/briefs/*")
    assert page.locator("h1").inner_text() == title
    for heading in ("News Summary", "Background", "In-Depth Insights"):
        assert page.locator("h2", has_text=heading).count() == 1
    cite = page.locator("section a.cite").first
    target_id = cite.get_attribute("data-target")
    target = page.locator(f"#{target_id}")
    assert "hl" not in (target.get_attribute("class") or "")
    cite.hover()
    assert "peek" in (target.get_attribute("class") or "")
    assert cite.get_attribute("title") == target.inner_text()
    cite.click()
    page.wait_for_function(
        "id => document.getElementById(id).classList.contains('hl')", arg=target_id)
    colour = target.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.url.endswith("#" + target_id)
    # Another citation moves the highlight.
    others = page.locator(f"section a.cite:not([data-target='{target_id}'])")
    if others.count():
        other_id = others.first.get_attribute("data-target")
        others.first.click()
        page.wait_for_function(
            "id => document.getElementById(id).classList.contains('hl')", arg=other_id)
        assert "hl" not in (target.get_attribute("class") or "")
    assert page.errors == []


def test_hostile_article_scripts_never_run(base_url: str, page) -> None:
    page.goto(base_url + "/?source=Test+Wire")
    link = page.locator("ol.feed h2 a").first
    assert "<script>" in link.inner_text()  # the headline shows its markup as text
    link.click()
    page.wait_for_url("**/briefs/*")
    page.wait_for_load_state("load")
    page.locator("section a.cite").first.hover()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.title() != "pwned" and "pwned" not in page.title().split(" ")[0]
    assert page.locator("h1").inner_text().startswith("Port Authority <script>")
    body = page.locator("body").inner_text()
    assert '<img src=x onerror="window.__pwned=2">' in body
    assert page.locator("article script, article img, article b").count() == 0
    assert page.errors == []


def test_feed_is_readable_on_a_phone(base_url: str, browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    pg.goto(base_url + "/")
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the feed scrolls sideways on a phone ({width}px)"
    context.close()
