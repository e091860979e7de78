"""Segmentation into title, body, boilerplate and reader comments."""

from narrascope.analysers.segmenter import segment
from narrascope.document import Document

ARTICLE = """Kyiv is a "junta", says commentator

The commentator repeated on air that the government in Kyiv is illegitimate and run by radicals.

Note to readers: Please click the share button above. Follow us on Instagram and Twitter and subscribe to our Telegram channel.

He added that the West will soon tire of paying for the war.

Copyright © Example Media 2024. Fair use notice: this site contains copyrighted material.

12 Comments

John says: great article, the media lie to us.

Reply

Maria: I disagree, this is propaganda.
"""


def kinds(doc):
    return [(s.label, doc.quote(s)[:25]) for s in segment(doc)]


def test_title_body_boilerplate_and_comment_thread():
    doc = Document(ARTICLE, meta={"title_in_text": True})
    labels = [label for label, _ in kinds(doc)]
    assert labels == ["title", "body", "boilerplate", "body", "boilerplate", "comment", "comment", "comment", "comment"]
    spans = segment(doc)
    assert doc.quote(spans[0]) == 'Kyiv is a "junta", says commentator'
    assert doc.quote(spans[-1]) == "Maria: I disagree, this is propaganda."


def test_long_paragraph_mentioning_subscribers_stays_body():
    body = "Subscribers of the channel " + "discussed the war at length and " * 30 + "nothing else."
    doc = Document("Title\n\n" + body, meta={"title_in_text": True})
    assert [s.label for s in segment(doc)] == ["title", "body"]


def test_content_segments_exclude_boilerplate_and_comments_by_default():
    doc = Document(ARTICLE, meta={"title_in_text": True})
    doc.add_spans("segments", segment(doc))
    assert "share button" not in doc.content_text()
    assert "propaganda" not in doc.content_text()
    assert "propaganda" in doc.content_text(include_comments=True)


def test_windows_line_endings_split_into_the_same_blocks():
    doc = Document(ARTICLE.replace("\n", "\r\n"), meta={"title_in_text": True})
    assert [s.label for s in segment(doc)] == ["title", "body", "boilerplate", "body", "boilerplate", "comment",
                                               "comment", "comment", "comment"]
    assert all(not doc.quote(s).endswith("\r") for s in segment(doc))
