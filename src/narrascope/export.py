"""Write analysed documents as JSONL, CSV, SemEval-2025 subtask-2 submission lines, or Label Studio tasks."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable
from typing import Any, TextIO

from narrascope.document import COMMENT_NARRATIVES, ENTITIES, NARRATIVES, SUBNARRATIVES, TECHNIQUES, Document

__all__ = ["FORMATS", "write_export", "document_summary"]

FORMATS = ("jsonl", "csv", "semeval", "label-studio")

CSV_COLUMNS = ["id", "title", "source", "url", "published", "language", "narratives", "narrative_scores", "subnarratives",
               "top_evidence", "entities", "techniques"]


def write_export(docs: Iterable[Document], fmt: str, out: TextIO) -> int:
    """Write ``docs`` to ``out`` in ``fmt``; returns the number of documents written."""
    writers = {"jsonl": _write_jsonl, "csv": _write_csv, "semeval": _write_semeval, "label-studio": _write_label_studio}
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return writers[fmt](docs, out)


def document_summary(doc: Document, *, possible: bool = False) -> dict[str, Any]:
    """The short, quotable view of a result: labels with scores and each label's best evidence sentence.

    Labels below their display threshold are left out unless ``possible`` (then marked ``"possible": true``);
    the reader comments' narratives come apart, under ``comment_narratives``.
    """
    def labels(layer: str) -> list[dict[str, Any]]:
        return [{"name": lab.name, "score": round(lab.score, 3),
                 "evidence": [{"start": e.start, "end": e.end, "text": doc.quote(e)} for e in lab.evidence[:1]],
                 **({"possible": True} if lab.possible else {})}
                for lab in doc.cats.get(layer, []) if possible or not lab.possible]

    return {"id": doc.id, "title": doc.title, "language": doc.language, "source": doc.source,
            "published": doc.published.isoformat() if doc.published else None,
            "narratives": labels(NARRATIVES), "subnarratives": labels(SUBNARRATIVES),
            "comment_narratives": labels(COMMENT_NARRATIVES)}


def _write_jsonl(docs: Iterable[Document], out: TextIO) -> int:
    n = 0
    for doc in docs:
        out.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")
        n += 1
    return n


def _write_csv(docs: Iterable[Document], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    n = 0
    for doc in docs:
        narratives = doc.cats.get(NARRATIVES, [])
        best = max(narratives, key=lambda lab: lab.score, default=None)
        entities = Counter((s.attrs.get("entity") or doc.quote(s), s.label) for s in doc.spans.get(ENTITIES, []))
        techniques = Counter(s.label for s in doc.spans.get(TECHNIQUES, []))
        writer.writerow({
            "id": doc.id, "title": doc.title, "source": doc.source, "url": doc.url,
            "published": doc.published.isoformat() if doc.published else "", "language": doc.language,
            "narratives": ";".join(lab.name for lab in narratives),
            "narrative_scores": ";".join(f"{lab.score:.3f}" for lab in narratives),
            "subnarratives": ";".join(lab.name for lab in doc.cats.get(SUBNARRATIVES, [])),
            "top_evidence": doc.quote(best.evidence[0]) if best and best.evidence else "",
            "entities": ";".join(f"{name}={role}" + (f" x{k}" if k > 1 else "") for (name, role), k in entities.items()),
            "techniques": ";".join(f"{t}={k}" for t, k in techniques.most_common()),
        })
        n += 1
    return n


def _write_semeval(docs: Iterable[Document], out: TextIO) -> int:
    from narrascope.semeval.subtask2 import format_prediction

    n = 0
    for doc in docs:
        narratives = [lab.name for lab in doc.cats.get(NARRATIVES, [])]
        subnarratives = [lab.name for lab in doc.cats.get(SUBNARRATIVES, [])]
        out.write(format_prediction(doc.id, narratives, subnarratives) + "\n")
        n += 1
    return n


def _write_label_studio(docs: Iterable[Document], out: TextIO) -> int:
    """A JSON array of Label Studio tasks: the text, narratives as choices, entity roles and techniques as spans."""
    out.write("[\n")
    n = 0
    for doc in docs:
        result: list[dict[str, Any]] = []
        for layer, from_name in ((NARRATIVES, "narratives"), (SUBNARRATIVES, "subnarratives")):
            names = [lab.name for lab in doc.cats.get(layer, [])]
            if names:
                result.append({"from_name": from_name, "to_name": "text", "type": "choices", "value": {"choices": names}})
        for layer, from_name in ((ENTITIES, "entity_role"), (TECHNIQUES, "technique")):
            for i, span in enumerate(doc.spans.get(layer, [])):
                result.append({"id": f"{from_name}-{i}", "from_name": from_name, "to_name": "text", "type": "labels",
                               "score": span.score,
                               "value": {"start": span.start, "end": span.end, "text": doc.quote(span), "labels": [span.label]}})
        task = {"data": {"text": doc.text, "id": doc.id, "title": doc.title, "source": doc.source, "language": doc.language},
                "predictions": [{"model_version": doc.meta.get("pipeline", "narrascope"), "result": result}]}
        out.write(("" if n == 0 else ",\n") + json.dumps(task, ensure_ascii=False))
        n += 1
    out.write("\n]\n")
    return n
