"""SemEval-2025 Task 10 subtask 1: file layout, official scores, prediction and the CLI branch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli.semeval import app
from narrascope.models.entity_training import load_subtask1, train_and_save
from narrascope.semeval.subtask1 import MentionRow, locate_mention, read_mentions, score_subtask1, write_mentions
from narrascope.semeval_predict import document_language, predict_subtask1

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "entities" / "corpus"
TRAIN = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "semeval2025-task10" / "train"
runner = CliRunner()


def row(doc: str, start: int, main: str | None = None, *fine: str) -> MentionRow:
    return MentionRow(doc, "X", start, start + 3, main, tuple(fine))


def test_read_write_round_trip(tmp_path):
    rows = read_mentions(FIXTURE / "labels" / "EN" / "subtask-1-annotations.txt")
    assert rows[0] == MentionRow("EN_FX_000.txt", "Children of Tarsk", 33, 49, "Innocent", ("Forgotten",))
    write_mentions(rows, tmp_path / "copy.txt")
    assert read_mentions(tmp_path / "copy.txt") == rows
    (tmp_path / "mentions.txt").write_text("EN_1.txt\tNATO\t5\t8\n", encoding="utf-8")
    assert read_mentions(tmp_path / "mentions.txt") == [MentionRow("EN_1.txt", "NATO", 5, 8)]
    (tmp_path / "bad.txt").write_text("EN_1.txt\tNATO\t5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.txt:1"):
        read_mentions(tmp_path / "bad.txt")


def test_scores_follow_the_official_definitions():
    gold = [
        row("a", 0, "Antagonist", "Deceiver"),
        row("a", 10, "Antagonist", "Deceiver", "Corrupt"),
        row("b", 0, "Innocent", "Victim"),
        row("b", 10, "Protagonist", "Guardian"),
    ]
    pred = [
        row("a", 0, "Antagonist", "Deceiver"),  # exact
        row("a", 10, "Antagonist", "Deceiver"),  # right main role, one of two fine roles
        row("b", 0, "Antagonist", "Instigator"),  # wrong
        # b@10 missing: counts as wrong
        row("c", 0, "Innocent", "Victim"),  # not in gold: ignored
    ]
    scores = score_subtask1(pred, gold)
    assert scores["exact_match"] == pytest.approx(1 / 4)
    assert scores["main_accuracy"] == pytest.approx(2 / 4)
    assert scores["micro_precision"] == pytest.approx(2 / 3)  # 2 right of 3 predicted fine roles (gold mentions)
    assert scores["micro_recall"] == pytest.approx(2 / 5)
    assert scores["micro_f1"] == pytest.approx(2 * (2 / 3) * (2 / 5) / (2 / 3 + 2 / 5))
    assert score_subtask1(gold, gold)["exact_match"] == 1.0
    with pytest.raises(ValueError):
        score_subtask1(pred, [])


def test_locate_mention_snaps_shifted_offsets():
    text = "Putin met Biden. Later Putin left."
    assert locate_mention(text, "Putin", 23, 27) == (23, 28)
    assert locate_mention(text, "Putin", 25, 29) == (23, 28)  # shifted by two: nearest occurrence
    assert locate_mention(text, "Nobody", 3, 5) == (3, 6)  # absent string: file offsets kept


def test_document_language_uses_the_id_then_the_text():
    assert document_language("RU-URW-1080.txt", "") == "ru"
    assert document_language("EN_CC_1.txt", "") == "en"
    assert document_language("doc.txt", "Президент заявил, что переговоры продолжатся на следующей неделе.") == "ru"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("entity-model")
    train_and_save(load_subtask1(FIXTURE, ("EN", "PT")), path)
    return path


def test_predict_and_score_through_the_cli(model_dir, tmp_path):
    gold = FIXTURE / "labels" / "EN" / "subtask-1-annotations.txt"
    mentions = tmp_path / "mentions.txt"
    write_mentions([MentionRow(r.doc_id, r.mention, r.start, r.end) for r in read_mentions(gold)], mentions)
    out = tmp_path / "pred.txt"
    args = ["predict", "--subtask", "1", "--docs", str(FIXTURE / "raw-documents"), "--mentions", str(mentions),
            "--out", str(out), "--model", str(model_dir)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    predicted = read_mentions(out)
    assert [r.key for r in predicted] == [r.key for r in read_mentions(gold)]
    assert all(r.main_role and r.fine_roles for r in predicted)

    result = runner.invoke(app, ["score", "--subtask", "1", str(out), str(gold), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["main_accuracy"] >= 0.9  # trained on these very mentions
    assert set(scores["per_language"]) == {"EN"}
    table = runner.invoke(app, ["score", "--subtask", "1", str(out), str(gold)])
    assert "main-role acc" in table.output


def test_predict_needs_mentions_and_known_documents(model_dir, tmp_path):
    out = tmp_path / "pred.txt"
    result = runner.invoke(app, ["predict", "--subtask", "1", "--docs", str(tmp_path), "--out", str(out)])
    assert result.exit_code == 2 and "--mentions" in result.output
    mentions = tmp_path / "m.txt"
    mentions.write_text("EN_MISSING.txt\tNATO\t0\t3\n", encoding="utf-8")
    result = runner.invoke(app, ["predict", "--subtask", "1", "--docs", str(tmp_path), "--mentions", str(mentions),
                                 "--out", str(out), "--model", str(model_dir)])
    assert result.exit_code == 2 and "EN_MISSING.txt" in result.output


def test_packaged_model_predicts_a_file(tmp_path):
    mentions = read_mentions(FIXTURE / "labels" / "PT" / "subtask-1-annotations.txt")[:5]
    rows = predict_subtask1(FIXTURE / "raw-documents", [MentionRow(r.doc_id, r.mention, r.start, r.end) for r in mentions])
    assert len(rows) == 5 and all(r.main_role in ("Antagonist", "Protagonist", "Innocent") for r in rows)


@pytest.mark.shared
@pytest.mark.skipif(not TRAIN.is_dir(), reason=f"SemEval-2025 Task 10 data not found at {TRAIN} (../shared beside the repo)")
def test_gold_file_scores_perfectly_against_itself():
    gold = read_mentions(TRAIN / "labels" / "EN" / "subtask-1-annotations.txt")
    assert len(gold) > 600
    scores = score_subtask1(gold, gold)
    assert scores["exact_match"] == scores["main_accuracy"] == scores["micro_f1"] == 1.0
