"""Copies in the REST API (``/api/copies/{id}``, ``/api/stats/copies``, OpenAPI, token) and on the document page
(linked, escaped); an exact re-upload counts once in the REST statistics and the dashboard."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from narrascope.analysers.segmenter import segment
from narrascope.document import NARRATIVES, Document, Label
from narrascope.server.app import create_app
from narrascope.store import Store

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "copies" / "articles.jsonl"
WAR = "URW: Amplifying war-related fears"


def save_articles(db_url: str, **renamed: str) -> None:
    """The copy fixtures (original, syndicated copy, exact re-upload, unrelated), each carrying one narrative;
    ``renamed`` gives some documents another outlet name."""
    docs = []
    for line in ARTICLES.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        doc = Document(record["text"], id=record["id"], title=record["title"] or None,
                       source=renamed.get(record["id"], record["source"]), published=date.fromisoformat(record["date"]))
        doc.add_spans("segments", segment(doc))
        doc.cats[NARRATIVES] = [Label(WAR, 0.9)]
        docs.append(doc)
    with Store(db_url) as store:
        store.save(docs, pipeline_signature="test")


def test_api_lists_a_document_s_copies_and_the_earliest_publication(settings, client):
    save_articles(settings.db_url)
    body = client.get("/api/copies/varna-syndicated").json()
    assert [c["id"] for c in body["copies"]] == ["varna-original", "varna-reupload"]
    assert body["copies"][0]["outlet"] == "Black Sea Daily" and 0.6 <= body["copies"][0]["similarity"] < 1
    assert body["earliest_publication"] == {"id": "varna-original", "outlet": "Black Sea Daily", "published": "2024-05-14"}
    assert client.get("/api/copies/sunflower-harvest").json()["copies"] == []
    assert client.get("/api/copies/nope").status_code == 404
    pairs = client.get("/api/stats/copies").json()
    assert pairs[0] == {"outlet_a": "Black Sea Daily", "outlet_b": "Coastal Courier", "copies": 2, "a_first": 2,
                        "b_first": 0, "order_unknown": 0}
    schema = client.get("/openapi.json").json()
    assert {"/api/copies/{doc_id}", "/api/stats/copies"} <= set(schema["paths"])
    assert "DocumentCopies" in schema["components"]["schemas"]


def test_an_exact_reupload_counts_once_in_rest_stats_and_dashboard(settings, client):
    save_articles(settings.db_url)
    assert [(r["label"], r["documents"]) for r in client.get("/api/stats/labels").json()] == [(WAR, 3)]
    assert {r["value"]: r["documents"] for r in client.get("/api/stats/fields/source").json()} == {
        "Black Sea Daily": 1, "Coastal Courier": 2}
    dashboard = client.get("/api/stats/dashboard").json()
    assert dashboard["documents"] == 3 and [(r["label"], r["documents"]) for r in dashboard["narratives"]] == [(WAR, 3)]
    assert {r["outlet"]: r["documents"] for r in dashboard["outlets"]} == {"Black Sea Daily": 1, "Coastal Courier": 2}
    assert {r["outlet"]: r["share"] for r in dashboard["by_outlet"]} == {"Black Sea Daily": 1.0, "Coastal Courier": 1.0}
    view = client.get("/api/stats/views/outlets").json()
    assert view["documents"] == 3 and {r["outlet"]: r["outlet_documents"] for r in view["rows"]} == {
        "Black Sea Daily": 1, "Coastal Courier": 2}
    assert client.get("/api/documents").json()["total"] == 4  # the list pages through every stored id


def test_copies_route_needs_the_token_like_every_other(make_settings):
    settings = make_settings(token="s3cret")
    save_articles(settings.db_url)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/copies/varna-original").status_code == 401
        assert client.get("/api/stats/copies").status_code == 401
        assert client.get("/api/copies/varna-original", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_document_page_links_the_copies_with_their_names_escaped(settings, client):
    save_articles(settings.db_url, **{"varna-syndicated": '<script>alert("x")</script> Courier'})
    page = client.get("/documents/varna-original").text
    assert 'href="/documents/varna-syndicated"' in page and 'href="/documents/varna-reupload"' in page
    assert "same text" in page and "Earliest known publication: 2024-05-14" in page
    assert '<script>alert("x")</script>' not in page and "&lt;script&gt;" in page
    assert "No copy of this article" in client.get("/documents/sunflower-harvest").text
