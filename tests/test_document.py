"""The document model: offsets are validated and everything round-trips through plain data."""

from datetime import date

import pytest

from narrascope.document import SEGMENTS, Document, Label, Span


def test_id_defaults_to_stable_content_hash():
    assert Document("same text").id == Document("same text").id != Document("other text").id


def test_spans_outside_the_text_are_refused():
    doc = Document("short")
    with pytest.raises(ValueError):
        doc.add_spans("x", [Span(2, 10, "too long")])
    with pytest.raises(ValueError):
        Span(3, 3, "empty")


def test_round_trip_through_dict():
    doc = Document("Title\n\nBody text here.", id="d1", title="Title", source="rt", published=date(2024, 1, 2), language="en")
    doc.add_spans("segments", [Span(0, 5, "title"), Span(7, 22, "body")])
    doc.add_spans("entities", [Span(7, 11, "Antagonist", 0.9, {"entity": "Body", "fine_roles": {"Villain": 0.7}})])
    doc.cats["narratives"] = [Label("N", 0.8, [Span(7, 22, "N", 0.6)])]
    again = Document.from_dict(doc.to_dict())
    assert again.to_dict() == doc.to_dict()
    assert again.quote(again.cats["narratives"][0].evidence[0]) == "Body text here."


def test_comment_threads_join_comments_through_boilerplate_but_not_through_body():
    text = "Body one.\n\nFirst comment.\n\nReply\n\nSecond comment.\n\nBody two.\n\nThird comment."
    doc = Document(text)
    doc.add_spans(SEGMENTS, [Span(text.index(p), text.index(p) + len(p), kind) for p, kind in (
        ("Body one.", "body"), ("First comment.", "comment"), ("Reply", "boilerplate"), ("Second comment.", "comment"),
        ("Body two.", "body"), ("Third comment.", "comment"))])
    assert [text[a:b] for a, b in doc.comment_threads()] == ["First comment.\n\nReply\n\nSecond comment.", "Third comment."]
    assert [doc.quote(s) for s in doc.comments()] == ["First comment.", "Second comment.", "Third comment."]


def test_label_is_possible_below_its_display_threshold():
    assert Label("N", 0.3, attrs={"display_threshold": 0.4}).possible
    assert not Label("N", 0.4, attrs={"display_threshold": 0.4}).possible
    assert not Label("N", 0.01).possible  # no threshold stored: shown, as before
    doc = Document("text")
    doc.cats["narratives"] = [Label("A", 0.3, attrs={"display_threshold": 0.4}), Label("B", 0.9, attrs={"display_threshold": 0.4})]
    doc.cats["comment_narratives"] = [Label("C", 0.1, attrs={"display_threshold": 0.4})]
    assert doc.possible_labels() == 2
    label = Label("N", 0.3, [Span(0, 4, "N")], {"display_threshold": 0.4})
    assert Label.from_dict(label.to_dict()) == label
