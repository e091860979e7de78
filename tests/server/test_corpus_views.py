"""Corpus views of issue 15: documents (not labels) per narrative, outlet, language and period, a comparison of two
sides, CSV downloads and search, with the same numbers from the CLI, the REST API and the web UI."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date

import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.document import Document
from narrascope.store import Store
from tests.server.conftest import CLIMATE, WAR, corpus_document, save_corpus
from tests.store.test_search import drought_articles

runner = CliRunner()


def cli_json(db: str, *args: str) -> dict:
    result = runner.invoke(app, [*args, "--db", db, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def views_corpus(settings):
    """The five-document corpus plus one undated document and one of no known outlet (both carrying WAR)."""
    docs = save_corpus(settings.db_url)
    extra = [corpus_document(6, "NATO again in article 6. The war goes on.", source="daily.example", language="en",
                             published=None, narratives=[WAR]),
             corpus_document(7, "Article 7 has no outlet. War and climate.", source=None, language="en",
                             published=date(2024, 1, 10), narratives=[WAR, CLIMATE])]
    with Store(settings.db_url) as store:
        store.save(extra, pipeline_signature="test")
    return docs + extra


@pytest.mark.parametrize("by, view", [("narrative", "narratives"), ("outlet", "outlets"), ("language", "languages"),
                                      ("month", "time"), ("week", "time"), ("day", "time"), ("pair", "pairs")])
def test_cli_and_api_give_the_same_rows(client, views_corpus, settings, by, view):
    params = {"period": by} if view == "time" else {}
    api = client.get(f"/api/stats/views/{view}", params=params).json()
    cli = cli_json(settings.db_url, "query", "--by", by)
    assert (cli["documents"], cli["undated"], cli["columns"], cli["rows"]) == \
        (api["documents"], api["undated"], api["columns"], api["rows"])
    downloaded = client.get(f"/api/stats/views/{view}", params={**params, "format": "csv"})
    assert downloaded.headers["content-type"].startswith("text/csv")
    assert downloaded.text == runner.invoke(app, ["query", "--by", by, "--db", settings.db_url, "--csv"]).stdout


def test_counts_are_documents_and_shares_are_of_the_outlets_documents(client, views_corpus, settings):
    data = client.get("/api/stats/dashboard").json()
    assert data["documents"] == 7
    assert {r["label"]: r["documents"] for r in data["narratives"]} == {WAR: 5, CLIMATE: 3}
    assert {r["outlet"]: r["documents"] for r in data["outlets"]} == {"daily.example": 3, "weekly.example": 2,
                                                                       "other.example": 1, None: 1}
    shares = {(r["outlet"], r["label"]): (r["documents"], r["share"]) for r in data["by_outlet"]}
    assert shares["daily.example", WAR] == (3, 1.0) and shares["daily.example", CLIMATE] == (1, pytest.approx(1 / 3))
    # With a narrative filter, the share stays one of all the outlet's documents (not of those carrying it)
    narrowed = client.get("/api/stats/dashboard", params={"narrative": CLIMATE}).json()
    assert narrowed["documents"] == 3
    assert {(r["outlet"], r["label"]): r["share"] for r in narrowed["by_outlet"]}["weekly.example", CLIMATE] == 0.5
    cli = cli_json(settings.db_url, "query", "--by", "outlet", "--narrative", CLIMATE)
    assert {(r["outlet"], r["label"]): r["share"] for r in cli["rows"]}["weekly.example", CLIMATE] == 0.5


def test_time_axis_is_real_with_gaps_and_says_what_it_leaves_out(client, views_corpus):
    data = client.get("/api/stats/dashboard", params={"period": "week"}).json()
    weeks = [p["period"] for p in data["periods"]]
    assert weeks[0] == "2024-01-01" and weeks[-1] == "2024-03-25" and len(weeks) == 13  # every week, empty ones too
    assert {p["period"]: p["documents"] for p in data["periods"]}["2024-02-19"] == 0
    assert data["undated"] == 1
    page = client.get("/", params={"period": "week"}).text
    time_chart = page.split('id="chart-time"')[1].split("</svg>")[0]
    assert time_chart.count(">2024-") >= 7  # labelled weeks along the axis, gaps included
    assert "1 undated documents not shown" in page
    by_outlet = client.get("/api/stats/dashboard", params={"stack": "outlet"}).json()["over_time"]
    assert {(r["period"], r["group"]): r["documents"] for r in by_outlet}[("2024-01-01", "daily.example")] == 2


def test_without_dates_the_time_chart_says_why(client, settings):
    doc = corpus_document(1, "Undated war article.", source="a.example", language="en", published=None,
                          narratives=[WAR])
    with Store(settings.db_url) as store:
        store.save([doc], pipeline_signature="t")
    page = client.get("/").text
    time_card = page.split('id="chart-time"')[1].split("</section>")[0]
    assert "None of the 1 matching documents has a publication date" in time_card and "No data." not in time_card
    assert "undated documents not shown" not in page


def test_the_unknown_outlet_is_shown_apart_from_the_outlet_chart(client, views_corpus):
    page = client.get("/").text
    chart = page.split('id="chart-outlet"')[1].split("</svg>")[0]
    assert "unknown" not in chart and "daily.example" in chart
    assert "1 documents without a known outlet" in page
    assert re.search(r'<tr class="unknown"><td>unknown outlet</td>', page)


def test_ui_shows_the_numbers_of_the_api(client, views_corpus):
    data = client.get("/api/stats/dashboard").json()
    page = client.get("/").text
    for row in data["narratives"]:
        assert f'{row["label"]} <span class="count">{row["documents"]}</span>' in page
    outlets = {r["outlet"]: r["documents"] for r in data["outlets"]}
    for row in data["by_outlet"]:
        if row["outlet"]:
            assert f'title="{row["documents"]} of {outlets[row["outlet"]]} documents">' \
                   f'<a href="' in page
            assert f'>{row["share"] * 100:.0f}%</a>' in page


def test_every_view_is_a_shareable_address_and_a_csv_download(client, views_corpus):
    page = client.get("/", params={"language": "en", "period": "week", "stack": "outlet"}).text
    links = {m for m in re.findall(r'href="(/api/stats/views/[^"]+)"', page)}
    assert len(links) == 5 and all("language=en" in link and "format=csv" in link for link in links)
    time_csv = client.get(html.unescape(next(link for link in links if "/time?" in link))).text
    rows = list(csv.DictReader(io.StringIO(time_csv)))
    assert rows[0]["period"] == "2024-01-01" and {"daily.example", "unknown"} <= set(rows[0])
    week_link = re.search(r'href="\?([^"]*period=week[^"]*)"', client.get("/", params={"language": "en"}).text)
    assert week_link and "language=en" in html.unescape(week_link.group(1))


def test_compare_two_outlets_or_periods_agrees_across_cli_api_and_ui(client, views_corpus, settings):
    params = {"a": "outlet:daily.example", "b": "outlet:weekly.example"}
    api = client.get("/api/stats/compare", params=params).json()
    assert (api["a"]["documents"], api["b"]["documents"]) == (3, 2)
    war = next(r for r in api["rows"] if r["label"] == WAR)
    assert (war["a_documents"], war["b_documents"], war["difference"]) == (3, 1, -50.0)
    cli = cli_json(settings.db_url, "compare", params["a"], params["b"])
    assert cli["rows"] == api["rows"] and cli["a"] == api["a"]
    page = client.get("/compare", params=params).text
    assert "3 documents" in page and "-50.0" in page and 'value="outlet:daily.example"' in page
    csv_rows = list(csv.DictReader(io.StringIO(client.get("/api/stats/compare", params={**params, "format": "csv"}).text)))
    assert {r["label"]: r["difference"] for r in csv_rows}[WAR] == "-50.0"
    periods = client.get("/api/stats/compare", params={"a": "2024-01", "b": "2024-02..2024-03"}).json()
    assert (periods["a"]["documents"], periods["b"]["documents"]) == (3, 3)
    assert client.get("/api/stats/compare", params={"a": "outlet:", "b": "2024-13"}).status_code == 400
    bad = runner.invoke(app, ["compare", "someday", "2024", "--db", settings.db_url])
    assert bad.exit_code == 2 and "outlet:NAME" in bad.output


def test_search_in_api_and_ui_with_escaped_highlighted_snippets(client, views_corpus, settings):
    hostile = Document("Intro. The <script>alert(1)</script> climate hoax story.", id="hostile", title="<b>T</b>",
                       source="daily.example", language="en", published=date(2024, 1, 5))
    with Store(settings.db_url) as store:
        store.save([hostile], pipeline_signature="t")
    found = client.get("/api/documents", params={"q": '"climate hoax" OR nothingelse'}).json()
    assert [d["id"] for d in found["items"]] == ["hostile"]
    assert [p["text"] for p in found["items"][0]["snippet"] if p["match"]] == ["climate hoax"]
    page = client.get("/documents", params={"q": '"climate hoax"'}).text
    assert "<mark>climate hoax</mark>" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert client.get("/api/documents", params={"q": "climate -hoax"}).json()["total"] == 1
    assert client.get("/api/stats/dashboard", params={"q": "climate -hoax"}).json()["documents"] == 1
    bad = client.get("/api/documents", params={"q": '"climate'})
    assert bad.status_code == 400 and "unclosed quote" in bad.json()["detail"]
    cli = runner.invoke(app, ["list", "--db", settings.db_url, "--text", "OR climate"])
    assert cli.exit_code == 2 and "OR needs" in cli.output


@pytest.mark.postgres
def test_views_compare_and_search_on_postgresql(postgres_client):
    client = postgres_client
    data = client.get("/api/stats/dashboard", params={"period": "week"}).json()
    assert data["documents"] == 5 and len(data["periods"]) == 13 and data["undated"] == 0
    outlets = client.get("/api/stats/views/outlets").json()
    assert {(r["outlet"], r["label"]): r["share"] for r in outlets["rows"]}[("daily.example", WAR)] == 1.0
    compared = client.get("/api/stats/compare", params={"a": "2024-01", "b": "2024-03"}).json()
    assert (compared["a"]["documents"], compared["b"]["documents"]) == (2, 2)
    found = client.get("/api/documents", params={"q": '"article 3" OR "article 4" -nothing'}).json()
    assert sorted(d["id"] for d in found["items"]) == ["doc-3", "doc-4"]
    assert client.get("/api/documents", params={"q": "NOT"}).status_code == 400


def _save_drought_articles(db_url: str) -> None:
    with Store(db_url) as store:
        store.save(drought_articles(), pipeline_signature="t")


def test_search_by_relevance_in_cli_api_and_ui(client, settings):
    _save_drought_articles(settings.db_url)
    ids = lambda found: [d["id"] for d in found]  # noqa: E731
    assert ids(client.get("/api/documents", params={"q": "drought"}).json()["items"]) == ["new", "mid", "old"]
    ranked = client.get("/api/documents", params={"q": "drought", "sort": "relevance"}).json()["items"]
    assert ids(ranked) == ["old", "mid", "new"]
    assert client.get("/api/documents", params={"q": "drought", "sort": "oldest"}).status_code == 422
    assert ids(cli_json(settings.db_url, "list", "--text", "drought", "--sort", "relevance")["documents"]) == \
        ["old", "mid", "new"]
    assert ids(cli_json(settings.db_url, "list", "--text", "drought")["documents"]) == ["new", "mid", "old"]
    bad = runner.invoke(app, ["list", "--db", settings.db_url, "--text", "drought", "--sort", "best"])
    assert bad.exit_code == 2 and "choose one of newest, relevance" in bad.output
    page = client.get("/documents", params={"q": "drought", "sort": "relevance"}).text
    assert '<option value="relevance" selected>' in page
    assert re.findall(r'href="/documents/(old|mid|new)"', page) == ["old", "mid", "new"]
    assert 'name="sort"' not in client.get("/").text  # the dashboard counts; it has nothing to order


@pytest.mark.postgres
def test_search_by_relevance_on_postgresql(postgres_client, postgres_settings):
    _save_drought_articles(postgres_settings.db_url)
    ranked = postgres_client.get("/api/documents", params={"q": "drought", "sort": "relevance"}).json()["items"]
    assert [d["id"] for d in ranked] == ["old", "mid", "new"]
    newest = postgres_client.get("/api/documents", params={"q": "drought"}).json()["items"]
    assert [d["id"] for d in newest] == ["new", "mid", "old"]
