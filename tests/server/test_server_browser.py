"""The web UI in a real headless Chromium (Debian's package) against a server on 127.0.0.1.

Screenshots are saved under each test's temporary directory (the path is printed).
"""

from __future__ import annotations

import socket
import threading
import time
from datetime import date
from pathlib import Path

import pytest
import uvicorn

from narrascope.document import NARRATIVES, Document, Label, Span
from narrascope.server import create_app
from narrascope.store import Store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAR = "URW: Amplifying war-related fears"
ARTICLE = ("Leaders met in Brussels on Monday. Officials warned the war could spread to new countries. "
           "NATO made a terrible decision, critics said.\n\nFarmers said the climate is changing and the war makes it "
           "worse.\n\nSubscribe to our newsletter for more.")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(settings, corpus):
    """The real application under uvicorn on 127.0.0.1 and a free port, with the test corpus plus a hostile document."""
    hostile = Document(text='Before. <script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> After.',
                       id="hostile", title="<b>Hostile</b> title", source="daily.example", language="en",
                       published=date(2024, 1, 5))
    hostile.cats[NARRATIVES] = [Label(WAR, 0.7, [Span(0, len(hostile.text), "s")])]
    with Store(settings.db_url) as store:
        store.save([hostile], pipeline_signature="t")
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=free_port(),
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1300, "height": 1000})
        page = context.new_page()
        yield page
        context.close()
        browser.close()


def shot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    print(f"screenshot: {path}")
    return path


def test_dashboard_chart_click_filters_the_document_list(live_server, page, tmp_path):
    outside, errors = [], []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server) else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server + "/")
    assert page.locator("#chart-time svg.chart rect").count() >= 3
    assert page.locator("#chart-outlet svg.chart rect").count() >= 2
    colour = page.locator("#chart-time rect").first.evaluate("el => getComputedStyle(el).fill")
    assert colour not in ("", "none", "rgb(0, 0, 0)")
    shot(page, tmp_path, "dashboard")

    bar = page.locator(f'#chart-outlet rect[data-label="{WAR}"]').first
    expected = bar.get_attribute("data-value")
    bar.click()
    page.wait_for_url("**/documents?**")
    assert "narrative=" in page.url and "outlet=" in page.url
    assert page.locator("#total").inner_text() == expected
    assert page.locator("a.chip").count() == 2  # narrative and outlet filters shown
    shot(page, tmp_path, "filtered-list")

    page.goto(live_server + "/")
    cell = page.locator("#chart-cooccurrence rect.heat").first  # a pair of narratives found in the same documents
    expected = cell.get_attribute("data-value")
    cell.click()
    page.wait_for_url("**/documents?**")
    assert "narrative=" in page.url and "also_narrative=" in page.url
    assert page.locator("#total").inner_text() == expected

    page.goto(live_server + "/docs")  # interactive API docs, served by the application itself
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".swagger-ui .opblock").count() >= 10
    assert outside == [] and errors == []


def test_document_page_highlights_evidence_and_renders_hostile_text_inertly(live_server, page, tmp_path):
    page.goto(live_server + "/analyse")
    page.fill("textarea[name=text]", ARTICLE)
    page.fill("input[name=title]", "Demo article")
    page.click("form[action='/analyse'] button[type=submit]")
    page.wait_for_url("**/documents/**")
    marks = page.locator(f'#article mark.ev[data-label="{WAR}"]')
    assert marks.count() >= 2
    assert "Officials warned the war could spread to new countries." in "".join(marks.all_inner_texts())
    background = marks.first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.locator(".narratives li.narrative").count() == 2
    assert page.locator("#article span.ent[data-role=Antagonist]").count() == 1
    assert page.locator("#article span.tech").count() >= 1
    shot(page, tmp_path, "document")

    # focusing the other narrative removes the war highlight from sentences that only carry the war narrative
    page.locator('button.focus[data-label="CC: Amplifying Climate Fears"]').click()
    assert page.locator("#article.focused").count() == 1
    cleared = marks.first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert cleared in ("rgba(0, 0, 0, 0)", "transparent")

    page.goto(live_server + "/documents/hostile")
    assert page.evaluate("() => window.pwned") is None
    assert page.locator("script:not([src])").count() == 0
    assert "<script>window.pwned = 1</script>" in page.locator("#article").inner_text()
    assert page.locator("h1.doctitle").inner_text() == "<b>Hostile</b> title"
    shot(page, tmp_path, "hostile")
