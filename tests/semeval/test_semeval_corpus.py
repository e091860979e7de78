"""Reading a SemEval-2025 Task 10 folder: documents, labels, end-inclusive offset conversion."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from narrascope.semeval import Mention, language_of, load_corpus

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "semeval" / "corpus"


def test_loads_labelled_and_unlabelled_languages():
    docs = load_corpus(CORPUS)
    assert [(d.lang, d.id) for d in docs] == [("BG", "BG_1.txt"), ("EN", "EN_CC_1.txt"), ("EN", "EN_UA_2.txt"),
                                             ("EN", "EN_UA_3.txt")]
    bg = docs[0]
    assert bg.narratives == [] and bg.subnarratives == [] and bg.mentions == [] and bg.explanation is None
    assert bg.text == (CORPUS / "raw-documents" / "BG" / "BG_1.txt").read_text(encoding="utf-8")
    assert [d.id for d in load_corpus(CORPUS, langs=["en"])] == ["EN_CC_1.txt", "EN_UA_2.txt", "EN_UA_3.txt"]


def test_labels_are_deduplicated_in_order():
    doc = {d.id: d for d in load_corpus(CORPUS)}["EN_CC_1.txt"]
    assert doc.narratives == ["CC: Criticism of climate movement"]
    assert doc.subnarratives == ["CC: Criticism of climate movement: Ad hominem attacks on key activists",
                                 "CC: Criticism of climate movement: Climate movement is corrupt"]
    assert doc.explanation.narrative == "CC: Criticism of climate movement"
    assert doc.explanation.text.startswith("The article mocks")
    assert {d.id: d for d in load_corpus(CORPUS)}["EN_UA_3.txt"].narratives == ["Other"]


def test_mention_offsets_become_half_open(caplog):
    with caplog.at_level(logging.WARNING):
        doc = {d.id: d for d in load_corpus(CORPUS)}["EN_CC_1.txt"]
    gates, bbc = doc.mentions
    # the file says 31-40 (end inclusive) for "Bill Gates"
    assert (gates.start, gates.end) == (31, 41)
    assert doc.text[gates.start:gates.end] == "Bill Gates" and gates.aligned
    assert gates.main_role == "Antagonist" and gates.fine_roles == ["Deceiver", "Corrupt"]
    # the fixture shifts the BBC mention by two characters on purpose
    assert not bbc.aligned and doc.text[bbc.start - 2:bbc.end - 2] == "BBC"
    assert "1 of 3 mentions" in caplog.text


def test_text_is_read_without_newline_translation(tmp_path):
    (tmp_path / "raw-documents" / "EN").mkdir(parents=True)
    (tmp_path / "labels" / "EN").mkdir(parents=True)
    (tmp_path / "raw-documents" / "EN" / "EN_1.txt").write_bytes(b"Title\r\n\r\nPutin spoke.\r\n")
    (tmp_path / "labels" / "EN" / "subtask-1-annotations.txt").write_text("EN_1.txt\tPutin\t9\t13\tProtagonist\tGuardian\n")
    doc = load_corpus(tmp_path)[0]
    assert doc.text == "Title\r\n\r\nPutin spoke.\r\n"
    assert doc.mentions == [Mention(9, 14, "Putin", "Protagonist", ["Guardian"], True)]


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("subtask-2-annotations.txt", "EN_1.txt\tOther\n", r"subtask-2-annotations.txt:1: expected 3 tab-separated fields"),
        ("subtask-2-annotations.txt", "EN_1.txt\tOther\tOther\nEN_1.txt\tOther\tOther\n", r":2: document 'EN_1.txt' appears a second time"),
        ("subtask-1-annotations.txt", "\nEN_1.txt\tX\tone\t3\tInnocent\tVictim\n", r"subtask-1-annotations.txt:2: offsets must be integers"),
        ("subtask-1-annotations.txt", "EN_1.txt\tX\n", r":1: expected at least 4 tab-separated fields"),
        ("subtask-1-annotations.txt", "EN_2.txt\tX\t0\t0\tInnocent\tVictim\n", r":1: document 'EN_2.txt' is not in raw-documents"),
        ("subtask-3-annotations.txt", "EN_1.txt\tOther\tOther\n", r"subtask-3-annotations.txt:1: expected 4"),
    ],
)
def test_malformed_label_lines_name_file_and_line(tmp_path, filename, content, message):
    (tmp_path / "raw-documents" / "EN").mkdir(parents=True)
    (tmp_path / "labels" / "EN").mkdir(parents=True)
    (tmp_path / "raw-documents" / "EN" / "EN_1.txt").write_text("Some text.", encoding="utf-8")
    (tmp_path / "labels" / "EN" / filename).write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_corpus(tmp_path)


def test_missing_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="raw-documents"):
        load_corpus(tmp_path)
    with pytest.raises(FileNotFoundError, match="PT"):
        load_corpus(CORPUS, langs=["PT"])


def test_language_of():
    assert language_of("EN_CC_100013.txt") == "EN"
    assert language_of("A4_URW_BG_13718.txt") == "BG"
    assert language_of("A7_HI_123.txt") == "HI"
    assert language_of("RU-URW-1080.txt") == "RU"
    assert language_of("CC_TEST_12.txt") is None
    assert language_of("article-17.txt") is None


def test_to_document():
    doc = load_corpus(CORPUS, langs=["EN"])[0].to_document()
    assert doc.id == "EN_CC_1.txt" and doc.language == "en" and doc.text.startswith("Gates flies")
