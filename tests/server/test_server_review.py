"""The review routes of the REST API: corrections recorded with who and what they replaced, refused when they
cannot apply or come from another site, behind the token, and reflected in the corpus views."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from narrascope.server import create_app
from tests.server.conftest import CLIMATE, WAR


def test_corrections_change_views_and_are_listed(client, corpus):
    before = {r["label"]: r["documents"] for r in client.get("/api/stats/dashboard").json()["narratives"]}
    assert before[WAR] == 3  # now cached: the correction below must invalidate it
    made = client.post("/api/corrections", json={"document_id": "doc-2", "layer": "narratives", "action": "reject",
                                                 "target": WAR, "reviewer": "ana"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["reviewer"] == "ana" and body["replaced"]["label"] == WAR and body["current"]
    doc = client.get("/api/documents/doc-2").json()
    assert [(n["name"], n["attrs"]["review"]) for n in doc["cats"]["narratives"]] == [(CLIMATE, "predicted")]
    assert len(client.get("/api/documents/doc-2?predicted=true").json()["cats"]["narratives"]) == 2
    assert client.get("/api/documents", params={"narrative": WAR}).json()["total"] == 2
    assert client.get("/api/documents", params={"narrative": WAR, "predicted": "true"}).json()["total"] == 3
    stats = {r["label"]: r["documents"] for r in client.get("/api/stats/dashboard").json()["narratives"]}
    assert stats[WAR] == 2
    predicted = client.get("/api/stats/views/narratives", params={"predicted": "true"}).json()
    assert predicted["predicted"] is True and {r["label"]: r["documents"] for r in predicted["rows"]}[WAR] == 3
    listed = client.get("/api/corrections", params={"document_id": "doc-2"}).json()
    assert [c["action"] for c in listed] == ["reject"]
    role = client.post("/api/corrections", json={"document_id": "doc-1", "layer": "entities", "action": "set-role",
                                                 "target": "NATO", "role": "Innocent", "fine_roles": ["Victim"]})
    assert role.status_code == 201, role.text
    roles = client.get("/api/stats/entities", params={"entity": "NATO"}).json()
    assert {(r["role"], r["documents"]) for r in roles} == {("Innocent", 1), ("Antagonist", 4)}
    queue = client.get("/api/review-queue", params={"outlet": "daily.example"}).json()
    assert {i["id"] for i in queue} == {"doc-1", "doc-2"}


def test_bad_corrections_are_422_or_404(client, corpus):
    bad = client.post("/api/corrections", json={"document_id": "doc-1", "layer": "narratives", "action": "add",
                                                "target": "No such narrative"})
    assert bad.status_code == 422 and "taxonomy" in bad.json()["detail"]
    missing = client.post("/api/corrections", json={"document_id": "nope", "layer": "narratives", "action": "add",
                                                    "target": WAR})
    assert missing.status_code == 404


def test_cross_site_and_tokenless_corrections_are_refused(make_settings, corpus):
    body = {"document_id": "doc-1", "layer": "narratives", "action": "reject", "target": WAR}
    with TestClient(create_app(make_settings(token="s3cret", reviewer="desk"))) as client:
        assert client.post("/api/corrections", json=body).status_code == 401
        headers = {"Authorization": "Bearer s3cret"}
        assert client.post("/api/corrections", json=body,
                           headers={**headers, "Origin": "https://evil.example"}).status_code == 403
        made = client.post("/api/corrections", json={**body, "reviewer": "someone else"}, headers=headers)
        assert made.status_code == 201 and made.json()["reviewer"] == "desk"  # the server's configured name wins


def test_review_routes_are_in_the_openapi_schema(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/corrections", "/api/review-queue", "/api/models/narratives",
            "/api/models/narratives/active"} <= set(paths)


def test_dashboard_and_list_say_which_labels_are_reviewed(client, corpus):
    client.post("/api/corrections", json={"document_id": "doc-1", "layer": "narratives", "action": "accept",
                                          "target": WAR})
    data = client.get("/api/stats/dashboard").json()
    assert data["reviewed"] == 1 and not data["predicted"]
    assert "Counting reviewed labels for\n  <strong>1</strong> reviewed document," in client.get("/").text
    assert "✓ reviewed" in client.get("/documents").text
    assert client.get("/api/stats/dashboard", params={"predicted": "true"}).json()["predicted"]
    listed = {r["id"]: r["narratives"] for r in client.get("/api/documents").json()["items"]}
    assert listed["doc-1"][0]["reviewed"] and not listed["doc-2"][0]["reviewed"]


def test_sub_narratives_of_a_rejected_narrative_stay_reviewable(client):
    from narrascope.document import NARRATIVES, SUBNARRATIVES, Document, Label
    from narrascope.store import Store
    from tests.server.conftest import WAR_SUB

    doc = Document("The war goes on.", id="w")
    doc.cats[NARRATIVES] = [Label(WAR, 0.9)]
    doc.cats[SUBNARRATIVES] = [Label(WAR_SUB, 0.7)]
    with Store(client.app.state.settings.db_url) as store:
        store.save([doc], pipeline_signature="t")
    client.post("/api/corrections", json={"document_id": "w", "layer": "narratives", "action": "reject", "target": WAR})
    page = client.get("/documents/w").text
    orphans = page.split('class="subs orphan-subs"')[1].split("</ul>")[0]
    assert f'data-label="{WAR_SUB}"' in orphans and 'value="reject"' in orphans
    assert client.post("/review/w", data={"action": "reject", "target": WAR_SUB},
                       follow_redirects=False).status_code == 303
    assert "orphan-subs" not in client.get("/documents/w").text
    assert client.get("/api/documents/w").json()["cats"][SUBNARRATIVES] == []


def test_review_form_refuses_other_sites_bad_corrections_and_unknown_documents(client, corpus):
    form = {"action": "reject", "target": WAR}
    assert client.post("/review/doc-1", data=form, headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post("/review/doc-1", data=form, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    bad = client.post("/review/doc-1", data={"action": "promote", "target": WAR}, headers={"Accept": "text/html"})
    assert bad.status_code == 422 and "does not apply" in bad.text
    assert client.post("/review/nope", data=form).status_code == 404
    assert client.get("/api/corrections").json() == []


def test_each_reviewer_token_names_its_reviewer(make_settings, corpus):
    settings = make_settings(token="admin-secret", reviewer_tokens={"ana-secret": "ana", "ben-secret": "ben"})
    body = {"document_id": "doc-1", "layer": "narratives", "action": "accept", "target": WAR, "reviewer": "mallory"}
    with TestClient(create_app(settings)) as client:
        assert client.post("/api/corrections", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
        made = client.post("/api/corrections", json=body, headers={"X-Narrascope-Token": "ben-secret"})
        assert made.status_code == 201 and made.json()["reviewer"] == "ben"
        # The server token names nobody: the name the client gives is used.
        admin = client.post("/api/corrections", json=body, headers={"Authorization": "Bearer admin-secret"})
        assert admin.json()["reviewer"] == "mallory"
        # A browser trades a reviewer token in the address for a cookie, and its page corrections carry the name.
        opened = client.get("/documents/doc-2?token=ana-secret", follow_redirects=False)
        assert opened.status_code == 303 and "narrascope_token=ana-secret" in opened.headers["set-cookie"]
        client.cookies.set("narrascope_token", "ana-secret")
        assert client.post("/review/doc-2", data={"action": "reject", "target": WAR},
                           follow_redirects=False).status_code == 303
        client.cookies.clear()
        listed = client.get("/api/corrections", params={"document_id": "doc-2"},
                            headers={"Authorization": "Bearer admin-secret"}).json()
        assert [c["reviewer"] for c in listed] == ["ana"]


def test_reviewer_tokens_parse_and_refuse_malformed_items():
    from narrascope.server.settings import parse_reviewer_tokens

    assert parse_reviewer_tokens(["ana=s1", " ben = s2 "]) == {"s1": "ana", "s2": "ben"}
    with pytest.raises(ValueError, match="'ana' is not NAME=TOKEN"):
        parse_reviewer_tokens(["ana"])
