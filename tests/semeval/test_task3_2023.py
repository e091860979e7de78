"""SemEval-2023 Task 3 subtask 3: paragraph numbering, readers/writer, scorers and the CLI score command."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.semeval import task3_2023 as task

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "techniques"
SHARED_EN = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "semeval2023-task3" / "en"


def test_paragraphs_are_numbered_by_line_skipping_empty_ones():
    text = "Title\n\nFirst para.\nSecond para.\n\n\n   \nLast"
    numbers = [(n, text[s:e]) for n, s, e in task.paragraphs(text)]
    assert numbers == [(1, "Title"), (3, "First para."), (4, "Second para."), (8, "Last")]


def test_fixture_labels_derived_from_spans_match_the_gold_file():
    text = task.read_articles(FIXTURES)["900000001"]
    spans = task.read_spans(FIXTURES)["900000001"]
    assert [text[s:e] for _, s, e in spans] == ["traitors", "corrupt", "thugs", "So-called experts"]
    derived = task.paragraph_labels_from_spans("900000001", text, spans)
    assert derived == task.read_paragraph_labels(FIXTURES / "gold-paragraphs.txt")


def test_write_then_read_round_trip(tmp_path):
    labels = {("2", 1): {"Doubt"}, ("1", 3): set(), ("1", 1): {"Slogans", "Flag_Waving"}}
    task.write_paragraph_labels(tmp_path / "p.txt", labels)
    lines = (tmp_path / "p.txt").read_text().splitlines()
    assert lines == ["1\t1\tFlag_Waving,Slogans", "1\t3\t", "2\t1\tDoubt"]
    assert task.read_paragraph_labels(tmp_path / "p.txt") == labels


def test_ptc_names_map_to_task_names_and_merged_classes_drop(tmp_path):
    (tmp_path / "x.labels").write_text("7\tFlag-Waving\t0\t4\n7\tBandwagon,Reductio_ad_hitlerum\t5\t9\n")
    assert task.read_spans(tmp_path / "x.labels", task.PTC_TO_2023) == {"7": [("Flag_Waving", 0, 4)]}
    assert set(task.PTC_TO_2023.values()) <= set(task.TECHNIQUES)


def test_paragraph_scores_by_hand():
    gold = {("a", 1): {"Doubt"}, ("a", 2): {"Doubt", "Slogans"}, ("a", 3): set()}
    pred = {("a", 1): {"Doubt"}, ("a", 2): {"Slogans", "Not_A_Technique"}, ("a", 3): {"Doubt"}}
    result = task.score_paragraphs(pred, gold)
    # tp 2 (a1 Doubt, a2 Slogans), fp 1 (a3 Doubt), fn 1 (a2 Doubt); unknown labels are ignored
    assert result["micro_f1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    assert result["micro_precision"] == pytest.approx(2 / 3)
    # Doubt F1 = 2*1/(2+1+1) = 0.5, Slogans F1 = 1; 21 techniques absent from both sides count 1 officially
    assert result["macro_f1_gold"] == pytest.approx(0.75)
    assert result["macro_f1"] == pytest.approx((0.5 + 1 + 21) / 23)


def test_missing_predictions_count_as_empty():
    gold = {("a", 1): {"Doubt"}, ("a", 2): {"Doubt"}}
    assert task.score_paragraphs({("a", 1): {"Doubt"}}, gold)["micro_f1"] == pytest.approx(2 / 3)


def test_span_scores_with_partial_credit():
    gold = {"d": [("Doubt", 0, 10)]}
    pred = {"d": [("Doubt", 5, 15), ("Slogans", 0, 10)]}
    result = task.score_spans(pred, gold)
    assert result["partial_precision"] == pytest.approx((5 / 10 + 0) / 2)
    assert result["partial_recall"] == pytest.approx(5 / 10)
    assert result["overlap_precision"] == pytest.approx(0.5)
    assert result["overlap_recall"] == pytest.approx(1.0)


def test_score_command_prints_micro_and_macro(tmp_path):
    from narrascope.cli.semeval2023 import app

    pred = tmp_path / "pred.txt"
    pred.write_text("900000001\t1\tName_Calling-Labeling\n900000001\t3\tLoaded_Language\n900000001\t4\t\n900000001\t7\t\n")
    result = CliRunner().invoke(app, ["score", str(pred), str(FIXTURES / "gold-paragraphs.txt")])
    assert result.exit_code == 0, result.output
    # tp 2, fn 2 (paragraph 3 Name_Calling, paragraph 7 Doubt), fp 0
    assert "micro-F1\t0.6667" in result.output


@pytest.mark.shared
@pytest.mark.skipif(not SHARED_EN.exists(), reason="../shared/data/semeval2023-task3/en not found beside the checkout")
def test_numbering_and_derivation_reproduce_the_release():
    articles = task.read_articles(SHARED_EN / "train-articles-subtask-3")
    spans = task.read_spans(SHARED_EN / "train-labels-subtask-3-spans")
    gold = task.read_paragraph_labels(SHARED_EN / "train-labels-subtask-3.txt")
    template = task.read_paragraph_labels(SHARED_EN / "train-labels-subtask-3.template")
    assert len(articles) == 446
    derived = {}
    for doc_id, text in articles.items():
        derived.update(task.paragraph_labels_from_spans(doc_id, text, spans.get(doc_id, [])))
    assert set(derived) == set(gold) == set(template)
    disagreements = [k for k in gold if gold[k] != derived[k]]
    assert len(disagreements) <= 2
    assert task.read_techniques(SHARED_EN.parent / "techniques_subtask3.txt") == task.TECHNIQUES


def test_predict_command_writes_every_paragraph_in_task_format(tmp_path):
    from narrascope.cli.semeval2023 import app

    out, spans_out = tmp_path / "pred.txt", tmp_path / "spans.txt"
    result = CliRunner().invoke(app, ["predict", "--docs", str(FIXTURES), "--out", str(out), "--spans-out", str(spans_out)])
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in out.read_text().splitlines()]
    assert [(r[0], r[1]) for r in rows] == [("900000001", "1"), ("900000001", "3"), ("900000001", "4"), ("900000001", "7")]
    assert all(label in task.TECHNIQUES for r in rows for label in r[2].split(",") if label)
    predicted = task.read_paragraph_labels(out)
    text = task.read_articles(FIXTURES)["900000001"]
    # the paragraph labels are exactly those implied by the written spans
    assert predicted == task.paragraph_labels_from_spans("900000001", text, task.read_spans(spans_out).get("900000001", []))


def _task_folder(root: Path) -> Path:
    """A SemEval-2023 language folder built from the synthetic corpus of the model tests."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("technique_corpus", FIXTURES / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    articles, spans = corpus.synthetic_corpus(distinct=True)
    (root / "train-articles-subtask-3").mkdir(parents=True)
    (root / "train-labels-subtask-3-spans").mkdir()
    labels = {}
    for doc_id, text in articles.items():
        (root / "train-articles-subtask-3" / f"article{doc_id}.txt").write_text(text)
        rows = "".join(f"{doc_id}\t{t}\t{s}\t{e}\n" for t, s, e in spans[doc_id])
        (root / "train-labels-subtask-3-spans" / f"article{doc_id}-labels-subtask-3.txt").write_text(rows)
        labels.update(task.paragraph_labels_from_spans(doc_id, text, spans[doc_id]))
    task.write_paragraph_labels(root / "train-labels-subtask-3.txt", labels)
    return root


def test_train_and_eval_commands_on_a_small_task_folder(tmp_path):
    from narrascope.cli import app

    data = _task_folder(tmp_path / "en")
    result = CliRunner().invoke(app, ["train", "techniques", "--semeval", str(data), "--out", str(tmp_path / "model")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "model" / "weights.npz").exists()
    result = CliRunner().invoke(app, ["eval", "techniques", "--semeval", str(data), "--folds", "2", "--repeats", "2", "--out", str(tmp_path / "cv.json")])
    assert result.exit_code == 0, result.output
    assert "none of the packaged en held-out articles" in result.output  # synthetic ids are not in the split
    summary = json.loads((tmp_path / "cv.json").read_text())["cv"]["summary"]
    assert summary["micro_f1"] > 0.9  # the planted cues are unmistakable
    low, high = summary["micro_f1_interval"]
    assert low <= summary["micro_f1"] <= high
    assert summary["baseline_micro_f1"] < 0.7


def test_score_heldout_keeps_only_the_packaged_held_out_articles(tmp_path):
    from narrascope.cli.semeval2023 import app
    from narrascope.semeval.splits import packaged_split

    held = sorted(packaged_split("semeval2023-task3-ru"))[0]
    gold, pred = tmp_path / "gold.txt", tmp_path / "pred.txt"
    gold.write_text(f"{held}\t1\tDoubt\n1\t1\tSlogans\n")  # article 1 is a development article
    pred.write_text(f"{held}\t1\tDoubt\n1\t1\t\n")
    everything = CliRunner().invoke(app, ["score", str(pred), str(gold)])
    assert "micro-F1\t0.6667" in everything.output
    heldout = CliRunner().invoke(app, ["score", str(pred), str(gold), "--heldout", "--lang", "ru"])
    assert heldout.exit_code == 0, heldout.output
    assert "micro-F1\t1.0000" in heldout.output


def test_unknown_language_is_refused_with_the_known_ones(tmp_path):
    from narrascope.cli.semeval2023 import app

    result = CliRunner().invoke(app, ["predict", "--docs", str(FIXTURES), "--out", str(tmp_path / "p.txt"), "--lang", "bg"])
    assert result.exit_code != 0
    assert "en, ru" in result.output
