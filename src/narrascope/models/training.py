"""Training and evaluating the narrative model on SemEval-2025 Task 10 data.

- :func:`train_model` fits a :class:`~narrascope.models.narratives.NarrativeClassifier` and tunes the decoder
  thresholds for samples-F1 on the classifier's own out-of-fold probabilities (no document is scored by a
  model that saw it).
- :func:`cross_validate` repeats that inside each outer fold (stratified by language and ``Other``, fixed seed),
  scores the held-out fold with the official metric (:func:`narrascope.semeval.score_subtask2`), and reports
  per-language mean and std over folds, the same for the trivial "Other everywhere" baseline, and the
  calibration (expected calibration error and a reliability table) of the held-out probabilities.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

from narrascope.models.narratives import (
    OTHER,
    HierarchyDecoder,
    NarrativeClassifier,
    NarrativeModel,
    _platt,
    children_of,
    domain_of,
    threshold_candidates,
)
from narrascope.semeval import SemevalDocument, score_subtask2
from narrascope.taxonomy import Taxonomy, load_taxonomy

__all__ = ["training_labels", "train_model", "cross_validate", "tune_thresholds", "calibration", "label_file_hashes"]


def training_labels(doc: SemevalDocument) -> list[str]:
    """The labels a document teaches: its narratives (or ``Other``) and its specific sub-narratives.

    ``<Narrative>: Other`` and the sub-level ``Other`` are left out: the decoder derives them.
    """
    subs = [s for s in doc.subnarratives if s != OTHER and not s.endswith(f": {OTHER}")]
    return list(dict.fromkeys(list(doc.narratives) + subs))


def _parent_map(taxonomy: Taxonomy) -> dict[str, str]:
    return {s: taxonomy.narrative_of(s) for s in taxonomy.subnarratives}


def _strata(docs: Sequence[SemevalDocument]) -> list[str]:
    return [f"{d.lang}|{OTHER in d.narratives}" for d in docs]


class _Scorer:
    """Vectorised samples-F1 of the decoder over many threshold triples (official label lists, as the scorer)."""

    def __init__(self, classes: list[str], children: dict[str, list[str]], docs: Sequence[SemevalDocument],
                 taxonomy: Taxonomy):
        coarse, fine = taxonomy.official_narratives, taxonomy.official_subnarratives
        cidx = {c: i for i, c in enumerate(classes)}
        self.nar = list(children)
        self.nar_cols = [cidx[n] for n in self.nar]
        self.subs = [s for n in self.nar for s in children[n]]
        self.sub_cols = [cidx[s] for s in self.subs]
        self.other_col = cidx.get(OTHER)
        domains = [domain_of(n) for n in self.nar]
        self.domain_mask = np.array([[d == code for d in domains] for code in sorted(set(domains))], bool)
        self.parent = np.array([[s in children[n] for n in self.nar] for s in self.subs], float).reshape(
            len(self.subs), len(self.nar))
        self.to_coarse = np.array([[n == c for c in coarse] for n in self.nar], float)
        self.to_fine = np.array([[s == f for f in fine] for s in self.subs], float).reshape(len(self.subs), len(fine))
        self.nar_other = np.array([[f"{n}: {OTHER}" == f for f in fine] for n in self.nar], float)
        self.other_coarse = np.array([c == OTHER for c in coarse], float)
        self.other_fine = np.array([f == OTHER for f in fine], float)
        self.gold_coarse = np.array([[c in d.narratives for c in coarse] for d in docs], float)
        self.gold_fine = np.array([[f in d.subnarratives for f in fine] for d in docs], float)

    @staticmethod
    def _f1(pred: np.ndarray, gold: np.ndarray) -> np.ndarray:
        tp = (pred * gold).sum(1)
        den = pred.sum(1) + gold.sum(1)
        return np.where(den == 0, 1.0, 2 * tp / np.maximum(den, 1e-9))

    def score(self, proba: np.ndarray, rows: np.ndarray, t_nar: float, t_sub: float, t_other: float,
              single_domain: bool = True) -> tuple[float, float]:
        P = proba[rows]
        P_nar = P[:, self.nar_cols]
        chosen = (P_nar >= t_nar).astype(float)
        if single_domain and len(self.domain_mask) > 1:
            best = np.stack([np.where(mask, P_nar, -1).max(1) for mask in self.domain_mask], 1).argmax(1)
            chosen *= self.domain_mask[best]
        other = chosen.sum(1) == 0
        if self.other_col is not None:
            other |= P[:, self.other_col] >= t_other
        chosen[other] = 0
        subs = (P[:, self.sub_cols] >= t_sub) * (chosen @ self.parent.T > 0)
        has_sub = subs @ self.parent > 0
        pred_coarse = chosen @ self.to_coarse + np.outer(other, self.other_coarse)
        pred_fine = subs @ self.to_fine + (chosen * ~has_sub) @ self.nar_other + np.outer(other, self.other_fine)
        return (float(self._f1(pred_coarse, self.gold_coarse[rows]).mean()),
                float(self._f1(pred_fine, self.gold_fine[rows]).mean()))


def tune_thresholds(proba: np.ndarray, classes: list[str], children: dict[str, list[str]],
                    docs: Sequence[SemevalDocument], taxonomy: Taxonomy | None = None,
                    per_language: bool = False) -> HierarchyDecoder:
    """Decoder thresholds maximising coarse + fine samples-F1 of ``proba`` against the documents' gold labels.

    With ``per_language``, each language with at least 30 documents also gets its own triple.
    """
    scorer = _Scorer(classes, children, docs, taxonomy or load_taxonomy())
    candidates = threshold_candidates()

    def best(rows: np.ndarray) -> tuple[float, float, float]:
        return max(candidates, key=lambda th: sum(scorer.score(proba, rows, *th)))

    overall = best(np.arange(len(docs)))
    overrides = {}
    if per_language:
        langs = np.array([d.lang.lower() for d in docs])
        for lang in sorted(set(langs)):
            rows = np.flatnonzero(langs == lang)
            if len(rows) >= 30:
                overrides[lang] = best(rows)
    return HierarchyDecoder(*overall, per_language=overrides or None)


def train_model(docs: Sequence[SemevalDocument], *, taxonomy: Taxonomy | None = None, per_language_thresholds: bool = True,
                random_state: int = 0, **params: Any) -> tuple[NarrativeModel, np.ndarray]:
    """Fit the classifier on ``docs`` and tune the decoder on its out-of-fold probabilities.

    Returns the model and those out-of-fold probabilities (rows aligned with ``docs``).
    """
    taxonomy = taxonomy or load_taxonomy()
    classifier = NarrativeClassifier(random_state=random_state, **params).fit(
        [d.text for d in docs], [training_labels(d) for d in docs], [d.lang.lower() for d in docs])
    classes = [str(c) for c in classifier.classes_]
    children = children_of(classes, taxonomy.narratives, _parent_map(taxonomy))
    oof = _platt(classifier.oof_scores_, classifier.platt_)
    decoder = tune_thresholds(oof, classes, children, docs, taxonomy, per_language_thresholds)
    return NarrativeModel(classifier, decoder, children), oof


def calibration(proba: np.ndarray, truth: np.ndarray, bins: int = 10) -> dict[str, Any]:
    """Expected calibration error and a reliability table over every (document, label) probability."""
    p, y = proba.ravel(), truth.ravel()
    which = np.minimum((p * bins).astype(int), bins - 1)
    table, ece = [], 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            gap = abs(p[mask].mean() - y[mask].mean())
            ece += gap * mask.mean()
            table.append({"bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}", "n": int(mask.sum()),
                          "mean_predicted": float(p[mask].mean()), "observed": float(y[mask].mean())})
    return {"ece": float(ece), "reliability": table}


def _as_labels(predictions: list[tuple[list[tuple[str, float]], list[tuple[str, float]]]], ids: list[str]) -> dict:
    return {i: ([n for n, _ in nars], [s for s, _ in subs]) for i, (nars, subs) in zip(ids, predictions)}


def _summary(values: list[float]) -> dict[str, float]:
    return {"mean": statistics.fmean(values), "std": statistics.pstdev(values)} if values else {"mean": 0.0, "std": 0.0}


def cross_validate(docs: Sequence[SemevalDocument], *, n_folds: int = 5, random_state: int = 0,
                   taxonomy: Taxonomy | None = None, per_language_thresholds: bool = True,
                   progress: Any = None, **params: Any) -> dict[str, Any]:
    """Nested cross-validation of :func:`train_model`: official samples-F1 per language, mean and std over folds.

    ``predictions`` in the result holds every document's held-out prediction (labels per document id).
    """
    taxonomy = taxonomy or load_taxonomy()
    docs = list(docs)
    langs = sorted({d.lang for d in docs})
    folds = StratifiedKFold(n_folds, shuffle=True, random_state=random_state).split(np.zeros(len(docs)), _strata(docs))
    scores: dict[str, dict[str, list[float]]] = {lang: {k: [] for k in ("coarse", "fine", "base_coarse", "base_fine")}
                                                 for lang in langs + ["all"]}
    held_out_proba, held_out_truth = [], []
    held_out_labels: dict[str, tuple[list[str], list[str]]] = {}
    for k, (train_idx, test_idx) in enumerate(folds):
        train = [docs[i] for i in train_idx]
        test = [docs[i] for i in test_idx]
        model, _ = train_model(train, taxonomy=taxonomy, per_language_thresholds=per_language_thresholds,
                               random_state=random_state, **params)
        texts, test_langs = [d.text for d in test], [d.lang.lower() for d in test]
        proba = model.classifier.predict_proba(texts, test_langs)
        held_out_proba.append(proba)
        held_out_truth.append(np.array([[c in set(training_labels(d)) for c in model.classes] for d in test], float))
        predictions = [model.decoder.decode(row, model.classes, model.children, lang) for row, lang in zip(proba, test_langs)]
        pred = _as_labels(predictions, [d.id for d in test])
        held_out_labels.update(pred)
        for lang in langs + ["all"]:
            subset = [d for d in test if lang in ("all", d.lang)]
            gold = {d.id: (d.narratives, d.subnarratives) for d in subset}
            result = score_subtask2({i: pred[i] for i in gold}, gold, taxonomy)
            baseline = score_subtask2({i: ([OTHER], [OTHER]) for i in gold}, gold, taxonomy)
            scores[lang]["coarse"].append(result["coarse_f1"])
            scores[lang]["fine"].append(result["fine_f1"])
            scores[lang]["base_coarse"].append(baseline["coarse_f1"])
            scores[lang]["base_fine"].append(baseline["fine_f1"])
        if progress:
            progress(k + 1, n_folds, scores["all"]["coarse"][-1], scores["all"]["fine"][-1])
    n_docs = {lang: sum(d.lang == lang for d in docs) for lang in langs}
    n_docs["all"] = len(docs)
    # classes differ a little between folds (rare labels); calibration is measured on each fold's own classes
    cal = calibration(np.concatenate([p.ravel() for p in held_out_proba]),
                      np.concatenate([t.ravel() for t in held_out_truth]))
    return {
        "folds": n_folds,
        "random_state": random_state,
        "per_language": {lang: {"n_documents": n_docs[lang], **{k: _summary(v) for k, v in s.items()}}
                         for lang, s in scores.items()},
        "calibration": cal,
        "predictions": {d.id: held_out_labels[d.id] for d in docs},
    }


def label_file_hashes(semeval_dir: str | Path, langs: Sequence[str] | None = None) -> dict[str, str]:
    """sha256 of each subtask-2 label file used for training, keyed by its path relative to ``semeval_dir``."""
    root = Path(semeval_dir)
    out = {}
    for path in sorted((root / "labels").glob("*/subtask-2-annotations.txt")):
        if langs and path.parent.name not in {lang.upper() for lang in langs}:
            continue
        out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out
