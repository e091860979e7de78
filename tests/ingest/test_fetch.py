"""The polite fetcher against a real HTTP server on 127.0.0.1: identity, robots.txt, rate limit, retries and
backoff, Retry-After, conditional requests, size and time caps, redirect limits, and failures named url: reason."""

from __future__ import annotations

import time
from datetime import date

import pytest

from narrascope.document import Document
from narrascope.ingest import IngestError, IngestOptions, read_documents
from narrascope.ingest.fetch import Fetcher, FetchFailed, FetchPolicy
from tests.local_web import local_web

# Small caps so that every test is quick.
FAST = FetchPolicy(contact="https://newsroom.example/bot", timeout=0.3, deadline=5, max_bytes=100_000, retries=2,
                   backoff=0.01, max_wait=2, host_interval=0)


@pytest.fixture(scope="module")
def web():
    with local_web() as server:
        yield server


@pytest.fixture
def waits():
    return []


@pytest.fixture
def fetcher(waits):
    """A fetcher whose waits are recorded, and kept short so the tests stay fast."""
    with Fetcher(FAST, sleep=lambda s: (waits.append(s), time.sleep(min(s, 0.01)))) as f:
        yield f


def failure(fetcher, url, **kwargs) -> str:
    with pytest.raises(FetchFailed) as caught:
        fetcher.get(url, **kwargs)
    assert str(caught.value).startswith(f"{url}: ")
    return caught.value.reason


def test_a_page_is_fetched_with_an_identifying_user_agent_after_reading_robots_txt(web, fetcher):
    fetched = fetcher.get(web.url("/harbour-flooding.html"))
    assert fetched.status == 200 and b"Harbour district floods" in fetched.content
    agent = dict(web.requests)["/harbour-flooding.html"]["user-agent"]
    assert agent.startswith("narrascope/") and "+https://newsroom.example/bot" in agent
    assert "/robots.txt" in web.paths()


def test_robots_txt_is_obeyed_even_through_a_redirect(web, fetcher):
    assert "disallowed by" in failure(fetcher, web.url("/private/page.html"))
    assert "redirected to" in failure(fetcher, web.url("/to-private"))
    assert "/private/page.html" not in web.paths()


def test_an_unreadable_robots_txt_disallows_the_site(web, waits):
    web.pages["/robots.txt"] = (503, {}, b"")
    try:
        with Fetcher(FAST, sleep=waits.append) as fetcher:
            reason = failure(fetcher, web.url("/harbour-flooding.html"))
    finally:
        del web.pages["/robots.txt"]
    assert "robots.txt could not be read (HTTP 503" in reason and "disallowing everything" in reason


def test_a_crawl_delay_in_robots_txt_spaces_requests(web, waits):
    web.pages["/robots.txt"] = (200, {"Content-Type": "text/plain"}, b"User-agent: narrascope\nCrawl-delay: 2\n")
    try:
        with Fetcher(FAST, sleep=waits.append) as fetcher:
            fetcher.get(web.url("/harbour-flooding.html"))
            fetcher.get(web.url("/grid-blackout.html"))
    finally:
        del web.pages["/robots.txt"]
    assert len(waits) == 2 and all(1.5 < w <= 2 for w in waits)


def test_404_and_500_are_named_and_5xx_is_retried_with_exponential_backoff(web, fetcher, waits):
    assert failure(fetcher, web.url("/missing")) == "HTTP 404 Not Found"
    assert web.hits["/missing"] == 1  # a 404 is not retried
    assert failure(fetcher, web.url("/broken")) == "HTTP 500 Internal Server Error; gave up after 3 tries"
    assert web.hits["/broken"] == 3 and waits == [0.01, 0.02]
    assert fetcher.get(web.url("/flaky")).content == b"Flaky\n\nFine now."


def test_429_waits_as_long_as_retry_after_asks_within_the_cap(web, fetcher, waits):
    assert fetcher.get(web.url("/busy")).content.startswith(b"Busy")
    assert waits == [1.0]
    reason = failure(fetcher, web.url("/very-busy"))
    assert reason == ("HTTP 429 Too Many Requests; the server asks to wait 3600 s, longer than the 2 s this fetcher "
                      "waits")
    assert web.hits["/very-busy"] == 1


def test_slow_answers_time_out_and_are_retried(web, fetcher):
    started = time.monotonic()
    assert failure(fetcher, web.url("/slow")).startswith("timed out (no answer within 0.3 s); gave up after 3 tries")
    assert time.monotonic() - started < 3


def test_a_whole_fetch_is_capped_in_time(web):
    with Fetcher(FetchPolicy(timeout=5, deadline=0.5, host_interval=0, retries=0)) as fetcher:
        reason = failure(fetcher, web.url("/slow"))
    assert reason.startswith("timed out (no answer within 0.") and reason.endswith("; gave up after 1 try")


def test_bodies_over_the_size_cap_are_not_read_whole(web, fetcher):
    assert failure(fetcher, web.url("/huge")) == "body is larger than the limit of 100,000 bytes; stopped reading"
    assert failure(fetcher, web.url("/declared-huge")) == ("body of 50,000,000 bytes is larger than the limit of "
                                                           "100,000 bytes")


def test_redirects_are_followed_and_limited(web, fetcher):
    assert fetcher.get(web.url("/moved")).final_url == web.url("/harbour-flooding.html")
    reason = failure(fetcher, web.url("/loop-a"))
    assert reason.startswith("more than 5 redirects (a redirect loop?)")


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "javascript:alert(1)"])
def test_only_http_and_https(fetcher, url):
    assert failure(fetcher, url).startswith("only http and https URLs are fetched")


def test_conditional_get_remembers_etags(web, fetcher):
    url = web.url("/rss.xml")
    first = fetcher.get(url, conditional=True)
    assert first.status == 200 and fetcher.validators[url] == {"etag": '"/rss.xml-v1"'}
    again = fetcher.get(url, conditional=True)
    assert again.not_modified and again.content == b""
    assert [h.get("if-none-match") for p, h in web.requests if p == "/rss.xml"][-2:] == [None, '"/rss.xml-v1"']


def test_conditional_get_remembers_last_modified(web, fetcher):
    stamp = "Sun, 02 Nov 2025 08:30:00 GMT"
    web.pages["/dated.xml"] = (200, {"Content-Type": "application/rss+xml", "Last-Modified": stamp}, b"<rss/>")
    url = web.url("/dated.xml")
    fetcher.get(url, conditional=True)
    fetcher.get(url, conditional=True)
    assert [h.get("if-modified-since") for p, h in web.requests if p == "/dated.xml"] == [None, stamp]
    assert fetcher.validators[url] == {"last_modified": stamp}


def test_requests_to_one_host_are_spaced(web, waits):
    with Fetcher(FetchPolicy(host_interval=0.5, timeout=1), sleep=waits.append) as fetcher:
        fetcher.get(web.url("/harbour-flooding.html"))
        fetcher.get(web.url("/grid-blackout.html"))
    assert len(waits) == 2 and all(0.3 < w <= 0.5 for w in waits)  # after robots.txt, and between the pages


def test_urls_are_analysable_input_and_each_failure_is_named_without_stopping(web):
    urls = [web.url("/harbour-flooding.html"), web.url("/missing"), web.url("/image.png"),
            web.url("/private/page.html"), web.url("/grid-blackout.html")]
    items = list(read_documents(urls, IngestOptions(fetch=FAST)))
    docs = [i for i in items if isinstance(i, Document)]
    errors = {str(i) for i in items if isinstance(i, IngestError)}
    assert [d.id for d in docs] == [urls[0], urls[4]]
    assert errors == {f"{urls[1]}: HTTP 404 Not Found", f"{urls[2]}: not a web page or text (content type image/png)",
                      f"{urls[3]}: is disallowed by {web.base}/robots.txt"}
    harbour = docs[0]
    assert "Streets in the harbour district" in harbour.text and harbour.url == urls[0]
    assert (harbour.source, harbour.published, harbour.meta["author"]) == ("127.0.0.1", date(2025, 11, 2),
                                                                            "Mira Castell")
    assert harbour.meta["site_name"] == "Coastline Courier"


def test_pages_in_other_character_sets_are_decoded_as_they_declare(web):
    sentence = "Санкции ударят по Европе, заявил аналитик. "
    text = "<html><head>{}</head><body><article><p>" + sentence * 5 + "</p></article></body></html>"
    web.pages["/cp1251-header.html"] = (200, {"Content-Type": "text/html; charset=windows-1251"},
                                        text.format("").encode("cp1251"))
    web.pages["/cp1251-meta.html"] = (200, {"Content-Type": "text/html"},
                                      text.format('<meta charset="windows-1251">').encode("cp1251"))
    urls = [web.url("/cp1251-header.html"), web.url("/cp1251-meta.html")]
    docs = list(read_documents(urls, IngestOptions(fetch=FAST)))
    assert all(isinstance(d, Document) and "Санкции ударят по Европе" in d.text for d in docs)
