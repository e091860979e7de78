"""Document HTML built from offsets: exact text preserved, well-nested markup, escaping, colours; SVG charts."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from markupsafe import Markup

from narrascope.document import ENTITIES, NARRATIVES, SEGMENTS, SUBNARRATIVES, TECHNIQUES, Document, Label, Span
from narrascope.server import charts
from narrascope.server.render import (
    colour_class,
    entity_table,
    legend,
    reader_comments,
    render_document,
    technique_table,
)

WAR = "URW: Amplifying war-related fears"
CLIMATE = "CC: Amplifying Climate Fears"


class Nesting(HTMLParser):
    """Checks that every closing tag matches the innermost open one; records evidence marks."""

    VOID = {"br", "img", "input", "meta", "link"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.marks: list[dict[str, str | None]] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "mark":
            self.marks.append(dict(attrs))

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def visible_text(markup: str) -> str:
    """The text a reader gets back from the markup, minus the collapsed blocks' summaries."""
    return html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<summary>.*?</summary>", "", markup)))


def sample() -> Document:
    title = "War & <peace>"
    body = "First <b>sentence</b> about the war. NATO said it is terrible & the climate too. Last one."
    boiler = "Subscribe <script>alert(1)</script>"
    comment = "Reader: \"great\" article"
    text = f"{title}\n\n{body}\n\n{boiler}\n{comment}"
    doc = Document(text=text, id="d", title=title)
    b0 = text.index(body)
    s1 = Span(b0, b0 + body.index(".") + 1, "sentence")
    s2 = Span(s1.end + 1, b0 + body.index("too.") + 4, "sentence")
    doc.spans[SEGMENTS] = [Span(0, len(title), "title"), Span(b0, b0 + len(body), "body"),
                           Span(text.index(boiler), text.index(boiler) + len(boiler), "boilerplate"),
                           Span(text.index(comment), len(text), "comment")]
    doc.cats[NARRATIVES] = [Label(WAR, 0.9, [s1, s2]), Label(CLIMATE, 0.4, [s2])]
    doc.cats[SUBNARRATIVES] = [Label(WAR + ": Other", 0.3, [s1])]
    nato = text.index("NATO")
    doc.spans[ENTITIES] = [Span(nato, nato + 4, "Antagonist", 0.9, {"entity": "NATO", "fine_roles": ["Instigator"]})]
    terrible = text.index("terrible")
    doc.spans[TECHNIQUES] = [Span(nato, terrible + 8, "Loaded_Language", 0.8)]
    return doc


def test_rendered_document_keeps_the_exact_article_text_and_nests_markup():
    doc = sample()
    markup = str(render_document(doc))
    comment = doc.text.index("Reader:")
    assert visible_text(markup) == doc.text[:comment]  # the comment thread is shown apart
    checker = Nesting()
    checker.feed(markup)
    assert checker.errors == [] and checker.stack == []


def test_evidence_marks_carry_their_narrative_and_overlaps_stack():
    doc = sample()
    checker = Nesting()
    checker.feed(str(render_document(doc)))
    labels = [m["data-label"] for m in checker.marks]
    assert set(labels) == {WAR, CLIMATE}
    assert all("ev" in m["class"].split() for m in checker.marks)
    # the second sentence carries both narratives: each piece of it is marked twice, outer mark deeper
    assert any("d1" in m["class"].split() for m in checker.marks)
    war_colour, climate_colour = colour_class(WAR), colour_class(CLIMATE)
    assert war_colour != climate_colour
    assert {m["class"].split()[1] for m in checker.marks if m["data-label"] == WAR} == {war_colour}


def test_untrusted_text_is_escaped_everywhere():
    markup = str(render_document(sample()))
    assert "<script>" not in markup and "<b>" not in markup and "<peace>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "&amp; the climate" in markup


def test_boilerplate_is_a_collapsed_dimmed_block_and_comments_are_left_to_their_own_section():
    doc = sample()
    markup = str(render_document(doc))
    assert markup.count("<details") == 1
    block = markup[markup.index("<details"):]
    assert 'class="seg seg-dimmed"' in block and "Boilerplate (" in block
    assert "Subscribe" in block and "Reader:" not in markup
    assert ('<div class="seg seg-title"><span class="sent" data-start="0" data-end="13">War &amp; &lt;peace&gt;</span>'
            '</div>') in markup
    assert reader_comments(doc) == ['Reader: "great" article']


def test_chrome_between_comments_goes_with_the_thread_and_boilerplate_around_it_stays_collapsed():
    text = "Title\n\nBody.\n\n2 comments\n\nFirst comment.\n\nReply\n\nSecond comment."
    doc = Document(text=text, id="t")
    doc.spans[SEGMENTS] = [Span(text.index(part), text.index(part) + len(part), kind) for part, kind in (
        ("Title", "title"), ("Body.", "body"), ("2 comments", "boilerplate"), ("First comment.", "comment"),
        ("Reply", "boilerplate"), ("Second comment.", "comment"))]
    markup = str(render_document(doc))
    assert "2 comments" in markup and "Reply" not in markup and "comment." not in markup
    assert reader_comments(doc) == ["First comment.", "Second comment."]


def test_entity_and_technique_spans_are_marked():
    markup = str(render_document(sample()))
    assert 'class="ent role-antagonist" data-role="Antagonist" data-entity="NATO"' in markup
    assert 'title="NATO: Antagonist (Instigator)"' in markup
    assert markup.count('data-technique="Loaded_Language"') >= 1


def test_fine_roles_with_probabilities_are_shown_most_likely_first():
    doc = Document(text="NATO acts.", id="f")
    doc.spans[ENTITIES] = [Span(0, 4, "Antagonist", 0.9, {"entity": "NATO",
                                                           "fine_roles": {"Tyrant": 0.3, "Instigator": 0.62}})]
    assert entity_table(doc)[0]["fine_names"] == ["Instigator", "Tyrant"]
    assert 'title="NATO: Antagonist (Instigator 62%, Tyrant 30%)"' in str(render_document(doc))


def test_document_without_segments_is_one_body_block():
    doc = Document(text="Just <i>text</i>.", id="x")
    assert str(render_document(doc)) == ('<div class="seg seg-body"><span class="sent" data-start="0" data-end="17">'
                                         'Just &lt;i&gt;text&lt;/i&gt;.</span></div>')


def test_legend_entities_and_techniques_tables():
    doc = sample()
    rows = legend(doc)
    assert [r["name"] for r in rows] == [WAR, CLIMATE]
    assert rows[0]["subnarratives"][0]["short"] == "Other"
    assert rows[0]["evidence"][0]["text"] == "First <b>sentence</b> about the war."
    assert rows[0]["definition"]  # from the taxonomy
    row = entity_table(doc)[0]
    assert (row["entity"], row["role"], row["fine_names"], row["mentions"]) == ("NATO", "Antagonist", ["Instigator"], 1)
    assert row["role_shares"] == [{"role": "Antagonist", "count": 1, "share": 1.0}]
    assert technique_table(doc)[0]["technique"] == "Loaded_Language"


def test_one_entity_row_with_its_role_distribution_evidence_and_mentions():
    text = "NATO bombed the town. Later NATO helped. Nato hesitated."
    doc = Document(text=text, id="e")
    doc.spans[ENTITIES] = [
        Span(0, 4, "Antagonist", 0.9, {"entity": "NATO", "entity_id": "nato", "fine_roles": {"Instigator": 0.7},
                                       "evidence": [0, 21]}),
        Span(28, 32, "Protagonist", 0.6, {"entity": "NATO", "entity_id": "nato", "fine_roles": {"Guardian": 0.5},
                                          "evidence": [22, 39]}),
        Span(41, 45, "unclear", 0.4, {"entity": "NATO", "entity_id": "nato", "fine_roles": {"Instigator": 0.3},
                                      "evidence": [41, 56]}),
    ]
    (row,) = entity_table(doc)
    assert row["mentions"] == 3 and row["roles"] == {"Antagonist": 1, "Protagonist": 1, "unclear": 1}
    assert row["role"] == "Antagonist" and row["fine_names"] == ["Instigator", "Guardian"]  # unclear ones add none
    assert row["evidence"]["Antagonist"]["text"] == "NATO bombed the town."
    assert [m["text"] for m in row["spans"]] == ["NATO", "NATO", "Nato"]


def test_colours_follow_the_taxonomy_and_subnarratives_take_their_parents():
    assert colour_class("URW: Amplifying war-related fears") == "n0"
    assert colour_class("URW: Amplifying war-related fears: Other") == "n0"
    assert colour_class("Other") == "n21"
    assert colour_class("Some custom label") == colour_class("Some custom label")


def test_charts_escape_labels_and_link_every_bar():
    bars = [charts.Bar("<img src=x onerror=alert(1)>", [charts.Segment("A&B", 3, "n1", "/documents?x=1&y=2")]),
            charts.Bar("second", [charts.Segment("C", 1, "n2", "/documents?x=2")])]
    for svg in (charts.bar_chart(bars, title="t"), charts.column_chart(bars, title="t")):
        assert isinstance(svg, Markup)
        assert "<img" not in svg and "&lt;img" in svg
        assert svg.count("<rect") == 2 and svg.count("<a href=") == 2
        assert 'href="/documents?x=1&amp;y=2"' in svg
    heat = charts.heatmap(["a", "b"], {("a", "b"): 4}, lambda a, b: f"/documents?n={a}&also={b}", title="t")
    assert heat.count("<rect") == 2  # both off-diagonal cells, each linking to its own pair
    assert 'href="/documents?n=a&amp;also=b"' in heat and 'href="/documents?n=b&amp;also=a"' in heat
    assert "No data" in charts.bar_chart([], title="t")
