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


def test_a_trailing_promo_is_cut_off_its_paragraph():
    text = "Title\n\nThe ministry approved the delivery of six trucks on Friday. Read all the latest news here. Follow us on X."
    doc = Document(text, meta={"title_in_text": True})
    assert kinds(doc) == [("title", "Title"), ("body", "The ministry approved the"), ("boilerplate", "Read all the latest news ")]
    assert doc.quote(segment(doc)[1]).endswith("on Friday.")


def test_a_weak_cue_in_a_reported_sentence_stays_body_but_not_in_a_notice():
    reported = "The claim first appeared in the analyst's weekly newsletter, which quoted two unnamed officials."
    doc = Document("Title\n\n" + reported + "\n\nNewsletter: every Friday.\n\nGet our newsletter in your inbox.",
                   meta={"title_in_text": True})
    assert [label for label, _ in kinds(doc)] == ["title", "body", "boilerplate", "boilerplate"]


def test_an_appeal_to_the_reader_is_boilerplate_as_a_whole():
    appeal = ("At this outlet we fight for the truth. But we need your help. Subscribe to the channel today. "
              "And share this video with your friends.")
    doc = Document("Title\n\n" + appeal, meta={"title_in_text": True})
    assert [label for label, _ in kinds(doc)] == ["title", "boilerplate"]
