"""SemEval-2025 Task 10 subtask 1 (entity framing): the official file layout and scoring.

A subtask-1 file has one mention per line, tab-separated: ``doc_id  mention  start  end  [main_role  fine_role...]``
with 0-based, **end-inclusive** character offsets. A mentions file (the task's input) has the first four columns only.
Inside narrascope offsets are half-open; conversion happens only here. Prediction lives in
:mod:`narrascope.semeval_predict`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MentionRow",
    "read_mentions",
    "write_mentions",
    "locate_mention",
    "score_subtask1",
]


@dataclass(frozen=True)
class MentionRow:
    """One line of a subtask-1 file; ``start``/``end`` exactly as in the file (end inclusive)."""

    doc_id: str
    mention: str
    start: int
    end: int
    main_role: str | None = None
    fine_roles: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.doc_id, self.start, self.end)

    def to_line(self) -> str:
        cols = [self.doc_id, self.mention, str(self.start), str(self.end)]
        if self.main_role is not None:
            cols.append(self.main_role)
            cols.extend(self.fine_roles)
        return "\t".join(cols)


def read_mentions(path: str | Path) -> list[MentionRow]:
    """Read a mentions file (4 columns) or an annotation/prediction file (5+ columns)."""
    rows = []
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) < 4:
            raise ValueError(f"{path}:{lineno}: expected at least 4 tab-separated columns, got {len(cols)}")
        main = cols[4].strip() if len(cols) > 4 and cols[4].strip() else None
        fine = tuple(c.strip() for c in cols[5:] if c.strip())
        rows.append(MentionRow(cols[0].strip(), cols[1], int(cols[2]), int(cols[3]), main, fine))
    return rows


def write_mentions(rows: Iterable[MentionRow], path: str | Path) -> None:
    Path(path).write_text("".join(r.to_line() + "\n" for r in rows), encoding="utf-8")


def locate_mention(text: str, mention: str, start: int, end_inclusive: int) -> tuple[int, int]:
    """Half-open offsets of a mention in ``text``.

    The released offsets are often shifted by a few characters (the annotation tool counted some characters
    differently), so the occurrence of the mention string nearest to ``start`` is used; the file's offsets are
    kept when the string does not occur.
    """
    if text[start : end_inclusive + 1] == mention:
        return start, end_inclusive + 1
    occurrences = [m.start() for m in re.finditer(re.escape(mention), text)] if mention else []
    if not occurrences:
        end = min(max(end_inclusive + 1, start + 1), len(text))
        return min(start, end - 1), end
    best = min(occurrences, key=lambda i: abs(i - start))
    return best, best + len(mention)


def score_subtask1(pred: Sequence[MentionRow], gold: Sequence[MentionRow]) -> dict[str, float]:
    """Official subtask-1 figures over the gold mentions (a gold mention without prediction counts as wrong).

    ``exact_match``: share of mentions whose predicted fine-role set equals the gold set; ``micro_*``: precision,
    recall and F1 of fine roles pooled over mentions; ``main_accuracy``: share with the right main role.
    """
    if not gold:
        raise ValueError("no gold mentions to score against")
    by_key = {r.key: r for r in pred}
    exact = main_ok = tp = n_pred = n_gold = 0
    for g in gold:
        p = by_key.get(g.key)
        gold_fine = set(g.fine_roles)
        pred_fine = set(p.fine_roles) if p else set()
        exact += int(pred_fine == gold_fine)
        main_ok += int(p is not None and p.main_role == g.main_role)
        tp += len(pred_fine & gold_fine)
        n_pred += len(pred_fine)
        n_gold += len(gold_fine)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = len(gold)
    return {
        "n": float(n),
        "exact_match": exact / n,
        "micro_precision": precision,
        "micro_recall": recall,
        "micro_f1": f1,
        "main_accuracy": main_ok / n,
    }
