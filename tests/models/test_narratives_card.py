"""The narrative model card is written from the records beside the model, the measured-only dense views included."""

import json
import shutil
from importlib import resources

from narrascope.models.narratives_card import write_model_card

RECORD = {
    "command": "PYTHONPATH=src .venv/bin/python benchmarks/narratives_encoder_cv.py --out x.json",
    "encoder": "all-MiniLM-L6-v2, first 256 word pieces", "n_documents": 321, "folds": 5, "repeats": 1, "seed": 0, "dense_logistic_c": 1.0,
    "encoder_per_800_word_article": {"articles": 20, "cpu_median_s": 0.8123, "wall_median_s": 0.4321},
    "difference_from_sparse": {"ensemble": {"coarse": {"mean": 0.05, "low": 0.01, "high": 0.09},
                                            "fine": {"mean": -0.02, "low": -0.04, "high": 0.0}}},
    "samples_f1": {name: {"coarse": {"mean": m, "low": m - 0.05, "high": m + 0.05},
                          "fine": {"mean": m - 0.1, "low": m - 0.15, "high": m - 0.05}}
                   for name, m in (("sparse", 0.55), ("dense", 0.5), ("ensemble", 0.6), ("baseline_other", 0.4))},
}


def test_card_shows_the_dense_views_only_when_recorded(tmp_path):
    folder = tmp_path / "narratives"
    shutil.copytree(resources.files("narrascope") / "resources" / "models" / "narratives", folder)
    (folder / "encoder_cv.json").unlink(missing_ok=True)
    assert "dense views" not in write_model_card(folder).read_text(encoding="utf-8")
    other = {**RECORD, "encoder": "a static table", "dense_logistic_c": 10.0}
    (folder / "encoder_cv.json").write_text(json.dumps([RECORD, other]), encoding="utf-8")
    card = write_model_card(folder).read_text(encoding="utf-8")
    assert "## Measured, not shipped: dense views (MiniLM, English)" in card
    assert ("| ensemble | 0.600 [0.550, 0.650] | 0.500 [0.450, 0.550] | +0.050 [+0.010, +0.090] | "
            "-0.020 [-0.040, +0.000] |") in card
    assert "| sparse | 0.550 [0.500, 0.600] | 0.450 [0.400, 0.500] | – | – |" in card
    assert ("**all-MiniLM-L6-v2, first 256 word pieces**, logistic C 1, 321 documents, 5 folds x 1; 0.812 CPU s "
            "(0.432 s wall) per article") in card
    assert "**a static table**, logistic C 10" in card
    assert RECORD["command"] in card


def test_a_repeated_measurement_replaces_its_record_and_others_stay(tmp_path):
    from narrascope.models.narratives_card import add_record

    for row in ({"name": "a", "f1": 0.5}, {"name": "b", "f1": 0.6}, {"name": "a", "f1": 0.7}):
        add_record(tmp_path, "choices.json", row, key=lambda r: r["name"])
    assert json.loads((tmp_path / "choices.json").read_text(encoding="utf-8")) == [{"name": "b", "f1": 0.6},
                                                                                  {"name": "a", "f1": 0.7}]


CURVE = {"kind": "learning_curve", "task": "narratives", "lang": "EN", "folds": 5, "seed": 1, "command": "curve command",
         "curve": {"0.5": {"training_documents_of_lang": 128.6, "coarse": 0.5, "fine": 0.416, "base": 0.414}}}
GATE = {"kind": "other_decision", "folds": 5, "seed": 0, "command": "gate command", "per_language": {
    "EN": {"documents": 321, "other_documents": 133, "decoded": [0.535, 0.44], "perfect_other_decision": [0.683, 0.547],
           "other_baseline": 0.414, "narrative_documents_decoded_other": 60,
           "coarse_where_narratives_named": 0.49, "auc_model_p_other": 0.842, "auc_text_gate": 0.835, "auc_lead_gate": 0.818,
           "auc_text_plus_lead_gate": 0.856},
    "PT": {"documents": 328, "other_documents": 21, "decoded": [0.631, 0.376], "perfect_other_decision": [0.703, 0.443],
           "other_baseline": 0.064, "auc_model_p_other": 0.55, "auc_text_gate": 0.593}}}


def test_card_shows_the_diagnostics_only_when_recorded(tmp_path):
    folder = tmp_path / "narratives"
    shutil.copytree(resources.files("narrascope") / "resources" / "models" / "narratives", folder)
    (folder / "diagnostics.json").unlink(missing_ok=True)
    assert "diagnostics" not in write_model_card(folder).read_text(encoding="utf-8")
    (folder / "diagnostics.json").write_text(json.dumps([CURVE, GATE]), encoding="utf-8")
    card = write_model_card(folder).read_text(encoding="utf-8")
    assert "## Where the error is (diagnostics)" in card
    assert "| EN | 1 | 0.5 | 129 | 0.500 | 0.416 | 0.414 |" in card
    assert "| EN | 321 (133) | 0.535 / 0.440 | 60 | 0.490 | 0.683 / 0.547 | 0.842 | 0.835 | – | – | 0.818 | 0.856 |" in card
    assert "| PT | 328 (21) | 0.631 / 0.376 | – | – | 0.703 / 0.443 | 0.550 | 0.593 | – | – | – | – |" in card
    assert "Command: `curve command`" in card and "Command: `gate command`" in card
