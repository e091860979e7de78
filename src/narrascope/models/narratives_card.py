"""MODEL_CARD.md for a narrative model folder, written from what training, cross-validation and the speed
benchmark recorded there (``model.json`` info, ``cv.json``, ``speed.json``): no figure is typed by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from narrascope.models.narratives import NarrativeModel

__all__ = ["write_model_card"]


def _pm(cell: dict[str, float]) -> str:
    return f"{cell['mean']:.3f} ± {cell['std']:.3f}"


def _cv_section(cv: dict[str, Any]) -> list[str]:
    lines = [f"## Cross-validation ({cv['folds']}-fold, seed {cv['random_state']}, official samples-F1)", "",
             "Nested: in every outer fold the model is trained and its thresholds tuned on the other folds only.",
             "Baseline: predicting `Other` for every document.", "",
             "| language | docs | coarse | fine | baseline coarse | baseline fine |", "|---|---:|---:|---:|---:|---:|"]
    for lang, row in cv["per_language"].items():
        lines.append(f"| {lang} | {row['n_documents']} | {_pm(row['coarse'])} | {_pm(row['fine'])} | "
                     f"{_pm(row['base_coarse'])} | {_pm(row['base_fine'])} |")
    cal = cv["calibration"]
    lines += ["", "### Calibration (held-out probabilities of every document × label)", "",
              f"Expected calibration error (10 bins): **{cal['ece']:.4f}**", "",
              "| bin | pairs | mean predicted | observed frequency |", "|---|---:|---:|---:|"]
    lines += [f"| {b['bin']} | {b['n']} | {b['mean_predicted']:.3f} | {b['observed']:.3f} |" for b in cal["reliability"]]
    return lines + [""]


def _speed_section(speed: dict[str, Any]) -> list[str]:
    lines = ["## Speed and memory (`benchmarks/narratives_speed.py`)", "",
             f"Command: `{speed['command']}`", f"Machine: {speed['machine']}", ""]
    lines += [f"- {key.replace('_', ' ')}: {value}" for key, value in speed["figures"].items()]
    return lines + [""]


def write_model_card(directory: str | Path, model: NarrativeModel | None = None, cv: dict[str, Any] | None = None) -> Path:
    """(Re)write ``MODEL_CARD.md`` in ``directory`` from the model and the JSON records beside it."""
    directory = Path(directory)
    model = model or NarrativeModel.load(directory)
    cv_path, speed_path = directory / "cv.json", directory / "speed.json"
    if cv is None and cv_path.is_file():
        cv = json.loads(cv_path.read_text(encoding="utf-8"))
    info = model.info
    clf = model.classifier
    dec = model.decoder
    size = sum(p.stat().st_size for p in directory.iterdir() if p.suffix in {".json", ".npz"})
    lines = [
        "# Narrative model card", "",
        "Multi-label classifier for the SemEval-2025 Task 10 narrative taxonomy (subtask 2): narratives and",
        "sub-narratives of news articles in Bulgarian, English, Hindi, Portuguese and Russian.", "",
        "## Model", "",
        f"- Engine: `narrascope.models.narratives.NarrativeClassifier` — TF-IDF word 1-2-grams "
        f"(≤ {clf.word_max_features}) and character 2-5-grams (≤ {clf.char_max_features}, weight {clf.char_weight}) over one "
        "vocabulary shared by all languages, a per-language bias, one ridge regression per label (alpha "
        f"{clf.alpha}) solved jointly, Platt calibration on {clf.calibration_folds}-fold out-of-fold scores.",
        f"- Labels modelled: {len(model.classes)} (narratives, `Other`, specific sub-narratives seen in training; "
        "`<Narrative>: Other` is derived by the decoder).",
        f"- Decoder thresholds (narrative, sub-narrative, Other), tuned for samples-F1 on out-of-fold probabilities: "
        f"default {dec.narrative_threshold}, {dec.subnarrative_threshold}, {dec.other_threshold}"
        + (f"; per language {json.dumps(dec.per_language)}" if dec.per_language else "") + ".",
        f"- Files: `model.json`, `classifier.json`, `classifier.npz` ({size / 1e6:.1f} MB together).", "",
        "## Training", "",
        f"Command: `{info.get('command', '?')}` (seed {info.get('seed', '?')}; {info.get('train_seconds', '?')} s).", "",
        "Documents per language: " + ", ".join(f"{k} {v}" for k, v in info.get("documents", {}).items()) + ".", "",
        "sha256 of the label files:", "",
    ]
    lines += [f"- `{path}`: `{digest}`" for path, digest in info.get("label_files_sha256", {}).items()]
    lines.append("")
    if cv:
        lines += _cv_section(cv)
    if speed_path.is_file():
        lines += _speed_section(json.loads(speed_path.read_text(encoding="utf-8")))
    lines += ["## Limits", "",
              "- Trained on 1,781 documents from the task's sources; other outlets and topics will score lower.",
              "- Probabilities are calibrated on the training distribution (where 18 % of documents are `Other`);",
              "  on a stream with far fewer propaganda articles the narrative probabilities are too high.",
              "- Above 0.7 the probabilities run higher than the observed frequency (see the reliability table).",
              "- Evidence sentences are those contributing most to the label's linear score, not annotated rationales.",
              ""]
    path = directory / "MODEL_CARD.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
