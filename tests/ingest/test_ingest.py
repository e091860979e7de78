"""Ingestion: every format, and a clear named error for every kind of bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from narrascope.document import Document
from narrascope.ingest import IngestError, IngestOptions, parse_bytes, read_documents

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "articles"

HTML = b"""<html><head><title>Strike on the market</title><meta property="og:site_name" content="Example Daily"></head>
<body><nav>Home | World | Sport</nav><article><h1>Strike on the market</h1>
<p>A missile hit the central market on Saturday morning, local officials said, killing at least six people.</p>
<p>A commentator on a state channel claimed the strike was a false flag staged by the defenders themselves, without offering evidence.</p>
<p>Rescue teams worked through the night to reach people trapped under the collapsed roof of the hall.</p></article>
<footer>Copyright 2024 Example Daily. All rights reserved.</footer></body></html>"""


def split(items):
    docs = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, IngestError)]
    return docs, errors


def test_txt_folder_keeps_text_untouched_and_uses_file_name_as_id():
    docs, errors = split(list(read_documents(EXAMPLES)))
    assert not errors
    assert {d.id for d in docs} >= {"sanctions-column.txt", "recycling-plant.txt"}
    doc = next(d for d in docs if d.id == "recycling-plant.txt")
    assert doc.text == (EXAMPLES / "recycling-plant.txt").read_text(encoding="utf-8")
    assert doc.title == "City opens new recycling plant"


def test_glob_filter_and_non_recursive(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("Title A\n\nBody a.", encoding="utf-8")
    (tmp_path / "b.md").write_text("ignored", encoding="utf-8")
    (tmp_path / "sub" / "c.txt").write_text("Title C\n\nBody c.", encoding="utf-8")
    assert [d.id for d in read_documents(tmp_path)] == ["a.txt", "c.txt"]
    assert [d.id for d in read_documents(tmp_path, IngestOptions(recursive=False))] == ["a.txt"]
    assert [d.id for d in read_documents(tmp_path, IngestOptions(pattern="c*"))] == ["c.txt"]


def test_ids_are_file_names_or_paths_under_the_folder_read(tmp_path):
    for outlet in ("outlet-a", "outlet-b"):
        (tmp_path / outlet).mkdir()
        (tmp_path / outlet / "article.txt").write_text(f"Title\n\nBody from {outlet}.", encoding="utf-8")
    assert [d.id for d in read_documents(tmp_path)] == ["article.txt", "article.txt"]
    by_path = [d.id for d in read_documents(tmp_path, IngestOptions(ids="path"))]
    assert by_path == ["outlet-a/article.txt", "outlet-b/article.txt"]
    single = tmp_path / "outlet-a" / "article.txt"
    assert [d.id for d in read_documents(single, IngestOptions(ids="path"))] == ["article.txt"]
    with pytest.raises(ValueError, match="'name' or 'path'"):
        IngestOptions(ids="url")


def test_jsonl_fields_by_name_and_renamed(tmp_path):
    path = tmp_path / "feed.jsonl"
    rows = [{"id": "x1", "body": "Sanctions hurt Europe.", "headline": "H1", "published": "2024-03-05T10:00:00Z", "outlet": "rt"},
            {"body": "Second text.", "headline": "H2"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    docs, errors = split(list(read_documents(path)))
    assert not errors
    assert docs[0].id == "x1" and docs[0].title == "H1" and docs[0].source == "rt"
    assert docs[0].published == date(2024, 3, 5)
    assert docs[1].id == docs[1].content_hash  # no id given: stable content hash
    renamed = tmp_path / "other.jsonl"
    renamed.write_text(json.dumps({"story": "Text in a custom column."}) + "\n", encoding="utf-8")
    docs, errors = split(list(read_documents(renamed, IngestOptions(fields={"text": "story"}))))
    assert docs[0].text == "Text in a custom column." and not errors


def test_malformed_jsonl_line_is_reported_with_its_line_and_the_rest_is_read(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"text": "one"}\n{"text": "two"\n\n{"title": "no text"}\n{"text": "four"}\n', encoding="utf-8")
    docs, errors = split(list(read_documents(path)))
    assert [d.text for d in docs] == ["one", "four"]
    assert [(e.line, e.path) for e in errors] == [(2, str(path)), (4, str(path))]
    assert "malformed JSON" in errors[0].message and "no text field" in errors[1].message


def test_csv_columns_and_missing_text_column(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text('id,title,text,date,source\n7,T,"A text, with a comma",05.03.2024,tass\n', encoding="utf-8")
    docs, errors = split(list(read_documents(good)))
    assert not errors and docs[0].id == "7" and docs[0].text == "A text, with a comma"
    assert docs[0].published == date(2024, 3, 5) and docs[0].source == "tass"
    bad = tmp_path / "bad.csv"
    bad.write_text("id,headline\n1,Only a headline\n", encoding="utf-8")
    docs, errors = split(list(read_documents(bad)))
    assert not docs and len(errors) == 1
    assert errors[0].path == str(bad) and "no text column" in errors[0].message and "headline" in errors[0].message


def test_html_main_text_without_navigation_or_footer():
    docs, errors = split(list(parse_bytes("page.html", HTML)))
    assert not errors
    doc = docs[0]
    assert "false flag" in doc.text and "Home | World" not in doc.text and "All rights reserved" not in doc.text
    assert doc.title == "Strike on the market"


def test_html_comments_follow_the_article_one_block_each_with_their_offsets():
    page = Path(__file__).resolve().parents[1] / "fixtures" / "segmenter" / "wordpress.html"
    [doc] = list(read_documents(page))
    article, thread = doc.text.split("\n\nReader comments (3)\n\n")
    assert "grain corridor" in article and "bargaining chip" not in article and "Leave a Reply" not in doc.text
    comments = [doc.text[start:end] for start, end in doc.meta["comment_offsets"]]
    assert comments == ["I believe the corridor was only ever a bargaining chip.\nNobody should be surprised.",
                        "You forget that the farmers pay for it, not the politicians.", "Good reporting, thank you."]
    assert thread == "\n\n".join(comments)  # the author names, dates and reply links stay out


def test_bad_inputs_each_get_a_clear_named_error(tmp_path):
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    (tmp_path / "latin1.txt").write_bytes("Title\n\nCaf\xe9 au lait".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("  \n\n", encoding="utf-8")
    (tmp_path / "huge.txt").write_text("Big\n\n" + "word " * 1_000_000, encoding="utf-8")  # 5 MB
    (tmp_path / "fine.txt").write_text("Fine\n\nA normal article.", encoding="utf-8")
    docs, errors = split(list(read_documents(tmp_path)))
    assert [d.id for d in docs] == ["fine.txt"]
    messages = {Path(e.path).name: e.message for e in errors}
    assert "binary" in messages["binary.txt"]
    assert "invalid UTF-8" in messages["latin1.txt"]
    assert messages["empty.txt"] == "empty document"
    assert "too large" in messages["huge.txt"] and "--max-chars" in messages["huge.txt"]
    assert str(next(e for e in errors if e.path.endswith("latin1.txt"))).startswith(str(tmp_path / "latin1.txt") + ":3:")


def test_missing_path_is_an_error_not_a_crash(tmp_path):
    docs, errors = split(list(read_documents(tmp_path / "nope")))
    assert not docs and "no such file" in errors[0].message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_decoded_not_called_binary(encoding):
    """Issue 13.13: UTF-16 with a BOM, a common export format, was rejected as "binary"."""
    text = "Заголовок\n\nÜber das Wetter — 😀 and more."
    data = text.encode(encoding) if encoding != "utf-16-be" else b"\xfe\xff" + text.encode("utf-16-be")
    docs, errors = split(list(parse_bytes("export.txt", data)))
    assert not errors and docs[0].text == text and docs[0].title == "Заголовок"
    rows, errors = split(list(parse_bytes("export.csv", "id,text\n7,Hallo Welt\n".encode(encoding if encoding != "utf-16-be" else "utf-16"))))
    assert not errors and (rows[0].id, rows[0].text) == ("7", "Hallo Welt")


def test_deeply_nested_html_says_why_no_text_was_found():
    """Issue 13.13: a 10,000-level nested page said only "no article text found"."""
    page = "<html><body>" + "<div>" * 10_000 + "An article sentence that is long enough. " * 5 + "</div>" * 10_000 + "</body></html>"
    _, errors = split(list(parse_bytes("deep.html", page.encode())))
    assert errors[0].message == ("no article text found in HTML: its elements are nested more than 255 levels deep, "
                                 "and the HTML parser reads no deeper")


def test_html_is_capped_by_bytes_and_elements_before_extraction():
    """Issue 13.1: extracting the text of a huge page took many minutes; it is refused first, with a reason."""
    page = ("<html><body><article>" + "<p>A paragraph of the article.</p>" * 2_000 + "</article></body></html>").encode()
    _, errors = split(list(parse_bytes("big.html", page, IngestOptions(max_html_elements=1_000))))
    assert errors[0].message == "HTML page of 2,003 elements is larger than the limit of 1,000 elements"
    _, errors = split(list(parse_bytes("big.html", page, IngestOptions(max_html_bytes=10_000))))
    assert errors[0].message == f"HTML page of {len(page):,} bytes is larger than the limit of 10,000 bytes"
    docs, errors = split(list(parse_bytes("big.html", page)))
    assert not errors and docs[0].text.count("A paragraph") == 2_000
