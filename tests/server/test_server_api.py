"""REST API through FastAPI's test client: analyse, jobs, list/filter, one document, stats, export, errors, security."""

from __future__ import annotations

import csv
import functools
import io
import json
import time

import pytest
from fastapi.testclient import TestClient

from narrascope.document import Document
from narrascope.pipeline import PipelineConfig
from narrascope.server import create_app
from narrascope.store import DocumentFilter, Store
from narrascope.store.aggregates import label_breakdown
from tests.server.conftest import settings_for

WAR = "URW: Amplifying war-related fears"
WAR_SUB = "URW: Amplifying war-related fears: By continuing the war we risk WWIII"
CLIMATE = "CC: Amplifying Climate Fears"
ARTICLE = ("Officials warned the war could spread. NATO held a terrible meeting on Tuesday.\n\n"
           "Farmers said the climate is changing fast. Nothing else happened.")


def wait_for(client: TestClient, job_id: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("finished", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


# ---- analyse -------------------------------------------------------------------------------------------------------
def test_analyse_text_returns_all_layers_with_quotable_evidence_and_stores_it(client):
    r = client.post("/api/analyse", json={"text": ARTICLE, "title": "Test", "source": "example.org",
                                          "published": "2024-05-01"})
    assert r.status_code == 200, r.text
    doc = r.json()
    names = {n["name"]: n for n in doc["cats"]["narratives"]}
    assert set(names) == {WAR, CLIMATE}
    quotes = [doc["text"][e["start"]:e["end"]] for e in names[WAR]["evidence"]]
    assert quotes == ["Officials warned the war could spread."]
    assert doc["cats"]["subnarratives"][0]["name"] == WAR_SUB
    assert [doc["text"][s["start"]:s["end"]] for s in doc["spans"]["entities"]] == ["NATO"]
    assert doc["spans"]["techniques"][0]["label"] == "Loaded_Language"
    assert {s["label"] for s in doc["spans"]["segments"]} == {"body"}

    stored = client.get(f"/api/documents/{doc['id']}")
    assert stored.status_code == 200
    assert stored.json()["cats"]["narratives"] == doc["cats"]["narratives"]
    assert stored.json()["published"] == "2024-05-01"


def test_analyse_without_save_leaves_the_store_alone(client):
    r = client.post("/api/analyse?save=false", json={"text": "The war goes on."})
    assert r.status_code == 200
    assert r.json()["cats"]["narratives"][0]["name"] == WAR
    assert client.get(f"/api/documents/{r.json()['id']}").status_code == 404
    assert client.get("/api/documents").json()["total"] == 0


@pytest.mark.parametrize("body, fragment", [
    ({"text": "   "}, "empty"),
    ({"text": ""}, "at least 1 character"),
    ({}, "Field required"),
    ({"text": "ok", "published": "yesterday"}, "date"),
])
def test_analyse_rejects_bad_input_with_json_422(client, body, fragment):
    r = client.post("/api/analyse", json=body)
    assert r.status_code == 422
    assert fragment in json.dumps(r.json()["detail"])


def test_analyse_too_long_text_is_413(make_settings):
    with TestClient(create_app(make_settings(max_text_chars=20))) as client:
        r = client.post("/api/analyse", json={"text": "x" * 21})
    assert r.status_code == 413
    assert "exceeds the limit" in r.json()["detail"]


def test_analyse_uploaded_file(client):
    r = client.post("/api/analyse/file", files={"file": ("note.txt", ARTICLE.encode(), "text/plain")})
    assert r.status_code == 200, r.text
    assert {n["name"] for n in r.json()["cats"]["narratives"]} == {WAR, CLIMATE}


def test_metadata_given_with_text_and_uploads_fills_what_documents_do_not_say(client):
    r = client.post("/api/analyse", json={"text": "The war.", "outlet": "Daily", "date": "2024-03-01",
                                          "url": "https://daily.example/a?id=3&utm_medium=x#top", "author": "Ann"})
    assert r.status_code == 200, r.text
    assert (r.json()["source"], r.json()["published"], r.json()["url"], r.json()["meta"]["author"]) == \
        ("Daily", "2024-03-01", "https://daily.example/a?id=3", "Ann")
    form = {"outlet": "Given", "date": "2024-04-02", "url": "https://given.example/x?fbclid=1", "author": "Bo"}
    r = client.post("/api/analyse/file", data=form, files={"file": ("note.txt", b"The climate.", "text/plain")})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert (doc["source"], doc["published"], doc["url"], doc["meta"]["author"], doc["meta"]["metadata_from"]) == \
        ("Given", "2024-04-02", "https://given.example/x", "Bo",
         {"source": "flag", "published": "flag", "url": "flag", "author": "flag"})
    # a document's own values win over the ones given with the upload (the CLI's --outlet/--date precedence)
    lines = b'{"id": "own", "text": "The war.", "source": "Own", "date": "2023-01-01"}\n{"id": "bare", "text": "X."}\n'
    job = wait_for(client, client.post("/api/jobs", data=form, files=[("files", ("b.jsonl", lines, "text/plain"))])
                   .json()["id"])
    assert job["analysed"] == 2, job
    own, bare = (client.get(f"/api/documents/{i}").json() for i in ("own", "bare"))
    assert (own["source"], own["published"], own["meta"]["author"]) == ("Own", "2023-01-01", "Bo")
    assert (bare["source"], bare["published"], bare["url"]) == ("Given", "2024-04-02", "https://given.example/x")


@pytest.mark.parametrize("path", ["/api/analyse/file", "/api/jobs"])
@pytest.mark.parametrize("field, value", [("date", "2024-13-01"), ("date", "01/02/2024"), ("outlet", "x" * 256)])
def test_bad_upload_metadata_is_422_naming_the_field(client, path, field, value):
    name = "file" if path.endswith("file") else "files"
    r = client.post(path, data={field: value}, files=[(name, ("a.txt", b"The war.", "text/plain"))])
    assert r.status_code == 422 and r.json()["detail"].startswith(f"{field}: ")
    assert client.get("/api/documents").json()["total"] == 0


def test_analyse_file_with_several_documents_points_to_jobs(client):
    data = b'{"text": "The war."}\n{"text": "The climate."}\n'
    r = client.post("/api/analyse/file", files={"file": ("two.jsonl", data, "application/x-ndjson")})
    assert r.status_code == 422
    assert "POST /api/jobs" in r.json()["detail"]


def test_analyse_unreadable_file_is_422_naming_the_problem(client):
    r = client.post("/api/analyse/file", files={"file": ("bad.txt", b"\xff\xfe\x00binary", "text/plain")})
    assert r.status_code == 422
    assert "bad.txt" in r.json()["detail"]


# ---- jobs ----------------------------------------------------------------------------------------------------------
def test_batch_job_reports_progress_and_problems_and_stores_documents(client):
    lines = [json.dumps({"text": f"Article {i} is about the war.", "source": "feed"}) for i in range(5)]
    data = ("\n".join(lines[:3] + ["{not json"] + lines[3:]) + "\n").encode()
    r = client.post("/api/jobs", files=[("files", ("batch.jsonl", data, "application/x-ndjson")),
                                        ("files", ("one.txt", b"Climate news.", "text/plain"))])
    assert r.status_code == 202, r.text
    assert r.headers["location"] == f"/api/jobs/{r.json()['id']}"
    assert r.json()["total"] is None  # the job reads the files itself, after answering
    job = wait_for(client, r.json()["id"])
    assert job["status"] == "finished" and job["total"] == 7, job
    assert (job["done"], job["analysed"], job["failed"]) == (7, 6, 1)
    assert "batch.jsonl:4" in job["problems"][0]
    assert len(job["document_ids"]) == 6
    assert client.get("/api/documents", params={"outlet": "feed"}).json()["total"] == 5
    assert client.get("/api/jobs").json()[0]["id"] == job["id"]


def test_batch_job_from_json_and_rerun_counts_unchanged(client):
    body = {"documents": [{"text": "The war.", "id": "a"}, {"text": "The climate.", "id": "b"}]}
    first = wait_for(client, client.post("/api/jobs/documents", json=body).json()["id"])
    again = wait_for(client, client.post("/api/jobs/documents", json=body).json()["id"])
    assert (first["analysed"], first["unchanged"]) == (2, 0)
    assert (again["analysed"], again["unchanged"]) == (0, 2)
    assert sorted(again["document_ids"]) == ["a", "b"]


def test_single_analysis_waiting_too_long_for_a_batch_is_503(client, monkeypatch):
    service = client.app.state.analysis
    monkeypatch.setattr(service, "analyse", functools.partial(type(service).analyse, service, wait=0.01))
    with service._lock:  # as while a batch job holds the pipeline
        r = client.post("/api/analyse", json={"text": "The war."})
    assert r.status_code == 503 and r.headers["retry-after"] == "30"
    assert "busy" in r.json()["detail"]
    assert client.post("/api/analyse", json={"text": "The war."}).status_code == 200


def test_a_pipeline_that_cannot_load_is_a_503_and_a_failed_job(make_settings):
    with TestClient(create_app(make_settings(pipeline=PipelineConfig(components=("segmenter", "no-such-analyser"))))) as client:
        r = client.post("/api/analyse", json={"text": "The war."})
        assert r.status_code == 503
        assert "no-such-analyser" in r.json()["detail"]
        job = wait_for(client, client.post("/api/jobs/documents", json={"documents": [{"text": "x"}]}).json()["id"])
        assert job["status"] == "failed" and "cannot be loaded" in job["error"]
        assert client.get("/api/documents").status_code == 200  # browsing still works


def test_a_new_model_for_a_component_the_server_does_not_run_leaves_its_pipeline_working(tmp_path):
    from narrascope.server.analysis import AnalysisService

    with Store(str(tmp_path / "s.db")) as store:
        service = AnalysisService(store, PipelineConfig(components=("segmenter", "sentences")))
        service.use_model("entities", str(tmp_path))
        assert service.analyse(Document("Title\n\nBody."), save=False).spans["segments"]
        assert service.pipeline().config.models == {}  # the run records only what it ran
        service.close()


def test_unknown_job_is_404_json(client):
    r = client.get("/api/jobs/nope")
    assert r.status_code == 404
    assert "nope" in r.json()["detail"]


# ---- documents -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("params, expected", [
    ({}, ["doc-5", "doc-4", "doc-3", "doc-2", "doc-1"]),
    ({"narrative": WAR}, ["doc-4", "doc-2", "doc-1"]),
    ({"narrative": CLIMATE, "language": "en"}, ["doc-2"]),
    ({"outlet": "weekly.example"}, ["doc-4", "doc-3"]),
    ({"since": "2024-01-10", "until": "2024-03-11"}, ["doc-4", "doc-3", "doc-2"]),
    ({"q": "ARTICLE 3"}, ["doc-3"]),
    ({"entity": "nato", "role": "Antagonist"}, ["doc-5", "doc-4", "doc-3", "doc-2", "doc-1"]),
    ({"entity": "Ukraine"}, []),
    ({"narrative": "", "outlet": ""}, ["doc-5", "doc-4", "doc-3", "doc-2", "doc-1"]),
])
def test_list_filters(client, corpus, params, expected):
    page = client.get("/api/documents", params=params).json()
    assert [d["id"] for d in page["items"]] == expected
    assert page["total"] == len(expected)


def test_list_paginates(client, corpus):
    first = client.get("/api/documents", params={"limit": 2}).json()
    second = client.get("/api/documents", params={"limit": 2, "offset": 2}).json()
    assert (first["total"], len(first["items"]), first["limit"], second["offset"]) == (5, 2, 2, 2)
    assert [d["id"] for d in first["items"] + second["items"]] == ["doc-5", "doc-4", "doc-3", "doc-2"]
    assert client.get("/api/documents", params={"limit": 501}).status_code == 422
    assert client.get("/api/documents", params={"offset": -1}).status_code == 422


@pytest.mark.parametrize("params, fragment", [
    ({"since": "2024-13-01"}, "since must be a date"),
    ({"since": "2024-03-01", "until": "2024-01-01"}, "since is after until"),
])
def test_list_rejects_bad_dates(client, params, fragment):
    r = client.get("/api/documents", params=params)
    assert r.status_code == 422
    assert fragment in r.json()["detail"]


def test_unknown_document_is_404_json(client):
    r = client.get("/api/documents/missing")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"detail": "no document with id 'missing'"}


# ---- stats ---------------------------------------------------------------------------------------------------------
def test_label_counts_by_outlet_language_and_period(client, corpus):
    totals = client.get("/api/stats/labels").json()
    assert [(r["label"], r["documents"]) for r in totals] == [(WAR, 3), (CLIMATE, 2)]
    by_outlet = {(r["label"], r["outlet"]): r["documents"] for r in
                 client.get("/api/stats/labels", params={"by": "outlet"}).json()}
    assert by_outlet == {(WAR, "daily.example"): 2, (WAR, "weekly.example"): 1, (CLIMATE, "daily.example"): 1,
                         (CLIMATE, "weekly.example"): 1}
    by_month = {(r["label"], r["period"]): r["documents"] for r in
                client.get("/api/stats/labels", params={"by": "period", "period": "month"}).json()}
    assert by_month == {(WAR, "2024-01-01"): 2, (WAR, "2024-03-01"): 1, (CLIMATE, "2024-01-01"): 1,
                        (CLIMATE, "2024-02-01"): 1}
    assert client.get("/api/stats/labels", params={"by": "colour"}).status_code == 422


def test_field_entity_and_cooccurrence_counts(client, corpus):
    fields = client.get("/api/stats/fields/language").json()
    assert fields[0] == {"value": "en", "documents": 3}
    entities = client.get("/api/stats/entities").json()
    assert entities == [{"entity": "NATO", "role": "Antagonist", "mentions": 5, "documents": 5, "outlet": None,
                         "period": None}]
    assert client.get("/api/stats/cooccurrence").json() == [{"a": CLIMATE, "b": WAR, "documents": 1}]
    assert client.get("/api/stats/cooccurrence", params={"outlet": "weekly.example"}).json() == []
    both = client.get("/api/documents", params={"narrative": CLIMATE, "also_narrative": WAR}).json()
    assert both["total"] == 1 and both["total"] < client.get("/api/documents", params={"narrative": CLIMATE}).json()["total"]


def test_dashboard_aggregates_agree_with_store_queries(client, corpus, settings):
    data = client.get("/api/stats/dashboard", params={"language": "en"}).json()
    assert data["documents"] == 3
    with Store(settings.db_url) as store:
        flt = DocumentFilter(language="en")
        for key, by in (("by_outlet", "outlet"), ("by_language", "language")):
            expected = store.label_counts("narratives", flt, by=by, period="month")
            got = [{k: v for k, v in row.items() if v is not None and k != "share"} for row in data[key]]
            assert sorted(got, key=str) == sorted(expected, key=str), key
        expected = store.label_counts("narratives", flt, by="period", period="month")
        got = [{"label": r["group"], "documents": r["documents"], "period": r["period"]} for r in data["over_time"]]
        assert sorted(got, key=str) == sorted(expected, key=str)
        assert [{"label": r["label"], "documents": r["documents"]} for r in data["narratives"]] == \
            store.label_counts("narratives", flt)


def test_weeks_start_on_monday(corpus, settings):
    with Store(settings.db_url) as store:
        rows = label_breakdown(store, DocumentFilter(outlet="weekly.example"), period="week")["over_time"]
    # 2024-02-05 and 2024-03-11 are Mondays: each is the start of its own week
    assert {r["period"] for r in rows} == {"2024-02-05", "2024-03-11"}


# ---- export --------------------------------------------------------------------------------------------------------
def test_export_every_format(client, corpus):
    jsonl = client.get("/api/export", params={"format": "jsonl", "narrative": WAR})
    assert jsonl.status_code == 200
    assert jsonl.headers["content-type"].startswith("application/x-ndjson")
    assert "attachment" in jsonl.headers["content-disposition"]
    assert sorted(json.loads(line)["id"] for line in jsonl.text.splitlines()) == ["doc-1", "doc-2", "doc-4"]

    rows = list(csv.DictReader(io.StringIO(client.get("/api/export", params={"format": "csv"}).text)))
    assert len(rows) == 5 and rows[0]["id"] == "doc-1"
    semeval = client.get("/api/export", params={"format": "semeval", "outlet": "daily.example"})
    assert semeval.status_code == 200 and len(semeval.text.strip().splitlines()) == 2
    studio = client.get("/api/export", params={"format": "label-studio"})
    assert studio.status_code == 200 and len(json.loads(studio.text)) == 5
    bad = client.get("/api/export", params={"format": "xml"})
    assert bad.status_code == 422


def test_info_reports_pipeline_and_limits(client):
    info = client.get("/api/info").json()
    assert info["analysers"] == ["segmenter", "sentences", "test-framing"]
    assert (info["pipeline_loaded"], info["token_required"], info["documents"]) == (False, False, 0)
    client.post("/api/analyse", json={"text": "The war."})
    assert client.get("/api/info").json()["pipeline_loaded"] is True


# ---- schema, docs, security ----------------------------------------------------------------------------------------
def test_openapi_schema_and_offline_docs(client):
    schema = client.get("/openapi.json").json()
    for path in ("/api/analyse", "/api/analyse/file", "/api/jobs", "/api/jobs/{job_id}", "/api/documents",
                 "/api/documents/{doc_id}", "/api/stats/dashboard", "/api/export"):
        assert path in schema["paths"], path
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower() and "//" not in docs.text.replace("<!doctype", "")
    for asset in ("/static/swagger/swagger-ui-bundle.js", "/static/swagger/swagger-ui.css", "/static/swagger-init.js"):
        assert client.get(asset).status_code == 200, asset


def test_every_response_carries_a_strict_content_security_policy(client):
    csp = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert client.get("/api/documents").headers["x-content-type-options"] == "nosniff"


def test_token_is_required_on_every_request_when_set(make_settings):
    with TestClient(create_app(make_settings(token="s3cret"))) as client:
        for path in ("/api/documents", "/", "/static/style.css", "/openapi.json", "/docs"):
            r = client.get(path)
            assert r.status_code == 401, path
            assert r.json() == {"detail": "missing or invalid API token"}
        assert client.get("/api/documents", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/api/documents", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert client.get("/api/documents", headers={"X-Narrascope-Token": "s3cret"}).status_code == 200
        assert client.post("/api/analyse", json={"text": "x"}).status_code == 401

        # A browser opens the printed address once with ?token=..., then the cookie carries it.
        r = client.get("/documents?token=s3cret&outlet=a", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/documents?outlet=a"
        assert "httponly" in r.headers["set-cookie"].lower()
        assert client.get("/static/style.css").status_code == 200


def test_token_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NARRASCOPE_TOKEN", "from-env")
    monkeypatch.setenv("NARRASCOPE_DB", str(tmp_path / "env.db"))
    from narrascope.server import Settings

    settings = Settings.from_env(pipeline=PipelineConfig(components=("segmenter",)))
    assert settings.token == "from-env" and settings.db_url.endswith("env.db")
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/documents").status_code == 401
        assert client.get("/api/documents", headers={"Authorization": "Bearer from-env"}).status_code == 200


def test_request_body_limit(make_settings):
    with TestClient(create_app(make_settings(max_upload_bytes=1000))) as client:
        r = client.post("/api/analyse", json={"text": "x" * 2000})
        assert r.status_code == 413
        assert "limit of 1,000 bytes" in r.json()["detail"]
        r = client.post("/api/jobs", files={"files": ("big.txt", b"y" * 5000, "text/plain")})
        assert r.status_code == 413

        def chunks():  # no Content-Length: the limit applies while streaming
            for _ in range(10):
                yield b"z" * 500

        r = client.post("/api/analyse", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413


def test_cross_site_writes_are_refused(client):
    r = client.post("/api/analyse", json={"text": "The war."}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    ok = client.post("/api/analyse", json={"text": "The war."}, headers={"Origin": "http://testserver"})
    assert ok.status_code == 200


def test_allowed_hosts_guard_against_dns_rebinding(make_settings):
    with TestClient(create_app(make_settings(allowed_hosts=["127.0.0.1", "localhost"])),
                    base_url="http://localhost") as client:
        assert client.get("/api/documents").status_code == 200
        assert client.get("/api/documents", headers={"Host": "attacker.example"}).status_code == 400



@pytest.mark.postgres
def test_listing_stats_pages_and_export_on_postgresql(postgres_client):
    client = postgres_client
    assert [d["id"] for d in client.get("/api/documents", params={"narrative": WAR}).json()["items"]] == \
        ["doc-4", "doc-2", "doc-1"]
    assert client.get("/api/documents", params={"q": "article 3", "entity": "nato"}).json()["total"] == 1
    data = client.get("/api/stats/dashboard", params={"period": "week"}).json()
    assert data["documents"] == 5
    assert {(r["group"], r["period"]) for r in data["over_time"]} >= {(CLIMATE, "2024-02-05"), (WAR, "2024-03-11")}
    assert data["cooccurrence"] == [{"a": CLIMATE, "b": WAR, "documents": 1}]
    assert "<strong>5</strong> documents match" in client.get("/").text
    assert len(client.get("/api/export", params={"format": "jsonl"}).text.splitlines()) == 5
    analysed = client.post("/api/analyse", json={"text": "The war is here."})
    assert analysed.status_code == 200
    assert client.get(f"/documents/{analysed.json()['id']}").status_code == 200


def test_possible_labels_are_hidden_unless_asked_for(client, settings):
    from narrascope.document import COMMENT_NARRATIVES, NARRATIVES, Document, Label

    doc = Document("A text about the war. More words here.", id="weak")
    doc.cats[NARRATIVES] = [Label(WAR, 0.7, attrs={"display_threshold": 0.4}),
                            Label(CLIMATE, 0.2, attrs={"display_threshold": 0.4})]
    doc.cats[COMMENT_NARRATIVES] = [Label(CLIMATE, 0.3, attrs={"display_threshold": 0.4})]
    with Store(settings.db_url) as store:
        store.save([doc], pipeline_signature="t")
    shown = client.get("/api/documents/weak").json()["cats"]
    assert [lab["name"] for lab in shown["narratives"]] == [WAR] and shown["comment_narratives"] == []
    assert shown["narratives"][0]["possible"] is False
    everything = client.get("/api/documents/weak", params={"possible": "true"}).json()["cats"]
    assert [(lab["name"], lab["possible"]) for lab in everything["narratives"]] == [(WAR, False), (CLIMATE, True)]
    assert everything["comment_narratives"][0]["possible"] is True


def save_shown_and_possible(db_url: str) -> None:
    """One document with a shown narrative, a possible one (below its display threshold) and a comment narrative."""
    from narrascope.document import COMMENT_NARRATIVES, NARRATIVES, Document, Label

    doc = Document("Article about the war.", id="weak", source="daily.example", language="en")
    doc.cats[NARRATIVES] = [Label(WAR, 0.9, [], {"display_threshold": 0.4}),
                            Label(CLIMATE, 0.2, [], {"display_threshold": 0.4})]
    doc.cats[COMMENT_NARRATIVES] = [Label(WAR, 0.8, [], {"display_threshold": 0.4})]
    with Store(db_url) as store:
        store.save([doc], pipeline_signature="t")


def test_list_and_stats_count_only_shown_narratives_unless_possible(tmp_path, database_url):
    save_shown_and_possible(database_url)
    with TestClient(create_app(settings_for(tmp_path, db_url=database_url))) as client:
        hidden = client.get("/api/documents", params={"narrative": CLIMATE}).json()
        assert hidden["total"] == 0 and hidden["possible"] is False
        found = client.get("/api/documents", params={"narrative": CLIMATE, "possible": "true"}).json()
        assert [d["id"] for d in found["items"]] == ["weak"] and found["possible"] is True
        assert [n["name"] for n in client.get("/api/documents").json()["items"][0]["narratives"]] == [WAR]
        assert client.get("/api/stats/labels").json() == [{"label": WAR, "documents": 1, "share": None, "period": None, "outlet": None,
                                                          "language": None}]
        assert len(client.get("/api/stats/labels", params={"possible": "true"}).json()) == 2
        dashboard = client.get("/api/stats/dashboard").json()
        assert [r["label"] for r in dashboard["narratives"]] == [WAR] and dashboard["possible"] is False
        assert len(client.get("/api/stats/dashboard", params={"possible": "true"}).json()["narratives"]) == 2
