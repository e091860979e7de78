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

from narrascope.models.entity_roles import EntityRoleClassifier, MentionContext
from narrascope.semeval.subtask1 import MentionRow, locate_mention, read_mentions, score_subtask1

__all__ = ["LabelledMention", "load_subtask1", "cross_validate", "data_fingerprint", "LANGS"]

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
    """Gold subtask-1 mentions of ``root/labels/<LANG>/subtask-1-annotations.txt`` with their raw documents."""
    root = Path(root)
    out = []
    for lang in langs:
        texts: dict[str, str] = {}
        for row in read_mentions(root / "labels" / lang / "subtask-1-annotations.txt"):
            if row.doc_id not in texts:
                texts[row.doc_id] = (root / "raw-documents" / lang / row.doc_id).read_text(encoding="utf-8")
            text = texts[row.doc_id]
            start, end = locate_mention(text, row.mention, row.start, row.end)
            out.append(LabelledMention(row, MentionContext(text, start, end, lang.lower())))
    return out


def data_fingerprint(root: str | Path, langs: tuple[str, ...] = LANGS) -> dict[str, str]:
    """sha256 (first 16 hex digits) of each language's annotation file, for the model card."""
    root = Path(root)
    return {
        lang: hashlib.sha256((root / "labels" / lang / "subtask-1-annotations.txt").read_bytes()).hexdigest()[:16]
        for lang in langs
    }


def _fit(model: EntityRoleClassifier, data: list[LabelledMention]) -> EntityRoleClassifier:
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
        model = _fit(EntityRoleClassifier(**params), train)  # type: ignore[arg-type]
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
    args = parser.parse_args(argv)
    params = json.loads(args.params)
    if "views" in params:
        params["views"] = tuple(params["views"])
    data = load_subtask1(args.semeval)
    results = {}
    if args.folds > 1:
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
    if args.out:
        model = _fit(EntityRoleClassifier(**params), data)
        model.save(
            args.out,
            metadata={
                "trained_on": "SemEval-2025 Task 10 subtask-1 training annotations (EN, BG, HI, PT, RU)",
                "mentions": len(data),
                "annotation_sha256_16": data_fingerprint(args.semeval),
                "cv": {lang: {k: v["mean"] for k, v in r.items()} for lang, r in results.items()},
            },
        )
        print(f"saved model to {args.out}")


if __name__ == "__main__":
    main()
