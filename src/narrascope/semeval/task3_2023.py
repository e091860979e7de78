"""SemEval-2023 Task 3, subtask 3 (persuasion techniques): readers, paragraph numbering, writer and scorers.

Formats (UTF-8, tab-separated, no header):

- articles: ``article<ID>.txt``; a *paragraph* is one line of the file. Paragraphs are numbered by their
  1-based line number in the file, and empty lines get no entry (so ids often run 1, 3, 5, ... when the
  article separates paragraphs with blank lines);
- paragraph labels: ``ID<TAB>LINE<TAB>Tech1,Tech2`` (the third field empty when the paragraph has none);
  templates carry the paragraph text in that field instead;
- span labels: ``ID<TAB>Technique<TAB>start<TAB>end`` with 0-based, end-exclusive character offsets.

The official subtask-3 metric binarises each paragraph's technique set over the task's technique list and
computes micro-F1 (the ranking metric) and macro-F1 over (paragraph, technique) decisions; labels outside the
list are ignored. :func:`score_paragraphs` follows that, and also reports macro-F1 over the techniques that
occur in the gold file, because techniques absent from both files count as perfect under the official
``zero_division=1`` convention and inflate the official macro figure.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

# The 23 techniques of subtask 3, in the order of the task's label file.
TECHNIQUES: tuple[str, ...] = (
    "Appeal_to_Authority",
    "Appeal_to_Popularity",
    "Appeal_to_Values",
    "Appeal_to_Fear-Prejudice",
    "Flag_Waving",
    "Causal_Oversimplification",
    "False_Dilemma-No_Choice",
    "Consequential_Oversimplification",
    "Straw_Man",
    "Red_Herring",
    "Whataboutism",
    "Slogans",
    "Appeal_to_Time",
    "Conversation_Killer",
    "Loaded_Language",
    "Repetition",
    "Exaggeration-Minimisation",
    "Obfuscation-Vagueness-Confusion",
    "Name_Calling-Labeling",
    "Doubt",
    "Guilt_by_Association",
    "Appeal_to_Hypocrisy",
    "Questioning_the_Reputation",
)

# PTC (SemEval-2020 Task 11) names -> 2023 names. The two merged PTC classes
# ("Whataboutism,Straw_Men,Red_Herring" and "Bandwagon,Reductio_ad_hitlerum") each split into several
# 2023 techniques, so they cannot be mapped and are left out.
PTC_TO_2023: dict[str, str] = {
    "Loaded_Language": "Loaded_Language",
    "Name_Calling,Labeling": "Name_Calling-Labeling",
    "Repetition": "Repetition",
    "Doubt": "Doubt",
    "Exaggeration,Minimisation": "Exaggeration-Minimisation",
    "Appeal_to_fear-prejudice": "Appeal_to_Fear-Prejudice",
    "Flag-Waving": "Flag_Waving",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Slogans": "Slogans",
    "Black-and-White_Fallacy": "False_Dilemma-No_Choice",
    "Thought-terminating_Cliches": "Conversation_Killer",
}

# Word 5-gram Jaccard similarity (see :func:`narrascope.semeval.splits.duplicate_groups`) above which two task
# articles are one story: in the English training set, 12 pairs of articles were re-published with paragraphs
# added or cut (one contains at least half of the other) at Jaccard 0.21-0.47, below the default copy threshold.
DUPLICATE_JACCARD = 0.2
TRAINED_LANGUAGES = ("en", "ru")  # the languages whose training data narrascope uses (their folder names in the release)

ParagraphKey = tuple[str, int]  # (article id, 1-based line number)
SpanTuple = tuple[str, int, int]  # (technique, start, end), end exclusive

_ARTICLE_RE = re.compile(r"^article(\w+)\.txt$")  # not article<ID>-labels-...txt


def read_techniques(path: str | Path | None = None) -> tuple[str, ...]:
    """The technique list from a label file (one per line), or the built-in list of the task."""
    if path is None or not Path(path).exists():
        return TECHNIQUES
    return tuple(line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip())


def paragraphs(text: str) -> list[tuple[int, int, int]]:
    """``(line_number, start, end)`` for every non-empty line of ``text``, numbered as in the task's templates."""
    out = []
    pos = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            out.append((number, pos, pos + len(line)))
        pos += len(line) + 1
    return out


def read_articles(directory: str | Path) -> dict[str, str]:
    """``{article id: text}`` for every ``article<ID>.txt`` in ``directory`` (text read exactly, no newline translation)."""
    articles = {}
    for path in sorted(Path(directory).iterdir()):
        match = _ARTICLE_RE.match(path.name)
        if match:
            articles[match.group(1)] = path.read_bytes().decode("utf-8")
    return articles


def _span_lines(path: Path) -> Iterable[list[str]]:
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    for file in files:
        if file.is_file() and not file.name.endswith(".template"):
            for line in file.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    yield line.split("\t")


def read_spans(path: str | Path, mapping: Mapping[str, str] | None = None) -> dict[str, list[SpanTuple]]:
    """Span labels ``{article id: [(technique, start, end)]}`` from one file or a directory of per-article files.

    ``mapping`` renames techniques (e.g. :data:`PTC_TO_2023`); spans whose technique it lacks are dropped.
    """
    spans: dict[str, list[SpanTuple]] = defaultdict(list)
    for row in _span_lines(Path(path)):
        if len(row) < 4:
            continue
        technique = row[1] if mapping is None else mapping.get(row[1])
        if technique is not None:
            spans[row[0]].append((technique, int(row[2]), int(row[3])))
    return dict(spans)


def read_paragraph_labels(path: str | Path) -> dict[ParagraphKey, set[str]]:
    """Paragraph labels ``{(article id, line): {technique, ...}}`` (also reads an empty-label template's keys)."""
    labels: dict[ParagraphKey, set[str]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = line.split("\t")
        names = row[2] if len(row) > 2 else ""
        labels[(row[0], int(row[1]))] = {name.strip() for name in names.split(",") if name.strip()}
    return labels


def write_paragraph_labels(path: str | Path, labels: Mapping[ParagraphKey, Iterable[str]]) -> None:
    """Write ``ID<TAB>LINE<TAB>T1,T2`` rows, ordered by article id then line number."""
    rows = [f"{doc_id}\t{line}\t{','.join(sorted(labels[(doc_id, line)]))}\n" for doc_id, line in sorted(labels)]
    Path(path).write_text("".join(rows), encoding="utf-8")


def paragraph_labels_from_spans(doc_id: str, text: str, spans: Iterable[SpanTuple]) -> dict[ParagraphKey, set[str]]:
    """Paragraph labels implied by spans: a paragraph carries every technique whose span overlaps it.

    On the English training data this reproduces the released paragraph labels on 9496 of 9498 paragraphs
    (the two others are annotation slips in the release).
    """
    spans = list(spans)
    labels = {}
    for number, start, end in paragraphs(text):
        labels[(doc_id, number)] = {t for t, s, e in spans if s < end and start < e}
    return labels


def score_paragraphs(
    pred: Mapping[ParagraphKey, set[str]],
    gold: Mapping[ParagraphKey, set[str]],
    techniques: Iterable[str] = TECHNIQUES,
) -> dict[str, float]:
    """Micro- and macro-F1 over (paragraph, technique) decisions, on the paragraphs of ``gold``.

    A gold paragraph missing from ``pred`` counts as predicted empty. Returns ``micro_f1``, ``macro_f1``
    (official convention: over the whole technique list, a technique absent from both sides scores 1),
    ``macro_f1_gold`` (over techniques present in gold), and micro precision/recall.
    """
    names = list(dict.fromkeys(techniques))
    index = {t: i for i, t in enumerate(names)}
    keys = list(gold)
    g = np.zeros((len(keys), len(names)), dtype=bool)
    p = np.zeros_like(g)
    for row, key in enumerate(keys):
        for t in gold[key]:
            if t in index:
                g[row, index[t]] = True
        for t in pred.get(key, ()):
            if t in index:
                p[row, index[t]] = True
    tp = (g & p).sum(0)
    fp = (~g & p).sum(0)
    fn = (g & ~p).sum(0)
    precision = tp.sum() / max(tp.sum() + fp.sum(), 1)
    recall = tp.sum() / max(tp.sum() + fn.sum(), 1)
    micro = 2 * tp.sum() / max(2 * tp.sum() + fp.sum() + fn.sum(), 1)
    denominators = 2 * tp + fp + fn
    per_class = np.where(denominators > 0, 2 * tp / np.maximum(denominators, 1), 1.0)
    present = g.sum(0) > 0
    return {
        "micro_f1": float(micro),
        "micro_precision": float(precision),
        "micro_recall": float(recall),
        "macro_f1": float(per_class.mean()),
        "macro_f1_gold": float(per_class[present].mean()) if present.any() else 0.0,
        "paragraphs": float(len(keys)),
    }


def score_spans(
    pred: Mapping[str, Iterable[SpanTuple]], gold: Mapping[str, Iterable[SpanTuple]]
) -> dict[str, float]:
    """Span-level scores of predicted against gold technique spans, per article then pooled.

    ``partial_*``: the SemEval-2020 Task 11 measure with partial credit -- precision is the mean, over predicted
    spans, of the fraction of the span covered by same-technique gold spans; recall symmetrically over gold
    spans. ``overlap_*``: a span counts as found when any same-technique span on the other side overlaps it.
    """
    totals: defaultdict[str, float] = defaultdict(float)
    for doc_id in set(gold) | set(pred):
        g = list(gold.get(doc_id, ()))
        p = list(pred.get(doc_id, ()))
        for mine, other, side in ((p, g, "p"), (g, p, "r")):
            for t, s, e in mine:
                same = [(s2, e2) for t2, s2, e2 in other if t2 == t and s2 < e and s < e2]
                covered = _covered(s, e, same)
                totals[f"partial_{side}"] += covered / (e - s)
                totals[f"overlap_{side}"] += 1.0 if same else 0.0
            totals[f"n_{side}"] += len(mine)
    out = {}
    for kind in ("partial", "overlap"):
        precision = totals[f"{kind}_p"] / max(totals["n_p"], 1)
        recall = totals[f"{kind}_r"] / max(totals["n_r"], 1)
        out[f"{kind}_precision"] = precision
        out[f"{kind}_recall"] = recall
        out[f"{kind}_f1"] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    out["pred_spans"] = totals["n_p"]
    out["gold_spans"] = totals["n_r"]
    return out


def _covered(start: int, end: int, others: list[tuple[int, int]]) -> int:
    """Number of characters of ``[start, end)`` covered by the union of ``others``."""
    covered = 0
    cursor = start
    for s, e in sorted(others):
        s, e = max(s, cursor), min(e, end)
        if e > s:
            covered += e - s
            cursor = e
    return covered
