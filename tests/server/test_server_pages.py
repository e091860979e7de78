"""Web pages through the test client: dashboard, document list, document view, analyse form, jobs, errors."""

from __future__ import annotations

import re
import time
from datetime import date
from urllib.parse import parse_qs, urlsplit

from narrascope.document import NARRATIVES, Document, Label, Span
from narrascope.store import Store

WAR = "URW: Amplifying war-related fears"
CLIMATE = "CC: Amplifying Climate Fears"
HOSTILE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'


def test_dashboard_draws_linked_charts(client, corpus):
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert "<strong>5</strong> documents match" in html
    for chart in ("chart-time", "chart-outlet", "chart-language", "chart-cooccurrence", "chart-entities"):
        assert f'id="{chart}"' in html
    links = re.findall(r'<a href="([^"]+)"><rect class="(n\d+)', html)
    assert links, "no linked bars"
    queries = [parse_qs(urlsplit(href.replace("&amp;", "&")).query) for href, _ in links]
    assert any(q.get("narrative") == [WAR] and q.get("since") == ["2024-01-01"] and q.get("until") == ["2024-01-31"]
               for q in queries)
    outlet_bars = [parse_qs(urlsplit(href.replace("&amp;", "&")).query)
                   for href in re.findall(r'<a href="([^"]+)"><rect class="docs"', html.split('id="chart-outlet"')[1])]
    assert {"outlet": ["daily.example"]} in outlet_bars  # one bar per outlet: its documents
    assert 'data-label="NATO"' not in html and "role-antagonist" in html  # entity bars coloured by role


def test_dashboard_respects_filters_and_week_periods(client, corpus):
    html = client.get("/", params={"outlet": "weekly.example", "period": "week"}).text
    assert "<strong>2</strong> documents match" in html
    assert '<a class="chip" href="/" title="Remove this filter">Outlet: weekly.example' in html
    assert "2024-02-05" in html  # a Monday, labelled as its week
    assert client.get("/", params={"period": "year"}).status_code == 422


def test_document_list_filters_paginates_and_offers_exports(client, corpus):
    html = client.get("/documents", params={"narrative": WAR}).text
    assert '<strong id="total">3</strong>' in html
    assert html.count('class="doclink"') == 3
    assert "/api/export?narrative=" in html and "format=label-studio" in html
    assert "Page 1 of 1" in html


def test_document_page_shows_highlights_legend_and_layers(client):
    text = "The war is coming. NATO made a terrible choice.\n\nSubscribe now."
    r = client.post("/api/analyse", json={"text": text, "title": "Demo"})
    html = client.get(f"/documents/{r.json()['id']}").text
    assert f'<mark class="ev n0 d0" data-label="{WAR}"' in html
    assert "91%" in html  # the narrative's score in the legend
    assert "Instigator" in html and "Loaded_Language" in html
    assert 'href="/documents?narrative=URW%3A%20Amplifying%20war-related%20fears"' in html


def test_hostile_document_renders_as_text_on_every_page(client, settings):
    doc = Document(text=f"Intro. {HOSTILE} The end.", id="hostile", title=HOSTILE, source=HOSTILE,
                   published=date(2024, 1, 1), language="en")
    doc.cats[NARRATIVES] = [Label(WAR, 0.9, [Span(0, len(doc.text), "s")])]
    with Store(settings.db_url) as store:
        store.save([doc], pipeline_signature="t")
    for path in ("/documents/hostile", "/documents", "/", f"/documents?outlet={HOSTILE}"):
        html = client.get(path).text
        assert "<script>window" not in html and "<img src=x" not in html, path
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in client.get("/documents/hostile").text


def test_document_page_lists_reader_comments_apart_from_the_article(client, settings):
    text = f"Title\n\nThe article body.\n\n2 comments\n\nFirst {HOSTILE}\n\nReply\n\nSecond comment."
    doc = Document(text=text, id="thread", title="Title")
    doc.spans["segments"] = [Span(text.index(part), text.index(part) + len(part), kind) for part, kind in (
        ("Title", "title"), ("The article body.", "body"), ("2 comments", "boilerplate"), (f"First {HOSTILE}", "comment"),
        ("Reply", "boilerplate"), ("Second comment.", "comment"))]
    with Store(settings.db_url) as store:
        store.save([doc], pipeline_signature="t")
    html = client.get("/documents/thread").text
    article, comments = html.split("Reader comments (2)")
    assert "The article body." in article and "Second comment." not in article
    assert comments.count('<li class="reader-comment">') == 2 and "Second comment." in comments
    assert "<script>window" not in html and "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in comments


def test_analyse_form_analyses_stores_and_redirects_to_the_document(client):
    r = client.post("/analyse", data={"text": "The war again.", "title": "Pasted", "outlet": "me<b>",
                                      "date": "2024-02-02", "url": "https://news.example/a?utm_source=x&p=1",
                                      "author": "<script>alert(1)</script>"}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "Pasted" in page.text and 'data-label="URW: Amplifying war-related fears"' in page.text
    assert "by &lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert(1)" not in page.text
    assert "me&lt;b&gt;" in page.text and 'href="https://news.example/a?p=1"' in page.text
    doc = client.get("/api" + r.headers["location"]).json()
    assert (doc["source"], doc["published"], doc["url"], doc["meta"]["author"]) == \
        ("me<b>", "2024-02-02", "https://news.example/a?p=1", "<script>alert(1)</script>")


def test_analyse_form_errors_show_on_the_form(client):
    r = client.post("/analyse", data={"text": "  "})
    assert r.status_code == 422 and "the text is empty" in r.text and "<textarea" in r.text
    r = client.post("/analyse", data={"text": "ok", "date": "soon"})
    assert r.status_code == 422 and "date: &#39;soon&#39; is not a date (YYYY-MM-DD)" in r.text
    r = client.post("/analyse/upload", data={"date": "2024-02-30"}, files=[("files", ("a.txt", b"The war.", "text/plain"))])
    assert r.status_code == 422 and "is not a date (YYYY-MM-DD)" in r.text


def test_upload_form_runs_a_job_with_a_progress_page(client):
    files = [("files", ("a.txt", b"The war.", "text/plain")), ("files", ("b.txt", b"The climate.", "text/plain"))]
    r = client.post("/analyse/upload", files=files, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    deadline = time.monotonic() + 60  # generous: the job thread competes with whatever else loads the machine
    while time.monotonic() < deadline:
        html = client.get(r.headers["location"]).text
        if "finished" in html and html.count('class="doclink"') == 2:
            break
        time.sleep(0.05)
    job = client.get("/api/jobs/" + r.headers["location"].rsplit("/", 1)[-1]).json()
    assert "finished" in html and html.count('class="doclink"') == 2, job
    assert "Recent jobs" in client.get("/analyse").text


def test_browser_errors_are_pages_and_api_errors_json(client):
    page = client.get("/documents/nope", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "No document with id" in page.text
    assert client.get("/documents/nope").headers["content-type"].startswith("application/json")
    assert client.get("/jobs/nope", headers={"Accept": "text/html"}).status_code == 404


def test_document_page_hides_possible_labels_behind_a_toggle_and_shows_reader_comments_apart(client, settings):
    from narrascope.document import COMMENT_NARRATIVES, NARRATIVES, SEGMENTS, Document, Label, Span

    text = "Article about the war.\n\nReader says: the climate is doomed."
    doc = Document(text, id="with-comments", title="T")
    doc.add_spans(SEGMENTS, [Span(0, 22, "body"), Span(24, len(text), "comment")])
    doc.cats[NARRATIVES] = [Label("URW: Amplifying war-related fears", 0.2, [Span(0, 22, "x")], {"display_threshold": 0.4})]
    doc.cats[COMMENT_NARRATIVES] = [Label("CC: Amplifying Climate Fears", 0.8, [Span(24, len(text), "x")],
                                          {"display_threshold": 0.4})]
    with Store(settings.db_url) as store:
        store.save([doc], pipeline_signature="t")
    page = client.get("/documents/with-comments").text
    assert 'data-toggle="show-possible"' in page and "show 1 possible label" in page
    assert 'class="narrative possible review-item"' in page and "possible</span>" in page
    assert "Reader comments" in page and "Reader says: the climate is doomed." in page
    assert 'mark class="ev n' in page and " possible d0" in page  # its evidence mark is hidden with it


def test_dashboard_and_list_count_the_narratives_the_document_page_shows(client, settings):
    from tests.server.test_server_api import save_shown_and_possible

    save_shown_and_possible(settings.db_url)
    dashboard = client.get("/").text
    assert f'{WAR} <span class="count">1</span>' in dashboard and CLIMATE not in dashboard.split("Documents over time")[1]
    assert "only those shown on each document" in dashboard and 'name="possible" value="true">' in dashboard
    with_possible = client.get("/", params={"possible": "true"}).text
    assert f'{CLIMATE} <span class="count">1</span>' in with_possible and 'value="true" checked' in with_possible
    assert 'id="total">0<' in client.get("/documents", params={"narrative": CLIMATE}).text
    listed = client.get("/documents", params={"narrative": CLIMATE, "possible": "true"}).text
    assert 'id="total">1<' in listed and "possible=true" in listed  # links keep counting possible labels
    assert 'possible-tag">possible</span>' in listed
