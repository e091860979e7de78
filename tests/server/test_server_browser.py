"""The web UI in a real headless Chromium (Debian's package) against a server on 127.0.0.1.

Screenshots are saved under each test's temporary directory (the path is printed).
"""

from __future__ import annotations

import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from narrascope.document import NARRATIVES, Document, Label, Span
from narrascope.server import create_app
from narrascope.store import Store
from tests.server.conftest import running_server

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


@pytest.fixture
def live_server(settings, corpus):
    """The real application under uvicorn on 127.0.0.1 and a free port, with the test corpus plus a hostile document."""
    hostile = Document(text='Before. <script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> After.',
                       id="hostile", title="<b>Hostile</b> title", source="daily.example", language="en",
                       published=date(2024, 1, 5))
    hostile.cats[NARRATIVES] = [Label(WAR, 0.7, [Span(0, len(hostile.text), "s")])]
    with Store(settings.db_url) as store:
        store.save([hostile], pipeline_signature="t")
    with running_server(create_app(settings)) as url:
        yield url


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

    bar = page.locator(f'#chart-time rect[data-label="{WAR}"]').first
    expected = bar.get_attribute("data-value")
    bar.click()
    page.wait_for_url("**/documents?**")
    assert "narrative=" in page.url and "since=" in page.url
    assert page.locator("#total").inner_text() == expected
    assert page.locator("a.chip").count() == 3  # narrative and the period's two dates shown
    shot(page, tmp_path, "filtered-list")

    page.goto(live_server + "/")
    bar = page.locator('#chart-outlet rect[data-label="documents"]').first  # an outlet's documents
    expected = bar.get_attribute("data-value")
    bar.click()
    page.wait_for_url("**/documents?**")
    assert "outlet=" in page.url and page.locator("#total").inner_text() == expected

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
    page.fill("form[action='/analyse'] input[name=author]", "<b>Ann</b>")
    page.click("form[action='/analyse'] button[type=submit]")
    page.wait_for_url("**/documents/**")
    assert "by <b>Ann</b>" in page.locator(".meta").first.inner_text()
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


ATTACK = """<!doctype html><title>Another site</title>
<iframe sandbox="allow-scripts" srcdoc="<script>
  const form = new FormData();
  form.append('file', new Blob(['Overwritten from a sandboxed frame.'], {type: 'text/plain'}), 'victim.txt');
  fetch('TARGET/api/analyse/file', {method: 'POST', body: form, mode: 'no-cors'});
</script>"></iframe>
<form id="post" method="post" action="TARGET/api/analyse/file" enctype="multipart/form-data" target="sink">
  <input type="hidden" name="save" value="true"></form>
<iframe name="sink"></iframe>
<script>
  const form = new FormData();
  form.append('file', new Blob(['Overwritten from another origin.'], {type: 'text/plain'}), 'victim.txt');
  fetch('TARGET/api/analyse/file', {method: 'POST', body: form, mode: 'no-cors', credentials: 'include'});
</script>"""


@pytest.fixture
def attacker_page():
    """``attacker_page(target)``: the address of a page on another port of this machine (another origin) that
    tries to overwrite an article stored by the server at ``target``."""
    servers = []

    def serve(target: str) -> str:
        body = ATTACK.replace("TARGET", target).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server interface
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    yield serve
    for httpd in servers:
        httpd.shutdown()


def test_another_site_cannot_change_stored_data_even_from_a_sandboxed_frame(settings, attacker_page, page):
    """Issue 13.2: a POST with ``Origin: null`` (a sandboxed iframe on any web page) overwrote a stored article."""
    with Store(settings.db_url) as store:
        store.save([Document("The original article.", id="victim.txt", meta={"path": "victim.txt"})],
                   pipeline_signature="t")
    answers = []
    app = create_app(settings)

    async def recording(scope, receive, send):  # what each POST said it came from, and the answer it got
        async def note(message):
            if message["type"] == "http.response.start" and scope["method"] == "POST":
                answers.append((dict(scope["headers"]).get(b"origin", b"").decode(), message["status"]))
            await send(message)
        await app(scope, receive, note)

    with running_server(recording) as server:
        other = attacker_page(server)
        page.goto(other + "/")
        page.evaluate("() => document.getElementById('post').submit()")  # a plain cross-site form post too
        deadline = time.monotonic() + 15
        while len(answers) < 3 and time.monotonic() < deadline:
            page.wait_for_timeout(100)
    assert sorted(answers) == sorted([("null", 403), (other, 403), (other, 403)]), answers
    with Store(settings.db_url) as store:
        assert store.get("victim.txt").text == "The original article."


def test_time_axis_comparison_and_search_in_the_browser(live_server, settings, page, tmp_path):
    with Store(settings.db_url) as store:  # one undated document, so the dashboard names what the time axis leaves out
        undated = Document("An undated article about the war.", id="undated", source="daily.example", language="en")
        undated.cats[NARRATIVES] = [Label(WAR, 0.9, [Span(0, 10, "s")])]
        store.save([undated], pipeline_signature="t")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server + "/")
    assert page.locator("#undated").inner_text() == "1 undated documents not shown."
    page.click('p.switch a:text-is("week")')
    page.click('p.switch a:text-is("outlet")')  # stack the weeks by outlet; the address keeps both choices
    assert "period=week" in page.url and "stack=outlet" in page.url
    columns = page.locator("#chart-time text.tick").all_text_contents()
    assert "2024-02-12" in columns and len(columns) >= 13  # every week from the first to the last, empty ones too
    assert page.locator('#chart-time rect[data-label="weekly.example"]').count() >= 1
    with page.expect_download() as download:
        page.locator("a.csv").first.click()
    assert download.value.suggested_filename == "narrascope-time.csv"
    shot(page, tmp_path, "dashboard-weeks-by-outlet")

    page.goto(live_server + "/compare")
    page.fill("input[name=a]", "outlet:daily.example")
    page.fill("input[name=b]", "outlet:weekly.example")
    page.click("#compare-form button[type=submit]")
    page.wait_for_url("**/compare?**")
    row = page.locator(f'#comparison tr[data-label="{WAR}"] td')
    assert row.nth(1).inner_text() == "4" and row.nth(6).inner_text() == "1"  # daily: 1, 2, hostile, undated
    assert "4 documents" in page.locator("#sides").inner_text()
    shot(page, tmp_path, "compare")

    page.goto(live_server + "/documents")
    page.fill("input[name=q]", '"window.pwned" OR nothing')
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**/documents?**")
    assert page.locator("#total").inner_text() == "1"
    assert page.locator(".snippet mark").all_inner_texts() == ["window.pwned", "window.pwned"]
    assert "<script>" in page.locator(".snippet").inner_text() and page.evaluate("() => window.pwned") is None
    shot(page, tmp_path, "search")
    assert errors == []
