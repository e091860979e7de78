"""SemEval-2025 Task 10 subtask 2 (narrative classification): the submission file layout and the official metric.

A subtask-2 file has one line per document, tab-separated: ``doc_id  N1;N2;...  S1;S2;...`` where the second
column lists narratives and the third full sub-narrative names (``"URW: Narrative: Sub"``). ``Other`` stands for
"no narrative of the taxonomy" at either level. In gold files the two lists are position-aligned, so a narrative
may repeat; as labels they are sets.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from narrascope.semeval.files import language_of, split_fields, unique
from narrascope.taxonomy import Taxonomy, load_taxonomy

__all__ = ["read_subtask2", "write_subtask2", "score_subtask2", "Subtask2Labels"]

Subtask2Labels = dict[str, tuple[list[str], list[str]]]
"""Document id -> (narratives, sub-narratives), each without repeats, in file order."""

OTHER = "Other"


def _split_labels(column: str) -> list[str]:
    return unique([label.strip() for label in column.split(";") if label.strip()])


def read_subtask2(path: str | Path) -> Subtask2Labels:
    """Read a subtask-2 gold or prediction file; ValueError naming file and line for malformed or repeated lines."""
    path = Path(path)
    out: Subtask2Labels = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            doc_id, narratives, subnarratives = split_fields(line, path, lineno, exact=3)
            doc_id = doc_id.strip()
            if not doc_id:
                raise ValueError(f"{path}:{lineno}: empty document id")
            if doc_id in out:
                raise ValueError(f"{path}:{lineno}: document {doc_id!r} appears a second time")
            out[doc_id] = (_split_labels(narratives), _split_labels(subnarratives))
    return out


def _column(labels: Iterable[str], where: str) -> str:
    labels = unique([str(label).strip() for label in labels if str(label).strip()])
    for label in labels:
        if any(ch in label for ch in "\t\n\r;"):
            raise ValueError(f"{where}: label {label!r} contains a tab, newline or ';'")
    return ";".join(labels) if labels else OTHER


def format_prediction(doc_id: str, narratives: Iterable[str], subnarratives: Iterable[str]) -> str:
    """One submission line (no newline): ``id<TAB>N1;N2<TAB>S1;S2``, an empty label list written ``Other``."""
    if not doc_id or any(ch in doc_id for ch in "\t\n\r"):
        raise ValueError(f"invalid document id {doc_id!r}")
    return f"{doc_id}\t{_column(narratives, doc_id)}\t{_column(subnarratives, doc_id)}"


def write_subtask2(path: str | Path, predictions: Mapping[str, tuple[Iterable[str], Iterable[str]]]) -> None:
    """Write predictions in the official layout, one line per document."""
    lines = [format_prediction(doc_id, narratives, subs) + "\n" for doc_id, (narratives, subs) in predictions.items()]
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(lines)


def _sample_f1(gold: set[str], pred: set[str]) -> float:
    if not gold and not pred:
        return 1.0
    overlap = len(gold & pred)
    return 2 * overlap / (len(gold) + len(pred)) if overlap else 0.0


def _summary(scores: list[tuple[float, float]]) -> dict[str, Any]:
    coarse = [c for c, _ in scores]
    fine = [f for _, f in scores]
    return {
        "n_documents": len(scores),
        "coarse_f1": statistics.fmean(coarse) if scores else 0.0,
        "coarse_f1_std": statistics.pstdev(coarse) if scores else 0.0,
        "fine_f1": statistics.fmean(fine) if scores else 0.0,
        "fine_f1_std": statistics.pstdev(fine) if scores else 0.0,
    }


def score_subtask2(
    pred: str | Path | Mapping[str, tuple[Iterable[str], Iterable[str]]],
    gold: str | Path | Mapping[str, tuple[Iterable[str], Iterable[str]]],
    taxonomy: Taxonomy | None = None,
) -> dict[str, Any]:
    """Samples-averaged F1 of predicted vs gold narratives (coarse) and sub-narratives (fine), official semantics.

    ``pred`` and ``gold`` are subtask-2 files or mappings as returned by :func:`read_subtask2`. Semantics follow
    the official scorer (scikit-learn ``f1_score(average="samples")`` over label sets binarised against the
    official label lists):

    - documents are aligned by id; every gold document counts once. A gold document with no prediction
      scores 0 and is listed under ``missing_predictions``; predictions for documents not in gold are ignored
      and counted in ``extra_predictions``;
    - labels are compared as sets (repeats do not matter). Labels outside the official lists (the taxonomy's
      ``official_narratives`` / ``official_subnarratives``) are dropped from both sides before comparing, as
      the official binariser does; how many were dropped is reported under ``dropped_labels``;
    - ``Other`` and the ``"<Narrative>: Other"`` sub-narratives are ordinary labels of the official lists:
      ``Other`` predicted for an ``Other`` document is a full match;
    - per document F1 = 2|G∩P| / (|G| + |P|), and 0 when G and P share no label. When both are empty after
      dropping (a gold document whose only labels are unofficial, predicted likewise) the document scores 1,
      as ``f1_score(..., zero_division=1)`` does, so gold scored against itself is always 1.0. (With
      scikit-learn's default it would be 0; on the training release this concerns one BG document at fine level.)
    - the figure is the mean over gold documents; ``*_std`` is the population standard deviation of the
      per-document values (the official leaderboard reports it too).

    Returns overall figures, ``per_language`` (ids carrying a language code like ``EN_...``), ``per_document``
    (coarse, fine) F1 by id, and counts.
    """
    taxonomy = taxonomy or load_taxonomy()
    pred_labels = read_subtask2(pred) if isinstance(pred, (str, Path)) else pred
    gold_labels = read_subtask2(gold) if isinstance(gold, (str, Path)) else gold
    if not gold_labels:
        raise ValueError("no gold documents to score against")
    known = (set(taxonomy.official_narratives), set(taxonomy.official_subnarratives))
    dropped = {"gold": 0, "pred": 0}

    def official(labels: Iterable[str], level: int, side: str) -> set[str]:
        labels = {label.strip() for label in labels if label.strip()}
        kept = labels & known[level]
        dropped[side] += len(labels - kept)
        return kept

    missing: list[str] = []
    per_doc: dict[str, tuple[float, float]] = {}
    for doc_id, (gold_coarse, gold_fine) in gold_labels.items():
        gold_sets = official(gold_coarse, 0, "gold"), official(gold_fine, 1, "gold")
        if doc_id not in pred_labels:
            missing.append(doc_id)
            per_doc[doc_id] = (0.0, 0.0)
            continue
        pred_coarse, pred_fine = pred_labels[doc_id]
        per_doc[doc_id] = (_sample_f1(gold_sets[0], official(pred_coarse, 0, "pred")),
                           _sample_f1(gold_sets[1], official(pred_fine, 1, "pred")))

    by_language: dict[str, list[tuple[float, float]]] = {}
    for doc_id, scores in per_doc.items():
        lang = language_of(doc_id)
        if lang:
            by_language.setdefault(lang, []).append(scores)
    return {
        **_summary(list(per_doc.values())),
        "per_language": {lang: _summary(scores) for lang, scores in sorted(by_language.items())},
        "per_document": per_doc,
        "missing_predictions": missing,
        "extra_predictions": sum(doc_id not in gold_labels for doc_id in pred_labels),
        "dropped_labels": dropped,
        "taxonomy": f"{taxonomy.name} {taxonomy.version}",
    }
