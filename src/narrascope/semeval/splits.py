"""A fixed held-out split of a labelled corpus, and groups of near-duplicate documents for cross-validation.

Model choices (features, thresholds, calibration) are made by cross-validation on the *development* part only;
the held-out part is scored once, at the end, so its figure says how the model does on articles it never saw.
Re-published or lightly edited copies of one article must never sit on both sides of a split, so documents are
first grouped by near-duplicate text (Jaccard similarity of word 5-gram shingles), and a whole group is held out
or kept. Which groups are held out depends only on their ids (a hash), never on the order of the corpus or on a
random seed, so the split is the same on every machine and for every model.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

__all__ = ["HELDOUT_FRACTION", "duplicate_groups", "heldout_ids", "read_split", "write_split", "packaged_split"]

HELDOUT_FRACTION = 0.2
DUPLICATE_JACCARD = 0.6  # word 5-gram overlap above which two texts are one article (copies, light edits)
_SHINGLE = 5
_MAX_POSTING = 50  # shingles shared by more documents than this are stock phrases, not evidence of copying
_WORD = re.compile(r"\w+")


def _shingles(text: str) -> set[str]:
    words = _WORD.findall(text.lower())
    if len(words) < _SHINGLE:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}


def duplicate_groups(texts: Mapping[str, str], threshold: float = DUPLICATE_JACCARD) -> dict[str, str]:
    """Each document id mapped to its group: the smallest id among the documents it (transitively) copies.

    Two texts are copies when the Jaccard similarity of their word 5-gram sets is at least ``threshold``.
    Candidates are found through shared shingles, so the cost grows with the corpus, not with its square.
    """
    ids = sorted(texts)
    shingles = {doc_id: _shingles(texts[doc_id]) for doc_id in ids}
    postings: dict[str, list[str]] = defaultdict(list)
    for doc_id in ids:
        for shingle in shingles[doc_id]:
            postings[shingle].append(doc_id)
    parent = {doc_id: doc_id for doc_id in ids}

    def root(doc_id: str) -> str:
        while parent[doc_id] != doc_id:
            parent[doc_id] = parent[parent[doc_id]]
            doc_id = parent[doc_id]
        return doc_id

    shared: dict[tuple[str, str], int] = defaultdict(int)
    for holders in postings.values():
        if 1 < len(holders) <= _MAX_POSTING:
            for i, a in enumerate(holders):
                for b in holders[i + 1 :]:
                    shared[(a, b)] += 1
    for (a, b), _ in shared.items():
        union = len(shingles[a] | shingles[b])
        if union and len(shingles[a] & shingles[b]) / union >= threshold:
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {doc_id: root(doc_id) for doc_id in ids}


def heldout_ids(
    texts: Mapping[str, str], fraction: float = HELDOUT_FRACTION, threshold: float = DUPLICATE_JACCARD
) -> set[str]:
    """The ids of the held-out documents: whole near-duplicate groups, chosen by a hash of the group's id.

    ``threshold`` is the copy threshold of :func:`duplicate_groups`; a corpus of re-published stories that were
    extended or cut (not just copied) needs a lower one.
    """
    groups = duplicate_groups(texts, threshold)
    return {doc_id for doc_id, group in groups.items() if _unit_hash(group) < fraction}


def _unit_hash(key: str) -> float:
    digest = hashlib.sha256(f"narrascope-heldout|{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def write_split(path: str | Path, ids: set[str]) -> None:
    """Write held-out ids one per line, sorted."""
    Path(path).write_text("".join(f"{doc_id}\n" for doc_id in sorted(ids)), encoding="utf-8")


def read_split(path: str | Path) -> set[str]:
    """Held-out ids written by :func:`write_split`."""
    return {line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()}


def packaged_split(name: str) -> set[str]:
    """A held-out split shipped with narrascope (``semeval2025-task10``, ...), fixed once and never re-drawn."""
    return read_split(Path(__file__).resolve().parent.parent / "resources" / "splits" / f"{name}-heldout.txt")
