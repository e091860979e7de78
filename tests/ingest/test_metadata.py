"""Document metadata: registered domains, sidecar files, run-wide defaults, their precedence, and updating stored
metadata without analysing again."""

from __future__ import annotations

from datetime import date

import pytest

from narrascope.document import Document
from narrascope.ingest import id_for_url, parse_bytes, read_documents
from narrascope.ingest.metadata import RunMetadata, Sidecar, clean_url, registered_domain
from narrascope.pipeline import load_pipeline, register_analyser
from narrascope.runner import analyse_into_store
from narrascope.store import Store


@pytest.mark.parametrize("url, domain", [
    ("https://www.bbc.co.uk/news/world-1", "bbc.co.uk"),
    ("https://g1.globo.com.br/politica/x", "globo.com.br"),
    ("http://news.example.com.ua/a?b=1", "example.com.ua"),
    ("https://www.kyivpost.com/post/1", "kyivpost.com"),
    ("https://edition.cnn.com", "cnn.com"),
    ("https://ria.ru/20240101/x.html", "ria.ru"),
    ("https://WWW.Lemonde.FR./article", "lemonde.fr"),
    ("https://someone.substack.com/p/post", "someone.substack.com"),
    ("https://gazeta.kyiv.ua/news", "gazeta.kyiv.ua"),
    ("http://127.0.0.1:8000/page.html", "127.0.0.1"),
    ("http://localhost/x", "localhost"),
    ("not a url", None),
])
def test_registered_domain_knows_multi_label_suffixes(url, domain):
    assert registered_domain(url) == domain


@pytest.mark.parametrize("url, clean", [
    ("https://a.example/news/1?utm_source=rss&utm_medium=feed", "https://a.example/news/1"),
    ("https://a.example/p?id=7&utm_campaign=x&page=2#comments", "https://a.example/p?id=7&page=2"),
    ("https://a.example/p?fbclid=AbC&z=1&gclid=9&a=2&mc_cid=1&mc_eid=2&igshid=q&ref_src=twsrc", "https://a.example/p?z=1&a=2"),
    ("https://a.example/p?UTM_Source=x&q=a%20b&flag", "https://a.example/p?q=a%20b&flag"),
    ("https://a.example/p?reference=1&utmost=2", "https://a.example/p?reference=1&utmost=2"),
    ("https://a.example/p#top", "https://a.example/p"),
    ("https://a.example/p", "https://a.example/p"),
])
def test_clean_url_drops_tracking_parameters_and_fragment_and_keeps_the_rest_in_order(url, clean):
    assert clean_url(url) == clean


def test_stored_url_and_id_of_a_page_carry_no_tracking_parameters(tmp_path):
    tracked = "https://www.bbc.co.uk/news/1?utm_source=twitter&fbclid=x#top"
    assert id_for_url(tracked) == id_for_url("https://www.bbc.co.uk/news/1") == "https://www.bbc.co.uk/news/1"
    record = b'{"id": "r1", "text": "Body.", "url": "https://www.bbc.co.uk/news/1?utm_source=twitter&id=2"}'
    doc = next(parse_bytes("in.jsonl", record))
    assert (doc.url, doc.source) == ("https://www.bbc.co.uk/news/1?id=2", "bbc.co.uk")
    page = next(parse_bytes("page.html", b"<html><body><p>Body of a page.</p></body></html>", file_id=tracked,
                            url=tracked))
    assert page.url == "https://www.bbc.co.uk/news/1"


def _folder(tmp_path):
    folder = tmp_path / "articles"
    (folder / "a").mkdir(parents=True)
    (folder / "a" / "one.txt").write_text("One\n\nBody one.", encoding="utf-8")
    (folder / "two.txt").write_text("Two\n\nBody two.", encoding="utf-8")
    (folder / "three.txt").write_text("Three\n\nBody three.", encoding="utf-8")
    return folder


def test_sidecar_by_path_and_id_with_flags_as_defaults(tmp_path):
    folder = _folder(tmp_path)
    (folder / "meta.csv").write_text(
        "Path, id,Outlet,date,url,author\n"
        "a/one.txt,,Daily One,2024-03-05,,Ann Lee\n"
        ",two.txt,,2024-03-06,https://www.bbc.co.uk/news/2,\n", encoding="utf-8")
    sidecar, errors = Sidecar.read(folder / "meta.csv")
    assert not errors
    run = RunMetadata(sidecar, outlet="Fallback", published=date(2020, 1, 1))
    docs = {d.id: d for d in run.stream(read_documents(folder))}
    assert (docs["one.txt"].source, docs["one.txt"].published, docs["one.txt"].meta["author"]) == \
        ("Daily One", date(2024, 3, 6 - 1), "Ann Lee")
    # a run-wide --outlet fills what the sidecar leaves empty, before the URL's domain would
    assert (docs["two.txt"].source, docs["two.txt"].published) == ("Fallback", date(2024, 3, 6))
    assert (docs["three.txt"].source, docs["three.txt"].published) == ("Fallback", date(2020, 1, 1))
    assert sidecar.unused() == []


def test_outlet_defaults_to_the_urls_domain_and_the_document_beats_flags(tmp_path):
    record = b'{"id": "r1", "text": "Some text.", "url": "https://www.theguardian.co.uk/x", "author": "Bo"}\n' \
             b'{"id": "r2", "text": "More text.", "outlet": "Own Outlet", "date": "2023-02-01"}\n'
    docs = {d.id: d for d in RunMetadata(outlet=None, published=date(2020, 1, 1)).stream(
        parse_bytes("in.jsonl", record))}
    assert docs["r1"].source == "theguardian.co.uk"
    assert docs["r1"].meta["metadata_from"] == {"source": "url", "published": "flag"}
    assert docs["r1"].meta["author"] == "Bo" and docs["r1"].published == date(2020, 1, 1)
    flagged = {d.id: d for d in RunMetadata(outlet="Flag").stream(parse_bytes("in.jsonl", record))}
    assert flagged["r1"].source == "Flag" and flagged["r1"].meta["metadata_from"] == {"source": "flag"}
    assert flagged["r2"].source == "Own Outlet" and flagged["r2"].published == date(2023, 2, 1)


def test_html_metadata_author_url_and_outlet_from_the_page(tmp_path):
    html = (b'<html><head><title>Strike</title><meta name="author" content="Jane Roe">'
            b'<meta property="og:site_name" content="Example Daily">'
            b'<link rel="canonical" href="https://www.example.com.br/news/strike">'
            b'<meta property="article:published_time" content="2024-03-05T10:00:00Z"></head><body><article>'
            b'<h1>Strike</h1><p>' + b"A missile hit the central market on Saturday morning, officials said. " * 5 +
            b'</p></article></body></html>')
    doc = next(parse_bytes("page.html", html))
    assert (doc.source, doc.url, doc.published) == ("example.com.br", "https://www.example.com.br/news/strike",
                                                     date(2024, 3, 5))
    assert doc.meta["author"] == "Jane Roe" and doc.meta["site_name"] == "Example Daily"
    without_url = next(parse_bytes("page.html", html.replace(b'rel="canonical"', b'rel="alternate"')))
    assert (without_url.source, without_url.url) == ("Example Daily", None)


@pytest.mark.parametrize("content, suffix, message", [
    ("id,outlet,date\nx.txt,A,2024-13-01\n", ".csv", "meta.csv:2: date: '2024-13-01' is not a date (YYYY-MM-DD)"),
    ("id,outlt\nx.txt,A\n", ".csv", "meta.csv:2: unknown column 'outlt'"),
    ("id,path,outlet\nx.txt,x.txt,A\n", ".csv", "meta.csv:2: a row has both id and path"),
    ("outlet\nA\n", ".csv", "meta.csv:2: a row needs exactly one of id or path"),
    ("id,outlet\nx.txt,A\nx.txt,B\n", ".csv", "meta.csv:3: id 'x.txt' already has metadata on line 2"),
    ('{"id": "x"}\n{"id": "y", "date": "5 May"}\n', ".jsonl", "meta.jsonl:2: date: '5 May' is not a date"),
    ('{"id": "x"}\nnot json\n', ".jsonl", "meta.jsonl:2: malformed JSON"),
])
def test_a_bad_sidecar_row_is_named_with_file_and_line(tmp_path, content, suffix, message):
    path = tmp_path / f"meta{suffix}"
    path.write_text(content, encoding="utf-8")
    _, errors = Sidecar.read(path)
    assert len(errors) == 1 and str(errors[0]).startswith(str(tmp_path / message.split(":")[0]) + ":")
    assert message.split(":", 1)[1] in str(errors[0])


def test_rows_matching_no_document_are_listed(tmp_path):
    folder = _folder(tmp_path)
    (folder / "meta.jsonl").write_text('{"id": "two.txt", "outlet": "A"}\n{"path": "a/onne.txt", "outlet": "B"}\n',
                                       encoding="utf-8")
    sidecar, errors = Sidecar.read(folder / "meta.jsonl")
    list(RunMetadata(sidecar).stream(read_documents(folder)))
    assert not errors
    assert [str(e) for e in sidecar.unused()] == [f"{folder / 'meta.jsonl'}:2: path '{folder / 'a' / 'onne.txt'}' "
                                                  "matched no document"]


CALLS: list[str] = []


@register_analyser("test-counts-calls")
class CountsCalls:
    name = "test-counts-calls"
    version = "1"
    requires = ()
    assigns = ()

    def predict(self, docs):
        CALLS.extend(d.id for d in docs)

    def set_annotations(self, docs, predictions):
        pass


def test_new_metadata_of_unchanged_text_is_stored_without_analysing_again(tmp_path):
    store = Store(str(tmp_path / "m.db"))
    pipeline = load_pipeline(["segmenter", "test-counts-calls"])
    docs = [Document("Title\n\nBody one.", id="d1", url="https://www.bbc.co.uk/a"), Document("T\n\nBody two.", id="d2")]
    analyse_into_store(docs, store, pipeline)
    assert sorted(CALLS) == ["d1", "d2"]
    before = store.get("d1")
    CALLS.clear()
    again = [Document("Title\n\nBody one.", id="d1", source="BBC News", published=date(2024, 1, 2),
                      meta={"author": "Ann"}),
             Document("T\n\nBody two.", id="d2")]
    report = analyse_into_store(again, store, pipeline)
    assert CALLS == [] and (report.analysed, report.unchanged, report.metadata_updated) == (0, 2, 1)
    after = store.get("d1")
    assert (after.source, after.url, after.published, after.meta["author"]) == \
        ("BBC News", "https://www.bbc.co.uk/a", date(2024, 1, 2), "Ann")
    assert after.spans == before.spans and after.produced_by == before.produced_by
    # input without metadata never erases it, and a URL-derived outlet never replaces a given one
    report = analyse_into_store([Document("Title\n\nBody one.", id="d1", url="https://www.bbc.co.uk/a",
                                           source="bbc.co.uk", meta={"metadata_from": {"source": "url"}})],
                                 store, pipeline)
    assert CALLS == [] and report.metadata_updated == 0 and store.get("d1").source == "BBC News"
    # edited text is analysed again and keeps the stored metadata it does not restate
    analyse_into_store([Document("Title\n\nBody one, edited.", id="d1")], store, pipeline)
    assert CALLS == ["d1"] and store.get("d1").source == "BBC News" and store.get("d1").meta["author"] == "Ann"


def test_update_metadata_leaves_annotations(database_url):
    store = Store(database_url)
    analyse_into_store([Document("Title\n\nBody.", id="d1")], store, load_pipeline(["segmenter"]))
    spans = store.get("d1").spans
    assert store.update_metadata({"d1": {"source": "X", "published": date(2024, 5, 1)}, "nope": {"source": "Y"}}) \
        == {"d1"}
    doc = store.get("d1")
    assert (doc.source, doc.published, doc.spans) == ("X", date(2024, 5, 1), spans)
