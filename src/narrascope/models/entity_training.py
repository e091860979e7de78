"""Training data, cross-validation and training of the entity-role estimator on SemEval-2025 Task 10 subtask 1.

Run ``python -m narrascope.models.entity_training --semeval ../shared/data/semeval2025-task10/train --folds 5``
for the cross-validated figures, add ``--out DIR`` to also train on everything and save the model there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from narrascope.analysers.entities import MentionFinder, learn_gazetteer
from narrascope.models.entity_roles import EntityRoleClassifier, MentionContext
from narrascope.semeval.corpus import load_corpus
from narrascope.semeval.subtask1 import MentionRow, locate_mention, score_subtask1

__all__ = [
    "LabelledMention",
    "load_subtask1",
    "fit_mentions",
    "cross_validate",
    "mention_recall",
    "train_and_save",
    "data_fingerprint",
    "LANGS",
]

LANGS = ("EN", "BG", "HI", "PT", "RU")
METRICS = ("main_accuracy", "exact_match", "micro_f1")


@dataclass(frozen=True)
class LabelledMention:
    """A gold mention: its file row (official offsets) and the context the estimator reads."""

    row: MentionRow
    context: MentionContext

    @property
    def lang(self) -> str:
        return self.context.lang


def load_subtask1(root: str | Path, langs: tuple[str, ...] = LANGS) -> list[LabelledMention]:
    """Gold subtask-1 mentions of a SemEval-2025 Task 10 folder (via :func:`narrascope.semeval.load_corpus`), each
    located in its document (the released offsets are often a few characters off; see ``locate_mention``)."""
    out = []
    for doc in load_corpus(root, list(langs)):
        for m in doc.mentions:
            row = MentionRow(doc.id, m.text, m.start, m.end - 1, m.main_role, tuple(m.fine_roles))
            start, end = locate_mention(doc.text, m.text, row.start, row.end)
            out.append(LabelledMention(row, MentionContext(doc.text, start, end, doc.lang.lower())))
    return out


def data_fingerprint(root: str | Path, langs: tuple[str, ...] = LANGS) -> dict[str, str]:
    """sha256 (first 16 hex digits) of each language's annotation file, for the model card."""
    root = Path(root)
    return {
        lang: hashlib.sha256((root / "labels" / lang / "subtask-1-annotations.txt").read_bytes()).hexdigest()[:16]
        for lang in langs
    }


def fit_mentions(model: EntityRoleClassifier, data: list[LabelledMention]) -> EntityRoleClassifier:
    """Fit ``model`` on gold mentions: their contexts, main roles and fine roles."""
    return model.fit(
        [m.context for m in data], [m.row.main_role or "" for m in data], [m.row.fine_roles for m in data]
    )


def _predicted_rows(model: EntityRoleClassifier, data: list[LabelledMention]) -> list[MentionRow]:
    predictions = model.predict_roles([m.context for m in data])
    return [
        MentionRow(m.row.doc_id, m.row.mention, m.row.start, m.row.end, p.main_role, tuple(p.fine_roles))
        for m, p in zip(data, predictions)
    ]


def _majority_rows(train: list[LabelledMention], test: list[LabelledMention]) -> list[MentionRow]:
    """Baseline: per language, the most frequent main role of the training folds and its most frequent fine role."""
    rows = []
    for m in test:
        same = [t for t in train if t.lang == m.lang]
        main = Counter(t.row.main_role for t in same).most_common(1)[0][0]
        fine = Counter(f for t in same if t.row.main_role == main for f in t.row.fine_roles).most_common(1)[0][0]
        rows.append(MentionRow(m.row.doc_id, m.row.mention, m.row.start, m.row.end, main, (fine,)))
    return rows


def cross_validate(
    data: list[LabelledMention], folds: int = 5, seed: int = 0, thresholds: tuple[float, ...] = (), **params: object
) -> dict[str, dict[str, dict[str, float]]]:
    """Document-grouped k-fold CV; per language (and ``ALL``): mean and std over folds of each metric.

    The model is trained on all languages in every fold. ``thresholds`` additionally scores alternative
    ``fine_threshold`` values on the same fitted folds (reported as ``exact_match@t``), for choosing it.
    """
    groups = [m.row.doc_id for m in data]
    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    per_fold: dict[str, dict[str, list[float]]] = {}

    def record(lang: str, name: str, value: float) -> None:
        per_fold.setdefault(lang, {}).setdefault(name, []).append(value)

    for train_idx, test_idx in splitter.split(np.zeros(len(data)), groups=groups):
        train = [data[i] for i in train_idx]
        test = [data[i] for i in test_idx]
        model = fit_mentions(EntityRoleClassifier(**params), train)  # type: ignore[arg-type]
        variants = {"": model.fine_threshold} | {f"@{t}": t for t in thresholds}
        baseline = _majority_rows(train, test)
        for suffix, threshold in variants.items():
            model.fine_threshold = threshold
            predicted = _predicted_rows(model, test)
            for lang in sorted({m.lang for m in test}) + ["ALL"]:
                keep = [i for i, m in enumerate(test) if lang == "ALL" or m.lang == lang]
                gold = [test[i].row for i in keep]
                scores = score_subtask1([predicted[i] for i in keep], gold)
                if suffix:
                    record(lang, "exact_match" + suffix, scores["exact_match"])
                    continue
                for name in METRICS:
                    record(lang, name, scores[name])
                base = score_subtask1([baseline[i] for i in keep], gold)
                for name in ("main_accuracy", "exact_match"):
                    record(lang, "baseline_" + name, base[name])
                record(lang, "n", scores["n"])
        model.fine_threshold = variants[""]
    return {
        lang: {
            name: {"mean": statistics.fmean(v), "std": statistics.pstdev(v) if name != "n" else 0.0, "sum": sum(v)}
            for name, v in metrics.items()
        }
        for lang, metrics in per_fold.items()
    }


def mention_recall(
    data: list[LabelledMention], folds: int = 5, seed: int = 0, english_gazetteer: bool = True
) -> dict[str, dict[str, float]]:
    """Recall of the mention finder against the gold mentions, per language, by document-grouped CV: the gazetteer
    is learned from the training folds' mentions only. ``exact``: a candidate has the gold span; ``overlap``: a
    candidate overlaps it. ``candidates_per_doc`` shows how many mentions the finder proposes."""
    by_doc: dict[str, list[LabelledMention]] = {}
    for m in data:
        by_doc.setdefault(m.row.doc_id, []).append(m)
    doc_ids = sorted(by_doc)
    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    totals: dict[str, Counter[str]] = {}
    for train_idx, test_idx in splitter.split(np.zeros(len(doc_ids)), groups=doc_ids):
        names = [(m.lang, m.row.mention) for i in train_idx for m in by_doc[doc_ids[i]]]
        gazetteer = learn_gazetteer(names)
        if not english_gazetteer:
            gazetteer.pop("en", None)
        finder = MentionFinder(gazetteer)
        for i in test_idx:
            gold = by_doc[doc_ids[i]]
            ctx = gold[0].context
            found = finder.find(ctx.text, ctx.lang, [(0, len(ctx.text))])
            spans = set(found)
            t = totals.setdefault(ctx.lang, Counter())
            t["docs"] += 1
            t["candidates"] += len(found)
            for m in gold:
                c = m.context
                t["gold"] += 1
                t["exact"] += (c.start, c.end) in spans
                t["overlap"] += any(s < c.end and c.start < e for s, e in found)
    return {
        lang: {
            "gold": t["gold"],
            "exact": t["exact"] / t["gold"],
            "overlap": t["overlap"] / t["gold"],
            "candidates_per_doc": t["candidates"] / t["docs"],
        }
        for lang, t in totals.items()
    }


def train_and_save(
    data: list[LabelledMention],
    out: str | Path,
    params: dict | None = None,
    cv: dict | None = None,
    fingerprint: dict[str, str] | None = None,
) -> EntityRoleClassifier:
    """Train on all ``data``, then save the model, its metadata (CV means, data hashes) and the gazetteer in ``out``."""
    model = fit_mentions(EntityRoleClassifier(**(params or {})), data)
    model.save(
        out,
        metadata={
            "trained_on": "SemEval-2025 Task 10 subtask-1 training annotations (EN, BG, HI, PT, RU)",
            "mentions": len(data),
            "annotation_sha256_16": fingerprint or {},
            "cv": {lang: {k: v["mean"] for k, v in r.items()} for lang, r in (cv or {}).items()},
        },
    )
    gazetteer = learn_gazetteer((m.lang, m.row.mention) for m in data)
    Path(out, "gazetteer.json").write_text(json.dumps(gazetteer, ensure_ascii=False) + "\n", encoding="utf-8")
    return model


def format_table(results: dict[str, dict[str, dict[str, float]]]) -> str:
    """Markdown table of cross-validation results."""
    lines = [
        "| lang | mentions | main-role acc | fine exact match | fine micro-F1 | majority main acc | majority exact |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    order = [lang.lower() for lang in LANGS] + ["ALL"]
    for lang in [x for x in order if x in results]:
        r = results[lang]
        cell = lambda k: f"{r[k]['mean']:.3f} ± {r[k]['std']:.3f}"  # noqa: E731
        lines.append(
            f"| {lang} | {int(r['n']['sum'])} | {cell('main_accuracy')} | {cell('exact_match')} | {cell('micro_f1')}"
            f" | {cell('baseline_main_accuracy')} | {cell('baseline_exact_match')} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--semeval", required=True, help="SemEval-2025 Task 10 train folder (labels/, raw-documents/)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--params", default="{}", help="JSON of EntityRoleClassifier keyword arguments")
    parser.add_argument("--thresholds", default="", help="comma-separated fine_threshold values to compare")
    parser.add_argument("--out", help="also train on all data and save the model in this folder")
    parser.add_argument("--json", help="write the CV results as JSON here")
    parser.add_argument("--recall", action="store_true", help="also measure mention-finder recall per language")
    parser.add_argument("--skip-cv", action="store_true", help="skip the role cross-validation")
    args = parser.parse_args(argv)
    params = json.loads(args.params)
    if "views" in params:
        params["views"] = tuple(params["views"])
    data = load_subtask1(args.semeval)
    results = {}
    if not args.skip_cv:
        t0 = time.time()
        thresholds = tuple(float(t) for t in args.thresholds.split(",") if t)
        results = cross_validate(data, folds=args.folds, seed=args.seed, thresholds=thresholds, **params)
        print(format_table(results))
        for lang, r in results.items():
            extra = {k: round(v["mean"], 3) for k, v in r.items() if k.startswith("exact_match@")}
            if extra:
                print(lang, extra)
        print(f"({args.folds}-fold CV grouped by document, {time.time() - t0:.0f} s)")
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.recall:
        english = [m for m in data if m.lang == "en"]
        for label, subset, english_gazetteer in (("spaCy NER + gazetteer", data, True), ("spaCy NER only", english, False)):
            recall = mention_recall(subset, folds=args.folds, seed=args.seed, english_gazetteer=english_gazetteer)
            print(f"mention recall ({label} for en; gazetteer learned on training folds):")
            for lang, r in recall.items():
                print(f"  {lang}: exact {r['exact']:.3f}  overlap {r['overlap']:.3f}  "
                      f"candidates/doc {r['candidates_per_doc']:.1f}  (gold {int(r['gold'])})")
    if args.out:
        train_and_save(data, args.out, params, results, data_fingerprint(args.semeval))
        print(f"saved model and gazetteer to {args.out}")


if __name__ == "__main__":
    main()
