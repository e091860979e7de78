"""Re-published copies: documents that carry the same article text, found by MinHash LSH over the whole store.

Each document's article text (title and body segments; boilerplate and reader comments left out, so different
promos or comment threads do not hide a copy) is cut into word 5-gram shingles and summarised by a 128-value MinHash
signature (``datasketch``). The store keeps every signature and its LSH band keys in two tables written in the same
transaction as the document (``copy_signatures``, ``copy_bands``), so the index is always current, whichever process
(workers, Ray imports) wrote the document, and a look-up is a few indexed reads rather than a scan:

1. the new signature's :data:`BANDS` band keys are looked up in ``copy_bands`` (documents sharing any band are
   candidates);
2. each candidate's stored signature gives the estimated Jaccard similarity of the two shingle sets (the share of
   equal MinHash values; standard error about 0.04 at 0.5 with 128 values), and candidates at or above
   :data:`COPY_JACCARD` are copies.

Exact re-uploads (the same text under two ids: one ``content_hash``) are copies with similarity 1.0 even when the
text is too short to index. The threshold and the band layout were measured on the SemEval-2025 Task 10 training
corpus (``benchmarks/copy_threshold.py``; figures in the README).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from narrascope.document import Document
from narrascope.store.schema import CopyBandRow, CopySignatureRow, DocumentRow

if TYPE_CHECKING:  # numpy is imported where signatures are made or compared: listing and counting never load it
    import numpy as np

__all__ = ["COPY_JACCARD", "NUM_PERM", "BANDS", "ROWS", "SHINGLE_WORDS", "MIN_SHINGLES", "Signature", "signature",
           "shingles", "band_keys", "estimated_jaccard", "signature_rows", "similar_documents", "similar_pairs",
           "copy_rows", "earliest_publication", "outlet_pairs", "count_texts"]

SHINGLE_WORDS = 5  # word n-grams, as in narrascope.semeval.splits (light edits break only the n-grams they touch)
NUM_PERM = 128
# Band layout: datasketch's optimum for an LSH threshold of 0.5 weighted towards recall
# (MinHashLSH(threshold=0.5, num_perm=128, weights=(0.1, 0.9)).b/.r): a pair is a candidate with probability
# 1 - (1 - J**4)**32, 0.87 at J = 0.5, 0.99 at 0.6, 0.9995 at 0.7; the estimate then decides.
BANDS, ROWS = 32, 4
COPY_JACCARD = 0.6  # estimated Jaccard of the shingle sets at or above which two documents are copies
MIN_SHINGLES = 10  # texts shorter than this (about 14 words) are too short to call copies by overlap
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Signature:
    """A document's MinHash values (``NUM_PERM`` unsigned 32-bit integers) and how many shingles they summarise."""

    hashvalues: np.ndarray
    shingles: int

    def to_bytes(self) -> bytes:
        return self.hashvalues.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, shingles: int) -> Signature:
        import numpy as np

        return cls(np.frombuffer(data, dtype="<u4").astype(np.uint64), shingles)

    @property
    def indexed(self) -> bool:
        """Whether the text is long enough to be looked up by overlap (shorter ones only match exactly)."""
        return self.shingles >= MIN_SHINGLES


def shingles(text: str) -> set[str]:
    """The distinct lower-cased word 5-grams of ``text`` (the whole text when it has fewer words)."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(doc: Document) -> Signature:
    """The MinHash signature of the document's article text (title and body, without boilerplate or comments)."""
    # datasketch's package import pulls in scipy (about 0.35 s): only commands that write or look up copies pay it.
    from datasketch import MinHash

    found = shingles(doc.content_text())
    minhash = MinHash(num_perm=NUM_PERM)
    minhash.update_batch([s.encode("utf-8") for s in found])
    return Signature(minhash.hashvalues, len(found))


def band_keys(sig: Signature) -> list[int]:
    """The signature's LSH band keys: one signed 64-bit hash per band of ``ROWS`` values (band number included, so
    one indexed column holds every band); documents sharing any key are candidate copies."""
    values = sig.hashvalues.astype("<u4")
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(band.to_bytes(2, "little") + values[band * ROWS:(band + 1) * ROWS].tobytes(),
                                 digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def estimated_jaccard(a: Signature, b: Signature) -> float:
    """The MinHash estimate of the Jaccard similarity of the two documents' shingle sets."""
    import numpy as np

    return float(np.mean(a.hashvalues == b.hashvalues))


def signature_rows(doc: Document) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The ``copy_signatures`` row and the ``copy_bands`` rows of a document (no bands when too short to index)."""
    sig = signature(doc)
    row = {"document_id": doc.id, "minhash": sig.to_bytes(), "shingles": sig.shingles}
    bands = [{"key": key, "document_id": doc.id} for key in dict.fromkeys(band_keys(sig))] if sig.indexed else []
    return row, bands


def count_texts(content_hash: Any) -> Any:
    """SQL count of documents in which exact re-uploads (one text under several ids, one ``content_hash``) count
    once: every corpus statistic counts with it, so uploading a file twice changes no figure."""
    return func.count(func.distinct(content_hash))


def _signatures(connection: Connection, ids: Iterable[str]) -> dict[str, Signature]:
    ids = sorted(set(ids))
    out: dict[str, Signature] = {}
    for first in range(0, len(ids), 1000):
        rows = connection.execute(select(CopySignatureRow.document_id, CopySignatureRow.minhash, CopySignatureRow.shingles)
                                  .where(CopySignatureRow.document_id.in_(ids[first:first + 1000])))
        out.update({doc_id: Signature.from_bytes(data, n) for doc_id, data, n in rows})
    return out


def similar_documents(connection: Connection, sig: Signature, content_hash: str, *, exclude: str | None = None,
                      threshold: float = COPY_JACCARD) -> dict[str, float]:
    """Stored documents that copy a text with signature ``sig``: ``{id: estimated Jaccard}``, exact re-uploads (same
    ``content_hash``) at 1.0; ``exclude`` (the document itself) is left out."""
    found = {doc_id: 1.0 for doc_id in connection.execute(
        select(DocumentRow.id).where(DocumentRow.content_hash == content_hash)).scalars()}
    if sig.indexed:
        candidates = set(connection.execute(select(CopyBandRow.document_id).distinct()
                                            .where(CopyBandRow.key.in_(band_keys(sig)))).scalars()) - set(found)
        for doc_id, other in _signatures(connection, candidates).items():
            similarity = estimated_jaccard(sig, other)
            if similarity >= threshold:
                found[doc_id] = similarity
    if exclude is not None:
        found.pop(exclude, None)
    return found


def similar_pairs(connection: Connection, *, threshold: float = COPY_JACCARD) -> dict[tuple[str, str], float]:
    """Every pair of stored copies in the store, ``{(a, b): similarity}`` with ``a < b``: pairs sharing an LSH band
    and estimated at or above ``threshold``, and exact re-uploads (1.0). Only band keys and text hashes held by more
    than one document are read (one grouped pass over each index), not a self-join of every row."""
    pairs = {pair: 1.0 for pair in _pairs_sharing(connection, DocumentRow.content_hash, DocumentRow.id)}
    candidates = _pairs_sharing(connection, CopyBandRow.key, CopyBandRow.document_id) - set(pairs)
    signatures = _signatures(connection, {i for pair in candidates for i in pair})
    for x, y in candidates:
        similarity = estimated_jaccard(signatures[x], signatures[y])
        if similarity >= threshold:
            pairs[x, y] = similarity
    return pairs


def _pairs_sharing(connection: Connection, key: Any, doc_id: Any) -> set[tuple[str, str]]:
    """Pairs of ids ``(a, b)``, ``a < b``, sharing a value of ``key`` (rows of one table)."""
    shared = select(key).group_by(key).having(func.count() > 1)
    holders: dict[Any, list[str]] = defaultdict(list)
    for value, holder in connection.execute(select(key, doc_id).where(key.in_(shared))):
        holders[value].append(holder)
    return {(a, b) for ids in holders.values() for a, b in combinations(sorted(ids), 2)}


def copy_rows(connection: Connection, similarity: dict[str, float]) -> list[dict[str, Any]]:
    """The copies ``{id: similarity}`` with their metadata, earliest publication first (undated last)."""
    rows = connection.execute(select(DocumentRow.id, DocumentRow.title, DocumentRow.source, DocumentRow.published,
                                     DocumentRow.url).where(DocumentRow.id.in_(list(similarity)))).all()
    out = [{"id": doc_id, "title": title, "outlet": source, "published": published.isoformat() if published else None,
            "url": url, "similarity": round(similarity[doc_id], 3), "exact": similarity[doc_id] == 1.0}
           for doc_id, title, source, published, url in rows]
    return sorted(out, key=lambda r: (r["published"] is None, r["published"] or "", -r["similarity"], r["id"]))


def earliest_publication(doc: Document, copies: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first known publication of the article among the document and its copies (ties: smallest id), or None
    when none is dated."""
    dated = [(c["published"], c["id"], c["outlet"]) for c in copies if c["published"]]
    if doc.published:
        dated.append((doc.published.isoformat(), doc.id, doc.source))
    if not dated:
        return None
    published, doc_id, outlet = min(dated)
    return {"id": doc_id, "outlet": outlet, "published": published}


def outlet_pairs(pairs: dict[tuple[str, str], float], meta: dict[str, tuple[str | None, Any]]) -> list[dict[str, Any]]:
    """Who re-publishes whom: per unordered pair of outlets (``outlet_a`` < ``outlet_b``; unknown outlets as None),
    how many copy pairs join them and how often each published first (same day or undated: ``order_unknown``).
    ``meta`` maps each id to its (outlet, published date)."""
    rows: dict[tuple[str | None, str | None], dict[str, Any]] = {}
    for x, y in pairs:
        (outlet_x, day_x), (outlet_y, day_y) = meta[x], meta[y]
        if (outlet_x or "") > (outlet_y or ""):
            (outlet_x, day_x), (outlet_y, day_y) = (outlet_y, day_y), (outlet_x, day_x)
        row = rows.setdefault((outlet_x, outlet_y), {"outlet_a": outlet_x, "outlet_b": outlet_y, "copies": 0,
                                                     "a_first": 0, "b_first": 0, "order_unknown": 0})
        row["copies"] += 1
        if day_x and day_y and day_x != day_y:
            row["a_first" if day_x < day_y else "b_first"] += 1
        else:
            row["order_unknown"] += 1
    return sorted(rows.values(), key=lambda r: (-r["copies"], r["outlet_a"] or "", r["outlet_b"] or ""))
