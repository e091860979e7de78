"""Issue 13 against the real server (uvicorn on 127.0.0.1) on SQLite and PostgreSQL: a large upload does not freeze
it, every stored id is reachable, and odd query values are answered with 422, never 500."""

from __future__ import annotations

import threading
import time
from urllib.parse import quote

import httpx
import pytest

from narrascope.document import Document
from narrascope.server import create_app
from narrascope.store import Store
from tests.server.conftest import running_server, settings_for


@pytest.mark.slow
def test_the_server_keeps_answering_while_a_large_upload_is_read(tmp_path):
    """Issue 13.1: a large HTML upload was parsed on the event loop and the server answered nothing until done."""
    page = ("<html><body><article>" + "".join(f"<p>Paragraph {i} of a very long article, with some words.</p>"
                                              for i in range(40_000)) + "</article></body></html>").encode()
    with running_server(create_app(settings_for(tmp_path))) as url, httpx.Client(base_url=url, timeout=120) as client:
        posted: dict[str, httpx.Response] = {}
        upload = threading.Thread(target=lambda: posted.update(
            response=client.post("/api/jobs", files={"files": ("long.html", page, "text/html")})))
        started = time.monotonic()
        upload.start()
        latencies, busy = [], True
        while busy and time.monotonic() - started < 120:
            time.sleep(0.2)
            sent = time.monotonic()
            assert client.get("/api/info").status_code == 200
            latencies.append(time.monotonic() - sent)
            job = posted.get("response") and client.get(posted["response"].headers["Location"]).json()
            busy = upload.is_alive() or job["status"] in ("queued", "running")
        upload.join()
        assert posted["response"].status_code == 202
        assert job["status"] == "finished" and job["total"] == 1, job
        assert "too large" in job["problems"][0]  # the text is over the server's 1,000,000 characters
    assert max(latencies) < 1.0, latencies
    assert len(latencies) >= 5, "the upload was read too fast to show anything; make the page larger"


def test_every_stored_id_is_reachable_from_the_list_the_page_and_the_api(tmp_path, database_url):
    """Issue 13.4: ids with ``/`` (JSONL ids, ``--ids path``) were listed, but their page and API answered 404."""
    ids = ["outlet-a/2024/story.txt", "../up.txt", "a b?c#d%20e&f.txt", "юникод/статья", "trailing/"]
    with Store(database_url) as store:
        store.save([Document(f"Text of {i}.", id=i, title=f"Title {n}") for n, i in enumerate(ids)],
                   pipeline_signature="t")
    with running_server(create_app(settings_for(tmp_path, db_url=database_url))) as url, \
            httpx.Client(base_url=url, timeout=30) as client:
        listing = client.get("/documents").text
        for doc_id in ids:
            link = "/documents/" + quote(doc_id, safe="")
            assert f'href="{link}"' in listing
            assert client.get(link).status_code == 200
            assert client.get("/api" + link).json()["id"] == doc_id
        assert client.get("/api/documents/outlet-a/2024/story.txt").json()["id"] == ids[0]  # unencoded slashes too


def test_odd_query_values_are_refused_with_422_and_only_web_addresses_are_links(tmp_path, database_url):
    """Issue 13.5: ``offset`` >= 2**63 gave 500, ``q=%00`` matched every document, a ``javascript:`` url was a link."""
    with Store(database_url) as store:
        store.save([Document("A text.", id="js", url="javascript:alert(document.cookie)"),
                    Document("Another text.", id="web", url="https://news.example/story")], pipeline_signature="t")
    with running_server(create_app(settings_for(tmp_path, db_url=database_url))) as url, \
            httpx.Client(base_url=url, timeout=30) as client:
        assert client.get("/api/documents", params={"offset": 2**63}).status_code == 422
        assert client.get("/api/documents", params={"offset": 2**62}).json()["items"] == []
        assert client.get("/api/documents?q=%00").status_code == 422
        assert client.get("/api/documents?entity=x%00y").status_code == 422
        assert client.get("/api/documents/a%00b").status_code == 404
        assert 'href="javascript:' not in client.get("/documents/js").text
        assert "javascript:alert(document.cookie)" in client.get("/documents/js").text  # shown as text
        assert 'href="https://news.example/story"' in client.get("/documents/web").text


def test_html_over_the_limits_is_refused_with_413_or_422(tmp_path):
    """Issue 13.1: HTML is capped by bytes (413, before reading it) and by elements (422, before extraction)."""
    page = ("<html><body><article>" + "<p>A paragraph of the article.</p>" * 3_000 + "</article></body></html>").encode()
    settings = settings_for(tmp_path, max_html_bytes=50_000, max_html_elements=1_000)
    with running_server(create_app(settings)) as url, httpx.Client(base_url=url, timeout=60) as client:
        too_big = client.post("/api/analyse/file", files={"file": ("big.html", page, "text/html")})
        assert too_big.status_code == 413
        assert too_big.json()["detail"] == "HTML file 'big.html' exceeds the limit of 50,000 bytes"
        crowded = page[:45_000].rsplit(b"</p>", 1)[0] + b"</p></article></body></html>"
        too_many = client.post("/api/analyse/file", files={"file": ("many.html", crowded, "text/html")})
        assert too_many.status_code == 422 and "larger than the limit of 1,000 elements" in too_many.json()["detail"]
