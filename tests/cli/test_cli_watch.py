"""URLs and feeds through the real CLI against a local HTTP server: analyze URL..., watch --once, no duplicates
across polls, conditional requests, failures named url: reason."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.ingest.feeds import parse_interval, read_feed_list
from narrascope.store import Store
from tests.local_web import local_web

FAST = ["--skip", "narratives", "--skip", "entities", "--skip", "techniques", "--delay", "0", "--retries", "0"]
runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def web():
    with local_web() as server:
        yield server


def test_analyze_urls_stores_pages_and_names_each_failure(web, tmp_path):
    db = str(tmp_path / "u.db")
    good, missing = web.url("/harbour-flooding.html"), web.url("/missing")
    result = invoke("analyze", good, missing, "--db", db, *FAST, "--workers", "1", "--json",
                    "--contact", "desk@newsroom.example")
    assert result.exit_code == 3
    assert f"{missing}: HTTP 404 Not Found" in " ".join(result.output.split())
    with Store(db) as store:
        doc = store.get(good)
        assert doc is not None and doc.url == good and doc.source == "127.0.0.1"
    assert "+desk@newsroom.example" in dict(web.requests)["/harbour-flooding.html"]["user-agent"]


def test_watch_once_analyses_new_items_and_a_second_poll_fetches_nothing_again(web, tmp_path):
    db = str(tmp_path / "w.db")
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# test feeds\n{web.url('/rss.xml')}\n{web.url('/atom.xml')}\n", encoding="utf-8")
    first = invoke("watch", feeds, "--once", "--db", db, *FAST)
    assert first.exit_code == 0, first.output
    assert "2 new articles analysed, 0 failed" in " ".join(first.output.split())
    with Store(db) as store:
        assert store.count() == 2
        blackout = store.get(web.url("/grid-blackout.html"))
        assert (str(blackout.published), blackout.meta["author"], blackout.meta["feed"]) == \
            ("2025-11-03", "T Brandt", web.url("/atom.xml"))
    state = json.loads((tmp_path / "w.db.watch.json").read_text())
    assert state["validators"][web.url("/rss.xml")] == {"etag": '"/rss.xml-v1"'}
    pages = web.hits.copy()
    second = invoke("watch", feeds, "--once", "--db", db, *FAST)
    assert second.exit_code == 0 and "0 new articles analysed" in second.output
    assert web.hits["/harbour-flooding.html"] == pages["/harbour-flooding.html"] == 1
    assert [h.get("if-none-match") for p, h in web.requests if p == "/rss.xml"] == [None, '"/rss.xml-v1"']
    with Store(db) as store:
        assert store.count() == 2


def test_a_new_item_is_picked_up_and_a_failed_one_is_tried_again(web, tmp_path):
    db = str(tmp_path / "w.db")
    feed = web.url("/live.xml")
    items = [web.url("/harbour-flooding.html"), web.url("/broken")]
    rss = ("<?xml version='1.0'?><rss version='2.0'><channel><title>Live</title>"
           + "".join(f"<item><title>{u}</title><link>{u}</link></item>" for u in items) + "</channel></rss>")
    web.pages["/live.xml"] = (200, {"Content-Type": "application/rss+xml", "ETag": '"live"'}, rss.encode())
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"{feed}\n{web.url('/missing')}\n{web.url('/harbour-flooding.html')}\n", encoding="utf-8")
    first = invoke("watch", feeds, "--once", "--db", db, *FAST)
    output = " ".join(first.output.split())
    assert first.exit_code == 3
    assert f"{web.url('/broken')}: HTTP 500 Internal Server Error; gave up after 1 try" in output
    assert f"{web.url('/missing')}: HTTP 404 Not Found" in output
    assert f"{web.url('/harbour-flooding.html')}: not an RSS or Atom feed" in output
    broken_tries = web.hits["/broken"]
    # the feed has not changed, but its failed item is tried again (its validators were not kept)
    invoke("watch", feeds, "--once", "--db", db, *FAST)
    assert web.hits["/broken"] == 2 * broken_tries
    assert web.hits["/harbour-flooding.html"] == 3  # the page once, as a (bad) feed twice
    with Store(db) as store:
        assert store.count() == 1


def test_feed_lists_and_intervals():
    assert parse_interval("30m") == 1800 and parse_interval("1h30m") == 5400 and parse_interval("90s") == 90
    for bad in ("", "10", "0m", "1d", "30s"):
        with pytest.raises(ValueError):
            parse_interval(bad)


def test_a_bad_feed_list_line_is_named(tmp_path):
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("http://127.0.0.1:1/rss.xml\n\nfeeds.example/rss\n", encoding="utf-8")
    found, errors = read_feed_list(feeds)
    assert found == ["http://127.0.0.1:1/rss.xml"]
    assert [str(e) for e in errors] == [f"{feeds}:3: not an http(s) feed URL: 'feeds.example/rss'"]
    result = invoke("watch", feeds, "--once", "--db", tmp_path / "x.db")
    assert result.exit_code == 2


def test_an_article_two_feeds_list_with_different_tracking_parameters_is_fetched_and_stored_once(web, tmp_path):
    db = str(tmp_path / "w.db")
    page = web.url("/harbour-flooding.html")
    for name, query in (("/a.xml", "?utm_source=a&utm_medium=rss"), ("/b.xml", "?utm_source=b&fbclid=x#top")):
        rss = ("<?xml version='1.0'?><rss version='2.0'><channel><title>Feed</title>"
               f"<item><title>Harbour</title><link>{page}{query.replace('&', '&amp;')}</link></item></channel></rss>")
        web.pages[name] = (200, {"Content-Type": "application/rss+xml"}, rss.encode())
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"{web.url('/a.xml')}\n{web.url('/b.xml')}\n", encoding="utf-8")
    result = invoke("watch", feeds, "--once", "--db", db, *FAST)
    assert result.exit_code == 0, result.output
    assert "1 new articles analysed" in " ".join(result.output.split())
    assert web.hits["/harbour-flooding.html"] == 1
    assert not [p for p in web.paths() if "utm_" in p or "fbclid" in p]
    with Store(db) as store:
        assert store.count() == 1
        assert store.get(page).url == page
