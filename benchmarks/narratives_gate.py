"""How much of the narrative model's error is the ``Other`` decision (does the document carry any narrative at all)?

One 5-fold cross-validation of the shipped setting on the development part of the SemEval-2025 Task 10 training
data (folds grouped by near-duplicate copies, seed 0; the held-out split is never read). Per language:
- samples-F1 (coarse / fine) of the model as decoded, and with a perfect ``Other`` decision: gold-``Other``
  documents get ``Other``, every other document gets the model's narratives above its threshold, or its most
  probable narrative when none passes; how many documents that carry a narrative are decoded ``Other``, and the
  coarse F1 of those where the model names narratives;
- how well ``Other`` documents are told apart (ROC AUC): the model's calibrated ``P(Other)``; logistic regressions
  trained in the same training fold on the whole document's word and character n-grams, on the density of
  persuasion techniques (mean, max and share above threshold of each technique's sentence probability under
  narrascope's technique model, English and Russian), and, with ``--lead-cache`` (the MiniLM lead vectors cached by
  ``narratives_encoder_cv.py --view lead``), on those vectors; and the sum of the standardised n-gram score with each
  of the other two. AUCs are given where a language has at least 10 ``Other`` documents.

    PYTHONPATH=src nice -n 5 .venv/bin/python benchmarks/narratives_gate.py \
        [--lead-cache /tmp/narrascope-narratives-minilm-lead.npz] --out benchmarks/results/narratives-gate.json \
        [--record src/narrascope/resources/models/narratives]

``--record`` adds the figures to the model folder's ``diagnostics.json`` (shown in its MODEL_CARD.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import sys
from pathlib import Path

import numpy as np
from _development import SHARED, narrative_development
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold

MIN_OTHER = 10  # fewer Other documents than this (Russian has 2) give no AUC worth reading


def text_gate(train: list[str], y: np.ndarray, test: list[str]) -> np.ndarray:
    """Decision scores of a balanced logistic regression (C 10) on word 1-2-gram and char 2-5-gram TF-IDF."""
    word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, max_features=30000, sublinear_tf=True)
    x_train = sparse.hstack([word.fit_transform(train), char.fit_transform(train)]).tocsr()
    x_test = sparse.hstack([word.transform(test), char.transform(test)]).tocsr()
    return LogisticRegression(C=10, max_iter=3000, class_weight="balanced").fit(x_train, y).decision_function(x_test)


def technique_density(docs) -> np.ndarray:
    """Per document: mean, max and share above threshold of each technique's sentence probability, and the log
    sentence count; NaN rows for languages without a technique model."""
    from narrascope.models import packaged_model_dir
    from narrascope.models.techniques import TechniqueModel, Unit, _line_around
    from narrascope.text.sentences import split_sentences

    models = {lang: TechniqueModel.load(packaged_model_dir("techniques") / lang) for lang in ("en", "ru")}
    rows = []
    for d in docs:
        model = models.get(d.lang.lower())
        if model is None:
            rows.append(None)
            continue
        sentences = split_sentences(d.text) or [(0, len(d.text))]
        p = model.classifier.predict_proba([Unit(d.text[s:e], _line_around(d.text, s, e)) for s, e in sentences])
        rows.append(np.concatenate([p.mean(0), p.max(0), (p >= model.classifier.thresholds_).mean(0),
                                    [np.log(len(sentences))]]))
    width = next(len(r) for r in rows if r is not None)
    return np.array([r if r is not None else np.full(width, np.nan) for r in rows])


def dense_gate(x_train: np.ndarray, y: np.ndarray, x_test: np.ndarray, c: float) -> np.ndarray:
    """Decision scores of a balanced logistic regression on standardised dense features."""
    mean, std = x_train.mean(0), x_train.std(0) + 1e-9
    return LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(
        (x_train - mean) / std, y).decision_function((x_test - mean) / std)


def oracle_labels(model, proba: np.ndarray, lang: str, gold_other: bool) -> tuple[list[str], list[str]]:
    """The model's labels for one document when the ``Other`` decision is taken from the gold labels."""
    from narrascope.models.narratives import OTHER, HierarchyDecoder

    if gold_other:
        return [OTHER], [OTHER]
    t_nar, t_sub, _ = model.decoder.thresholds(lang)
    scores = dict(zip(model.classes, proba))
    top = max(scores[n] for n in model.children)
    decoder = HierarchyDecoder(min(t_nar, top), t_sub, 1.01)
    narratives, subs = decoder.decode(proba, model.classes, model.children, lang)
    return [n for n, _ in narratives], [s for s, _ in subs]


def standardised(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lead-cache", type=Path, help="MiniLM lead vectors (npz of keys = text sha256, vectors)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--record", type=Path, help="narrative model folder whose diagnostics.json gets the figures")
    args = parser.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"SemEval-2025 training data not found at {SHARED}")
    from narrascope.models.narratives import OTHER
    from narrascope.models.training import _fold_predictions, _per_document, _strata, train_model

    docs, groups, taxonomy = narrative_development()
    is_other = np.array([d.narratives == [OTHER] for d in docs])
    lead: dict[str, np.ndarray] = {}
    if args.lead_cache:
        with np.load(args.lead_cache) as stored:
            lead = dict(zip(stored["keys"].tolist(), stored["vectors"]))
    keys = [hashlib.sha256(d.text.encode("utf-8")).hexdigest() for d in docs]
    density = technique_density(docs)
    p_other, text_score, lead_score, technique_score = (np.full(len(docs), np.nan) for _ in range(4))
    decoded, oracle = {}, {}
    splitter = StratifiedGroupKFold(5, shuffle=True, random_state=args.seed)
    for train_idx, test_idx in splitter.split(np.zeros(len(docs)), _strata(docs), groups):
        train, test = [docs[i] for i in train_idx], [docs[i] for i in test_idx]
        model, _ = train_model(train, taxonomy=taxonomy, random_state=args.seed, groups=[groups[i] for i in train_idx])
        labels, proba, _ = _fold_predictions(model, test)
        decoded.update(labels)
        p_other[test_idx] = proba[:, model.classes.index(OTHER)]
        for d, row in zip(test, proba):
            oracle[d.id] = oracle_labels(model, row, d.lang.lower(), d.narratives == [OTHER])
        text_score[test_idx] = text_gate([d.text for d in train], is_other[train_idx], [d.text for d in test])
        for lang in ("EN", "RU"):
            rows_train = [i for i in train_idx if docs[i].lang == lang]
            rows_test = [i for i in test_idx if docs[i].lang == lang]
            if len(set(is_other[rows_train])) == 2 and rows_test:
                technique_score[rows_test] = dense_gate(density[rows_train], is_other[rows_train], density[rows_test], 0.1)
        cached_train = [i for i in train_idx if keys[i] in lead]
        cached_test = [i for i in test_idx if keys[i] in lead]
        if cached_train and cached_test:
            x = lambda rows: np.stack([lead[keys[i]] for i in rows])  # noqa: E731
            lead_score[cached_test] = LogisticRegression(C=1, max_iter=3000, class_weight="balanced").fit(
                x(cached_train), is_other[cached_train]).decision_function(x(cached_test))
        print(f"  fold done: {len(test)} documents", flush=True)
    as_decoded, as_oracle = _per_document(decoded, docs, taxonomy), _per_document(oracle, docs, taxonomy)
    said_other = np.array([decoded[d.id][0] == [OTHER] for d in docs])
    langs = np.array([d.lang for d in docs])
    figures = {}
    for lang in sorted(set(langs)) + ["all"]:
        rows = np.ones(len(docs), bool) if lang == "all" else langs == lang
        row = {"documents": int(rows.sum()), "other_documents": int(is_other[rows].sum()),
               "decoded": [float(as_decoded[k][rows].mean()) for k in ("coarse", "fine")],
               "perfect_other_decision": [float(as_oracle[k][rows].mean()) for k in ("coarse", "fine")],
               "other_baseline": float(as_decoded["base_coarse"][rows].mean())}
        missed = rows & ~is_other & said_other
        named = rows & ~is_other & ~said_other
        if (rows & ~is_other).any():
            row["narrative_documents_decoded_other"] = int(missed.sum())
            row["coarse_where_narratives_named"] = float(as_decoded["coarse"][named].mean()) if named.any() else None
        if is_other[rows].sum() >= MIN_OTHER:
            row["auc_model_p_other"] = float(roc_auc_score(is_other[rows], p_other[rows]))
            row["auc_text_gate"] = float(roc_auc_score(is_other[rows], text_score[rows]))
        if is_other[rows].sum() >= MIN_OTHER and lang != "all":  # one language at a time: scales differ
            for name, score in (("lead", lead_score), ("technique", technique_score)):
                covered = rows & ~np.isnan(score)
                if covered.sum() and 0 < is_other[covered].sum() < covered.sum():
                    row[f"{name}_documents"] = int(covered.sum())
                    row[f"auc_{name}_gate"] = float(roc_auc_score(is_other[covered], score[covered]))
                    both = standardised(text_score[covered]) + standardised(score[covered])
                    row[f"auc_text_plus_{name}_gate"] = float(roc_auc_score(is_other[covered], both))
        figures[lang] = row
    command = "PYTHONPATH=src .venv/bin/python benchmarks/narratives_gate.py " + shlex.join(sys.argv[1:])
    result = {"folds": 5, "seed": args.seed, "command": command, "per_language": figures}
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    if args.record:
        from narrascope.models import DIAGNOSTICS_RECORD
        from narrascope.models.narratives_card import add_record

        add_record(args.record, DIAGNOSTICS_RECORD, {"kind": "other_decision", **result},
                   key=lambda r: (r["kind"], r.get("seed")))


if __name__ == "__main__":
    main()
