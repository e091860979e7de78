"""Training and evaluation of the technique model on SemEval-2023 Task 3 (English, Russian), and PTC spans.

The protocol keeps every figure honest about articles the model never saw:

- a fixed held-out split per language (``packaged_split("semeval2023-task3-<lang>")``: 20 % of the near-duplicate
  groups, chosen by id hash) is never used for any choice; :func:`evaluate_heldout` trains on the rest and scores it
  once;
- cross-validation runs on the development part only, with folds that keep near-duplicate articles (re-published,
  extended or cut versions of one story, :data:`~narrascope.semeval.task3_2023.DUPLICATE_JACCARD`) together, and is
  repeated with different fold assignments;
- everything learned from data (vocabularies, weights, thresholds, the cue lexicon, which techniques are
  phrase-like, the baseline's technique) is fitted on the training folds only, inside :meth:`TechniqueModel.fit`;
- intervals are 95 % percentile intervals of paragraph micro-F1 over a bootstrap of articles, so the CV interval and
  the held-out interval describe the same kind of uncertainty and can be compared.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from narrascope.models.techniques import TechniqueClassifier, TechniqueModel, split_sentences
from narrascope.semeval import task3_2023 as task
from narrascope.semeval.splits import duplicate_groups, packaged_split

SpanMap = dict[str, list[tuple[str, int, int]]]
GoldMap = dict[tuple[str, int], set[str]]
BOOTSTRAP_SAMPLES = 1000


def load_task_data(data_dir: str | Path) -> tuple[dict[str, str], SpanMap, GoldMap]:
    """Articles, gold spans and gold paragraph labels of a SemEval-2023 subtask-3 language folder (e.g. ``en/``)."""
    data_dir = Path(data_dir)
    articles = task.read_articles(data_dir / "train-articles-subtask-3")
    if not articles:
        raise FileNotFoundError(f"no article<ID>.txt files in {data_dir / 'train-articles-subtask-3'}")
    spans = task.read_spans(data_dir / "train-labels-subtask-3-spans")
    gold = task.read_paragraph_labels(data_dir / "train-labels-subtask-3.txt")
    return articles, spans, gold


def data_fingerprint(data_dir: str | Path) -> dict[str, str]:
    """sha256 of a language folder's paragraph labels and of its span label files (in name order), for the model's
    metadata."""
    data_dir = Path(data_dir)
    spans = hashlib.sha256()
    for path in sorted((data_dir / "train-labels-subtask-3-spans").glob("*.txt")):
        spans.update(path.read_bytes())
    return {"paragraphs": hashlib.sha256((data_dir / "train-labels-subtask-3.txt").read_bytes()).hexdigest(),
            "spans": spans.hexdigest()}


def heldout_split(lang: str) -> set[str]:
    """The packaged held-out article ids of a language: never trained on, tuned on or cross-validated."""
    return packaged_split(f"semeval2023-task3-{lang}")


def development_part(articles: dict[str, str], lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """``(development, held_out)`` articles of a language's training release."""
    held = heldout_split(lang)
    return {i: t for i, t in articles.items() if i not in held}, {i: t for i, t in articles.items() if i in held}


def load_ptc_spans(ptc_dir: str | Path) -> SpanMap:
    """PTC technique spans mapped to the 2023 names (the two merged PTC classes are dropped)."""
    return task.read_spans(Path(ptc_dir) / "train-task2-TC.labels", task.PTC_TO_2023)


def merge_spans(base: SpanMap, extra: SpanMap, articles: dict[str, str]) -> SpanMap:
    """Union of two span sets, restricted to ``articles`` (the PTC texts share offsets with the 2023 ones)."""
    return {doc_id: sorted(set(base.get(doc_id, [])) | set(extra.get(doc_id, []))) for doc_id in articles}


def article_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence offsets of a task article, split per paragraph as in training."""
    return [s for _, start, end in task.paragraphs(text) for s in split_sentences(text, start, end)]


def predict_article(model: TechniqueModel, text: str) -> list[tuple[str, int, int, float]]:
    """Technique spans of one task article."""
    return model.predict_spans(text, article_sentences(text))


def grouped_folds(articles: dict[str, str], folds: int, seed: int) -> dict[str, int]:
    """Fold of every article; near-duplicate articles share a fold, groups are dealt to folds in a seeded order."""
    groups = duplicate_groups(articles, task.DUPLICATE_JACCARD)
    names = sorted(set(groups.values()))
    if len(names) < folds:
        raise ValueError(f"{len(articles)} articles form {len(names)} groups of near-duplicates: too few for {folds} folds")
    order = np.random.RandomState(seed).permutation(len(names))
    fold_of_group = {names[j]: i % folds for i, j in enumerate(order)}
    return {doc_id: fold_of_group[group] for doc_id, group in groups.items()}


def majority_technique(gold: GoldMap, techniques: Sequence[str] = task.TECHNIQUES) -> str:
    """The technique on most paragraphs of ``gold``: the trivial baseline labels every paragraph with it."""
    return max(techniques, key=lambda t: sum(t in labels for labels in gold.values()))


def fit_model(articles: dict[str, str], spans: SpanMap, lang: str, classifier_params: dict | None = None) -> TechniqueModel:
    """A technique model fitted on ``articles`` only (thresholds, lexicon and phrase-likeness included)."""
    return TechniqueModel.fit(articles, spans, classifier=TechniqueClassifier(**(classifier_params or {})), language=lang)


def _paragraph_predictions(model: TechniqueModel, articles: dict[str, str]) -> tuple[GoldMap, SpanMap]:
    paragraphs: GoldMap = {}
    spans: SpanMap = {}
    for doc_id, text in articles.items():
        spans[doc_id] = [(t, s, e) for t, s, e, _ in predict_article(model, text)]
        paragraphs.update(task.paragraph_labels_from_spans(doc_id, text, spans[doc_id]))
    return paragraphs, spans


def _article_counts(pred: GoldMap, gold: GoldMap, ids: Sequence[str], techniques: Sequence[str]) -> np.ndarray:
    """``(articles, 3)`` micro tp, fp, fn per article, for the bootstrap."""
    names = set(techniques)
    row = {doc_id: i for i, doc_id in enumerate(ids)}
    counts = np.zeros((len(ids), 3))
    for key, labels in gold.items():
        if key[0] not in row:
            continue
        g, p = labels & names, pred.get(key, set()) & names
        counts[row[key[0]]] += (len(g & p), len(p - g), len(g - p))
    return counts


def _micro_f1(counts: np.ndarray) -> np.ndarray:
    """Micro-F1 from tp, fp, fn summed over the second-to-last axis (any leading axes are kept)."""
    tp, fp, fn = (counts.sum(-2)[..., i] for i in range(3))
    return 2 * tp / np.maximum(2 * tp + fp + fn, 1)


def bootstrap_interval(counts: np.ndarray, samples: int = BOOTSTRAP_SAMPLES, seed: int = 0) -> tuple[float, float]:
    """95 % percentile interval of micro-F1 over articles resampled with replacement.

    ``counts`` is ``(articles, 3)`` for one prediction, or ``(repeats, articles, 3)`` for repeated CV: the same
    article resample is applied to every repeat and the repeats' F1 values are averaged, so the interval is that of
    the repeated-CV mean.
    """
    counts = counts if counts.ndim == 3 else counts[None]
    rng = np.random.RandomState(seed)
    n = counts.shape[1]
    values = np.array([_micro_f1(counts[:, rng.randint(0, n, n)]).mean() for _ in range(samples)])
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def _scores(pred: GoldMap, pred_spans: SpanMap, articles: dict[str, str], spans: SpanMap, gold: GoldMap, techniques) -> dict:
    ids = sorted(articles)
    part_gold = {k: v for k, v in gold.items() if k[0] in articles}
    result = task.score_paragraphs(pred, part_gold, techniques)
    result.update({f"span_{k}": v for k, v in task.score_spans(pred_spans, {i: spans.get(i, []) for i in ids}).items()})
    return result


def cross_validate(
    articles: dict[str, str],
    spans: SpanMap,
    gold: GoldMap,
    *,
    lang: str = "en",
    folds: int = 5,
    repeats: int = 3,
    seed: int = 0,
    extra_spans: SpanMap | None = None,
    classifier_params: dict | None = None,
    techniques: tuple[str, ...] = task.TECHNIQUES,
    log: Callable[[str], None] = print,
) -> dict:
    """Repeated grouped k-fold CV on ``articles`` (pass the development part); pooled out-of-fold scores per repeat.

    Returns ``{"repeats": [...], "summary": {...}}``: per repeat the paragraph and span scores of all out-of-fold
    predictions pooled, and the trivial baseline (the training folds' most frequent technique on every paragraph);
    the summary gives their means over repeats with bootstrap intervals.
    """
    ids = sorted(articles)
    model_counts, baseline_counts, runs = [], [], []
    for repeat in range(repeats):
        fold_of = grouped_folds(articles, folds, seed + repeat)
        pred: GoldMap = {}
        pred_spans: SpanMap = {}
        baseline: GoldMap = {}
        for fold in range(folds):
            started = time.time()
            train = {i: articles[i] for i in ids if fold_of[i] != fold}
            test = {i: articles[i] for i in ids if fold_of[i] == fold}
            train_spans = merge_spans(spans, extra_spans, train) if extra_spans else {i: spans.get(i, []) for i in train}
            model = fit_model(train, train_spans, lang, classifier_params)
            fold_pred, fold_spans = _paragraph_predictions(model, test)
            pred.update(fold_pred)
            pred_spans.update(fold_spans)
            majority = majority_technique({k: v for k, v in gold.items() if k[0] in train}, techniques)
            baseline.update({k: {majority} for k in gold if k[0] in test})
            log(f"repeat {repeat} fold {fold}: {len(test)} articles ({time.time() - started:.0f} s)")
        run = _scores(pred, pred_spans, articles, spans, gold, techniques)
        development_gold = {k: v for k, v in gold.items() if k[0] in articles}
        run["baseline_micro_f1"] = task.score_paragraphs(baseline, development_gold, techniques)["micro_f1"]
        runs.append(run)
        model_counts.append(_article_counts(pred, gold, ids, techniques))
        baseline_counts.append(_article_counts(baseline, gold, ids, techniques))
        log(f"repeat {repeat}: paragraph micro-F1 {run['micro_f1']:.3f} (baseline {run['baseline_micro_f1']:.3f})")
    summary: dict[str, float | tuple[float, float]] = {key: float(np.mean([run[key] for run in runs])) for key in runs[0]}
    summary["micro_f1_interval"] = bootstrap_interval(np.array(model_counts), seed=seed)
    summary["baseline_micro_f1_interval"] = bootstrap_interval(np.array(baseline_counts), seed=seed)
    summary["micro_f1_repeat_std"] = float(np.std([run["micro_f1"] for run in runs]))
    return {"repeats": runs, "summary": summary, "articles": len(ids), "folds": folds, "seed": seed}


def evaluate_heldout(
    development: dict[str, str],
    heldout: dict[str, str],
    spans: SpanMap,
    gold: GoldMap,
    *,
    lang: str = "en",
    extra_spans: SpanMap | None = None,
    classifier_params: dict | None = None,
    techniques: tuple[str, ...] = task.TECHNIQUES,
) -> dict:
    """Train on the development articles, score the held-out ones once; with the baseline and bootstrap intervals."""
    train_spans = merge_spans(spans, extra_spans, development) if extra_spans else {i: spans.get(i, []) for i in development}
    model = fit_model(development, train_spans, lang, classifier_params)
    pred, pred_spans = _paragraph_predictions(model, heldout)
    result = _scores(pred, pred_spans, heldout, spans, gold, techniques)
    majority = majority_technique({k: v for k, v in gold.items() if k[0] in development}, techniques)
    baseline = {k: {majority} for k in gold if k[0] in heldout}
    heldout_gold = {k: v for k, v in gold.items() if k[0] in heldout}
    result["baseline_micro_f1"] = task.score_paragraphs(baseline, heldout_gold, techniques)["micro_f1"]
    ids = sorted(heldout)
    result["micro_f1_interval"] = bootstrap_interval(_article_counts(pred, gold, ids, techniques))
    result["baseline_micro_f1_interval"] = bootstrap_interval(_article_counts(baseline, gold, ids, techniques))
    result["baseline_technique"] = majority
    result["articles"] = len(ids)
    return result
