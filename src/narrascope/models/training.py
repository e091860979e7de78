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
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.isotonic import IsotonicRegression
from sklearn.model_selection import StratifiedGroupKFold

from narrascope.document import NARRATIVES, SUBNARRATIVES
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
from narrascope.semeval.splits import duplicate_groups, packaged_split
from narrascope.taxonomy import Taxonomy, load_taxonomy
from narrascope.text.sentences import split_sentences

__all__ = ["training_labels", "train_model", "cross_validate", "evaluate_heldout", "split_heldout", "tune_thresholds",
           "calibration", "display_thresholds", "EvidenceReference", "near_duplicate_groups", "label_file_hashes",
           "evaluate_reviews"]


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
        """(coarse, fine) samples-F1 of the decoder at one threshold triple on ``proba[rows]``."""
        return self.score_grid(proba, rows, [(t_nar, t_sub, t_other)], single_domain)[0]

    def score_grid(self, proba: np.ndarray, rows: np.ndarray, candidates: Sequence[tuple[float, float, float]],
                   single_domain: bool = True) -> list[tuple[float, float]]:
        """(coarse, fine) samples-F1 for every threshold triple; the narrative-level decision is shared by all
        triples with the same narrative and ``Other`` thresholds."""
        P = proba[rows]
        P_nar, P_sub = P[:, self.nar_cols], P[:, self.sub_cols]
        domain = np.ones_like(P_nar)
        if single_domain and len(self.domain_mask) > 1:
            best = np.stack([np.where(mask, P_nar, -1).max(1) for mask in self.domain_mask], 1).argmax(1)
            domain = self.domain_mask[best].astype(float)
        gold_coarse, gold_fine = self.gold_coarse[rows], self.gold_fine[rows]
        # fine level without building label matrices: true positives and counts per document, by source of label
        gold_sub, gold_nar_other = gold_fine @ self.to_fine.T, gold_fine @ self.nar_other.T
        gold_other, n_gold = gold_fine @ self.other_fine, gold_fine.sum(1)
        sub_weight, nar_other_weight = self.to_fine.sum(1), self.nar_other.sum(1)
        results: dict[tuple[float, float, float], tuple[float, float]] = {}
        for t_nar, t_other in dict.fromkeys((c[0], c[2]) for c in candidates):
            chosen = (P_nar >= t_nar) * domain
            other = chosen.sum(1) == 0
            if self.other_col is not None:
                other |= P[:, self.other_col] >= t_other
            chosen[other] = 0
            coarse = float(self._f1(chosen @ self.to_coarse + np.outer(other, self.other_coarse), gold_coarse).mean())
            allowed = chosen @ self.parent.T > 0
            other_tp, other_n = other * gold_other, other * self.other_fine.sum()
            for t_sub in dict.fromkeys(c[1] for c in candidates if (c[0], c[2]) == (t_nar, t_other)):
                subs = (P_sub >= t_sub) & allowed
                bare = chosen * ~(subs @ self.parent > 0)  # narratives without a chosen child: "<N>: Other"
                tp = (subs * gold_sub).sum(1) + (bare * gold_nar_other).sum(1) + other_tp
                n_pred = subs @ sub_weight + bare @ nar_other_weight + other_n
                den = n_pred + n_gold
                fine = np.where(den == 0, 1.0, 2 * tp / np.maximum(den, 1e-9))
                results[(t_nar, t_sub, t_other)] = (coarse, float(fine.mean()))
        return [results[c] for c in candidates]


def tune_thresholds(proba: np.ndarray, classes: list[str], children: dict[str, list[str]],
                    docs: Sequence[SemevalDocument], taxonomy: Taxonomy | None = None,
                    per_language: bool = False) -> HierarchyDecoder:
    """Decoder thresholds maximising coarse + fine samples-F1 of ``proba`` against the documents' gold labels.

    With ``per_language``, each language with at least 30 documents also gets its own triple.
    """
    scorer = _Scorer(classes, children, docs, taxonomy or load_taxonomy())
    candidates = threshold_candidates()

    def best(rows: np.ndarray) -> tuple[float, float, float]:
        scores = scorer.score_grid(proba, rows, candidates)
        return candidates[max(range(len(candidates)), key=lambda i: sum(scores[i]))]

    overall = best(np.arange(len(docs)))
    overrides = {}
    if per_language:
        langs = np.array([d.lang.lower() for d in docs])
        for lang in sorted(set(langs)):
            rows = np.flatnonzero(langs == lang)
            if len(rows) >= 30:
                overrides[lang] = best(rows)
    return HierarchyDecoder(*overall, per_language=overrides or None)


def near_duplicate_groups(docs: Sequence[SemevalDocument]) -> list[str]:
    """Each document's near-duplicate group (:func:`narrascope.semeval.splits.duplicate_groups`), in ``docs`` order."""
    groups = duplicate_groups({d.id: d.text for d in docs})
    return [groups[d.id] for d in docs]


def train_model(docs: Sequence[SemevalDocument], *, taxonomy: Taxonomy | None = None, per_language_thresholds: bool = True,
                random_state: int = 0, groups: Sequence[str] | None = None, explanations: bool = True,
                witnesses: int = 0, definitions: bool = False, **params: Any) -> tuple[NarrativeModel, np.ndarray]:
    """Fit the classifier on ``docs`` and tune the decoder on its out-of-fold probabilities.

    Internal folds keep near-duplicate ``groups`` together (computed here when not given). With ``explanations``,
    each document's subtask-3 explanation is one more (auxiliary) training text for its dominant narrative and
    sub-narrative; with ``witnesses`` > 0, so are that many of its sentences closest to the explanation
    (:class:`EvidenceReference`), which teaches the model which sentences carry a narrative. With ``definitions``,
    the taxonomy's definition of each of its labels seen in ``docs`` (its name and definition, in English) is one more
    auxiliary text for it and its narrative. With the classifier's
    ``salience`` (default), the sentences closest to each training document's explanation teach the pool weights
    (:meth:`NarrativeClassifier._fit_salience`). Returns the model and the out-of-fold probabilities (rows aligned
    with ``docs``).
    """
    taxonomy = taxonomy or load_taxonomy()
    groups = list(groups) if groups is not None else near_duplicate_groups(docs)
    texts, labels = [d.text for d in docs], [training_labels(d) for d in docs]
    langs: list[str | None] = [d.lang.lower() for d in docs]  # definitions below have no language
    auxiliary = [False] * len(docs)
    reference = EvidenceReference(docs) if witnesses or params.get("salience", True) else None
    evidence: list[tuple[str, list[int]] | None] = [None] * len(docs)
    known = set(taxonomy.narratives) | set(taxonomy.subnarratives)  # explanations may give "none" as sub-narrative
    for k, (doc, group) in enumerate(zip(list(docs), list(groups))):
        if doc.explanation is None:
            continue
        taught = [t for t in (doc.explanation.narrative, doc.explanation.subnarrative)
                  if t in known and t != OTHER and not t.endswith(f": {OTHER}")]
        extra = [doc.explanation.text] if explanations else []
        if reference is not None:
            sentences = split_sentences(doc.text)
            closest = reference.closest(doc, sentences)
            extra += [doc.text[sentences[i][0]:sentences[i][1]] for i in closest[:witnesses]]
            if len(sentences) >= reference.MIN_SENTENCES:
                evidence[k] = (doc.explanation.narrative, closest[: reference.TOP])
        for text in extra:
            texts.append(text)
            labels.append(taught)
            langs.append(doc.lang.lower())
            groups.append(group)
            auxiliary.append(True)
            evidence.append(None)
    if definitions:
        seen = {label for doc_labels in labels for label in doc_labels}
        parent = _parent_map(taxonomy)
        for label in sorted(seen & known - {OTHER}):
            texts.append(f"{label.rsplit(': ', 1)[-1]}. {taxonomy.definition(label)}")
            labels.append(sorted({label, parent.get(label, label)}))
            langs.append(None)
            groups.append(f"definition:{label}")
            auxiliary.append(True)
            evidence.append(None)
    classifier = NarrativeClassifier(random_state=random_state, **params).fit(texts, labels, langs, groups, auxiliary,
                                                                              evidence)
    classes = [str(c) for c in classifier.classes_]
    children = children_of(classes, taxonomy.narratives, _parent_map(taxonomy))
    oof = _platt(classifier.oof_scores_, classifier.platt_)
    decoder = tune_thresholds(oof, classes, children, docs, taxonomy, per_language_thresholds)
    display = display_thresholds(oof, classes, children, decoder, docs)
    info = {"auxiliary_rows": {"explanations": explanations, "witness_sentences": witnesses, "definitions": definitions}}
    return NarrativeModel(classifier, decoder, children, info, display), oof


def display_thresholds(proba: np.ndarray, classes: list[str], children: dict[str, list[str]], decoder: HierarchyDecoder,
                       docs: Sequence[SemevalDocument]) -> dict[str, float]:
    """Per layer, the lowest probability from which a decoded label is right at least half the time.

    Every narrative and sub-narrative the decoder gives (``Other`` aside) on out-of-fold ``proba`` is marked right
    or wrong against gold; an isotonic fit of rightness on probability gives the threshold (1.0 when it never
    reaches one half).
    """
    seen: dict[str, list[tuple[float, float]]] = {NARRATIVES: [], SUBNARRATIVES: []}
    for row, doc in zip(proba, docs):
        nars, subs = decoder.decode(row, classes, children, doc.lang.lower())
        seen[NARRATIVES] += [(p, float(n in doc.narratives)) for n, p in nars if n != OTHER]
        seen[SUBNARRATIVES] += [(p, float(n in doc.subnarratives)) for n, p in subs if n != OTHER]
    out = {}
    for layer, pairs in seen.items():
        if not pairs:
            out[layer] = 1.0
            continue
        p, right = np.array(pairs).T
        fitted = IsotonicRegression(out_of_bounds="clip").fit(p, right).predict(p)
        out[layer] = round(float(p[fitted >= 0.5].min()), 4) if (fitted >= 0.5).any() else 1.0
    return out


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


class EvidenceReference:
    """Where the gold explanation (subtask 3) points in a document: the sentences most similar to it.

    Similarity is the cosine of character 3-5-gram TF-IDF vectors (within word boundaries, sublinear tf), fitted
    on the sentences of the documents given (text only, no label), so it works alike in the five languages.
    """

    TOP = 3
    MIN_SENTENCES = 4  # with fewer, any sentence is in the reference top 3

    def __init__(self, docs: Sequence[SemevalDocument]):
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2).fit(
            [d.text[s:e] for d in docs for s, e in split_sentences(d.text)])

    def closest(self, doc: SemevalDocument, sentences: list[tuple[int, int]]) -> list[int]:
        """Indexes of the document's sentences, most similar to its explanation first."""
        quoted = [doc.text[s:e] for s, e in sentences]
        explanation = self.vectorizer.transform([doc.explanation.text if doc.explanation else ""])
        similarity = (self.vectorizer.transform(quoted) @ explanation.T).toarray().ravel()
        return np.argsort(-similarity, kind="stable").tolist()

    def judge(self, model: NarrativeModel, doc: SemevalDocument) -> dict[str, Any] | None:
        """Whether the model's top sentence for the gold dominant narrative is in the reference top 3, beside a
        random sentence (its expected rate) and the lead sentence; None when the document cannot be judged."""
        explanation = doc.explanation
        if explanation is None or explanation.narrative not in model.classes:
            return None
        sentences = split_sentences(doc.text)
        if len(sentences) < self.MIN_SENTENCES:
            return None
        reference = set(self.closest(doc, sentences)[: self.TOP])
        scores = model.classifier.sentence_scores(doc.text, doc.lang.lower(), sentences,
                                                  [model.classes.index(explanation.narrative)])[:, 0]
        top = int(np.argmax(scores)) if np.isfinite(scores).any() else -1
        return {"lang": doc.lang, "model": float(top in reference), "random": self.TOP / len(sentences),
                "lead": float(0 in reference)}


def _interval(values: np.ndarray, groups: Sequence[str], seed: int = 0, rounds: int = 1000) -> tuple[float, float]:
    """95 % interval of the mean of per-document ``values``, by bootstrap over near-duplicate groups."""
    keys = sorted(set(groups))
    if len(keys) < 2:
        return float(values.mean()), float(values.mean())
    index = {g: i for i, g in enumerate(keys)}
    member = np.array([index[g] for g in groups])
    sums, counts = np.bincount(member, values, len(keys)), np.bincount(member, minlength=len(keys))
    draws = np.random.default_rng(seed).integers(0, len(keys), (rounds, len(keys)))
    means = sums[draws].sum(1) / counts[draws].sum(1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def _figures(per_doc: dict[str, np.ndarray], docs: Sequence[SemevalDocument], groups: Sequence[str],
             repeat_means: dict[str, dict[str, list[float]]] | None = None) -> dict[str, Any]:
    """Per language: documents, and for every measure its mean, spread over repeats and 95 % interval."""
    out: dict[str, Any] = {}
    langs = sorted({d.lang for d in docs})
    for lang in langs + ["all"]:
        rows = np.array([lang in ("all", d.lang) for d in docs])
        row: dict[str, Any] = {"n_documents": int(rows.sum())}
        for key, values in per_doc.items():
            low, high = _interval(values[rows], [g for g, r in zip(groups, rows) if r])
            spread = repeat_means[lang][key] if repeat_means else [float(values[rows].mean())]
            row[key] = {"mean": float(values[rows].mean()), "std": statistics.pstdev(spread), "low": low, "high": high}
        out[lang] = row
    return out


def _evidence_figures(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Evidence agreement per language: documents judged and the mean rate of the model and both baselines."""
    out: dict[str, Any] = {}
    if not records:
        return out
    for lang in sorted({r["lang"] for r in records}) + ["all"]:
        rows = [r for r in records if lang in ("all", r["lang"])]
        out[lang] = {"n_documents": len(rows), **{k: statistics.fmean(r[k] for r in rows) for k in ("model", "random", "lead")}}
    return out


def _fold_predictions(model: NarrativeModel, test: Sequence[SemevalDocument]) -> tuple[dict, np.ndarray, np.ndarray]:
    """Decoded labels by id, the probabilities and the 0/1 truth of every test document × class."""
    texts, langs = [d.text for d in test], [d.lang.lower() for d in test]
    proba = model.classifier.predict_proba(texts, langs)
    truth = np.array([[c in set(training_labels(d)) for c in model.classes] for d in test], float)
    decoded = [model.decoder.decode(row, model.classes, model.children, lang) for row, lang in zip(proba, langs)]
    return _as_labels(decoded, [d.id for d in test]), proba, truth


def _per_document(pred: dict, docs: Sequence[SemevalDocument], taxonomy: Taxonomy) -> dict[str, np.ndarray]:
    """Official per-document F1 of ``pred`` and of the 'Other everywhere' baseline, coarse and fine."""
    gold = {d.id: (d.narratives, d.subnarratives) for d in docs}
    model = score_subtask2(pred, gold, taxonomy)["per_document"]
    base = score_subtask2({i: ([OTHER], [OTHER]) for i in gold}, gold, taxonomy)["per_document"]
    return {"coarse": np.array([model[d.id][0] for d in docs]), "fine": np.array([model[d.id][1] for d in docs]),
            "base_coarse": np.array([base[d.id][0] for d in docs]), "base_fine": np.array([base[d.id][1] for d in docs])}


def _as_labels(predictions: list[tuple[list[tuple[str, float]], list[tuple[str, float]]]], ids: list[str]) -> dict:
    return {i: ([n for n, _ in nars], [s for s, _ in subs]) for i, (nars, subs) in zip(ids, predictions)}


def cross_validate(docs: Sequence[SemevalDocument], *, n_folds: int = 5, n_repeats: int = 1, random_state: int = 0,
                   taxonomy: Taxonomy | None = None, per_language_thresholds: bool = True,
                   progress: Any = None, **params: Any) -> dict[str, Any]:
    """Repeated nested cross-validation of :func:`train_model`, folds grouped by near-duplicate copies.

    Repeat ``r`` shuffles with seed ``random_state + r``; folds are stratified by language and ``Other``. Every
    figure is the official samples-F1 per language: ``mean`` over documents and repeats, ``std`` over repeats,
    and a 95 % interval (``low``, ``high``) by bootstrap over near-duplicate groups of the per-document values
    (averaged over repeats). Also reported: the 'Other everywhere' baseline, the calibration of held-out
    probabilities, and evidence agreement with the subtask-3 explanations (:class:`EvidenceReference`).
    ``predictions`` holds every document's held-out labels of the first repeat.
    """
    taxonomy = taxonomy or load_taxonomy()
    docs = list(docs)
    groups = near_duplicate_groups(docs)
    reference = EvidenceReference(docs)
    position = {d.id: i for i, d in enumerate(docs)}
    per_doc: dict[str, np.ndarray] = {}
    repeat_means: dict[str, dict[str, list[float]]] = {}
    held_out_proba, held_out_truth, evidence = [], [], []
    first_labels: dict[str, tuple[list[str], list[str]]] = {}
    for repeat in range(n_repeats):
        seed = random_state + repeat
        folds = StratifiedGroupKFold(n_folds, shuffle=True, random_state=seed).split(np.zeros(len(docs)), _strata(docs), groups)
        labels: dict[str, tuple[list[str], list[str]]] = {}
        for k, (train_idx, test_idx) in enumerate(folds):
            train = [docs[i] for i in train_idx]
            test = [docs[i] for i in test_idx]
            model, _ = train_model(train, taxonomy=taxonomy, per_language_thresholds=per_language_thresholds,
                                   random_state=seed, groups=[groups[i] for i in train_idx], **params)
            pred, proba, truth = _fold_predictions(model, test)
            labels.update(pred)
            if repeat == 0:
                held_out_proba.append(proba)
                held_out_truth.append(truth)
                evidence += [r for r in (reference.judge(model, d) for d in test) if r is not None]
            if progress:
                fold = _per_document(pred, test, taxonomy)
                progress(repeat * n_folds + k + 1, n_folds * n_repeats, fold["coarse"].mean(), fold["fine"].mean())
        scores = _per_document(labels, docs, taxonomy)
        for key, values in scores.items():
            per_doc[key] = per_doc.get(key, 0) + values / n_repeats
        for lang in sorted({d.lang for d in docs}) + ["all"]:
            rows = np.array([lang in ("all", d.lang) for d in docs])
            for key, values in scores.items():
                repeat_means.setdefault(lang, {}).setdefault(key, []).append(float(values[rows].mean()))
        if repeat == 0:
            first_labels = labels
    # classes differ a little between folds (rare labels); calibration is measured on each fold's own classes
    cal = calibration(np.concatenate([p.ravel() for p in held_out_proba]),
                      np.concatenate([t.ravel() for t in held_out_truth]))
    return {
        "folds": n_folds,
        "repeats": n_repeats,
        "random_state": random_state,
        "per_language": _figures(per_doc, docs, groups, repeat_means),
        "calibration": cal,
        "evidence": _evidence_figures(evidence),
        "predictions": {d.id: first_labels[d.id] for d in sorted(docs, key=lambda d: position[d.id])},
    }


def evaluate_heldout(dev: Sequence[SemevalDocument], heldout: Sequence[SemevalDocument], *, random_state: int = 0,
                     taxonomy: Taxonomy | None = None, per_language_thresholds: bool = True,
                     **params: Any) -> dict[str, Any]:
    """Train on ``dev`` (all tuning inside it) and score ``heldout`` once: the same figures as
    :func:`cross_validate` for one split, intervals by bootstrap over the held-out near-duplicate groups."""
    taxonomy = taxonomy or load_taxonomy()
    heldout = list(heldout)
    model, _ = train_model(dev, taxonomy=taxonomy, per_language_thresholds=per_language_thresholds,
                           random_state=random_state, **params)
    pred, _, _ = _fold_predictions(model, heldout)
    reference = EvidenceReference(heldout)
    evidence = [r for r in (reference.judge(model, d) for d in heldout) if r is not None]
    return {"per_language": _figures(_per_document(pred, heldout, taxonomy), heldout, near_duplicate_groups(heldout)),
            "evidence": _evidence_figures(evidence), "predictions": pred}


def evaluate_reviews(model: NarrativeModel, reviewed: Sequence[SemevalDocument],
                     taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """Agreement of ``model`` with reviewers' labels (:func:`narrascope.review.reviewed_documents`): official
    samples-F1, coarse and fine, with 95 % intervals over documents, beside the 'Other everywhere' baseline.
    Documents the model was trained on (``model.info["reviewed_documents"]``) are left out and counted."""
    taxonomy = taxonomy or load_taxonomy()
    trained = set(model.info.get("reviewed_documents", []))
    docs = [d for d in reviewed if d.id not in trained]
    out: dict[str, Any] = {"n_documents": len(docs), "excluded_trained_on": len(reviewed) - len(docs)}
    if not docs:
        return out
    pred, _, _ = _fold_predictions(model, docs)
    per_doc = _per_document(pred, docs, taxonomy)
    groups = [d.id for d in docs]
    for key, values in per_doc.items():
        low, high = _interval(values, groups)
        out[key] = {"mean": float(values.mean()), "low": low, "high": high}
    return out


def split_heldout(docs: Sequence[SemevalDocument]) -> tuple[list[SemevalDocument], list[SemevalDocument]]:
    """``(development, held-out)`` parts of the SemEval-2025 training corpus by the packaged fixed split."""
    heldout = packaged_split("semeval2025-task10")
    return [d for d in docs if d.id not in heldout], [d for d in docs if d.id in heldout]


def label_file_hashes(semeval_dir: str | Path, langs: Sequence[str] | None = None) -> dict[str, str]:
    """sha256 of each label file used for training (subtask 2 labels, subtask 3 explanations), keyed by its path
    relative to ``semeval_dir``."""
    root = Path(semeval_dir)
    out = {}
    for path in sorted((root / "labels").glob("*/subtask-[23]-annotations.txt")):
        if langs and path.parent.name not in {lang.upper() for lang in langs}:
            continue
        out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out
