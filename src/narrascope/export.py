"""Write analysed documents as JSONL, CSV, SemEval-2025 subtask-2 submission lines, or Label Studio tasks."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable
from typing import IO, Any

from narrascope.document import COMMENT_NARRATIVES, ENTITIES, NARRATIVES, SUBNARRATIVES, TECHNIQUES, Document, Span

__all__ = ["FORMATS", "write_export", "document_summary", "entity_rows"]

FORMATS = ("jsonl", "csv", "semeval", "label-studio")

CSV_COLUMNS = ["id", "title", "source", "url", "published", "language", "narratives", "narrative_scores", "subnarratives",
               "reviewed", "top_evidence", "entities", "techniques"]


def write_export(docs: Iterable[Document], fmt: str, out: IO[str]) -> int:
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


def entity_rows(doc: Document) -> list[dict[str, Any]]:
    """One row per entity of a document, most mentioned first: its name and id, mention count, role distribution
    over its mentions (``unclear`` included), the role most of them take, its fine roles (each once, with the number
    of mentions given it), the best evidence sentence per role (that of the most probable mention), and the
    mentions themselves (offsets, role, score)."""
    rows: dict[str, dict[str, Any]] = {}
    best: dict[tuple[str, str], float] = {}
    for span in doc.spans.get(ENTITIES, []):
        name = str(span.attrs.get("entity") or doc.quote(span))
        key = str(span.attrs.get("entity_id") or name)
        row = rows.setdefault(key, {"entity": name, "entity_id": key, "mentions": 0, "roles": Counter(),
                                    "fine_roles": Counter(), "evidence": {}, "spans": []})
        row["mentions"] += 1
        row["roles"][span.label] += 1
        fine = span.attrs.get("fine_roles") or {}
        if span.label != "unclear":
            names = sorted(fine, key=lambda f: -fine[f]) if isinstance(fine, dict) else fine
            row["fine_roles"].update(names if isinstance(names, list) else [names])
        row["spans"].append({"start": span.start, "end": span.end, "text": doc.quote(span), "role": span.label,
                             "score": span.score})
        evidence = span.attrs.get("evidence")
        score = span.score or 0.0
        if evidence and score > best.get((key, span.label), -1.0):
            best[(key, span.label)] = score
            row["evidence"][span.label] = {"start": evidence[0], "end": evidence[1],
                                           "text": " ".join(doc.text[evidence[0]:evidence[1]].split())}
    out = []
    for row in rows.values():
        roles: Counter[str] = row["roles"]
        row["role"] = max(roles, key=lambda r: (roles[r], r != "unclear"))
        row["roles"] = dict(roles.most_common())
        row["fine_roles"] = dict(row["fine_roles"].most_common())
        out.append(row)
    return sorted(out, key=lambda r: (-r["mentions"], r["entity"]))


def _write_jsonl(docs: Iterable[Document], out: IO[str]) -> int:
    n = 0
    for doc in docs:
        out.write(json.dumps(doc.to_dict() | {"entity_rows": entity_rows(doc)}, ensure_ascii=False) + "\n")
        n += 1
    return n


def _write_csv(docs: Iterable[Document], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    n = 0
    for doc in docs:
        narratives = doc.cats.get(NARRATIVES, [])
        best = max(narratives, key=lambda lab: lab.score, default=None)
        techniques = Counter(s.label for s in doc.spans.get(TECHNIQUES, []))
        writer.writerow({
            "id": doc.id, "title": doc.title, "source": doc.source, "url": doc.url,
            "published": doc.published.isoformat() if doc.published else "", "language": doc.language,
            "narratives": ";".join(lab.name for lab in narratives),
            "narrative_scores": ";".join(f"{lab.score:.3f}" for lab in narratives),
            "subnarratives": ";".join(lab.name for lab in doc.cats.get(SUBNARRATIVES, [])),
            # which of the labels above a reviewer checked (the others are the model's)
            "reviewed": ";".join(lab.name for layer in (NARRATIVES, SUBNARRATIVES) for lab in doc.cats.get(layer, [])
                                 if lab.attrs.get("review") == "reviewed"),
            "top_evidence": doc.quote(best.evidence[0]) if best and best.evidence else "",
            "entities": ";".join(f"{e['entity']}=" + ",".join(f"{role}" + (f" x{k}" if k > 1 else "")
                                                                   for role, k in e["roles"].items())
                                 for e in entity_rows(doc)),
            "techniques": ";".join(f"{t}={k}" for t, k in techniques.most_common()),
        })
        n += 1
    return n


def _write_semeval(docs: Iterable[Document], out: IO[str]) -> int:
    from narrascope.semeval.subtask2 import format_prediction

    n = 0
    for doc in docs:
        narratives = [lab.name for lab in doc.cats.get(NARRATIVES, [])]
        subnarratives = [lab.name for lab in doc.cats.get(SUBNARRATIVES, [])]
        out.write(format_prediction(doc.id, narratives, subnarratives) + "\n")
        n += 1
    return n


def _top_fine_role(span: Span) -> list[str]:
    """The most probable fine role of an entity mention, as a one-item list (none for other spans)."""
    fine = span.attrs.get("fine_roles") or []
    if isinstance(fine, dict):
        return [max(fine, key=lambda role: fine[role])] if fine else []
    return list(fine[:1]) if isinstance(fine, list) else [str(fine)]


def _write_label_studio(docs: Iterable[Document], out: IO[str]) -> int:
    """A JSON array of Label Studio tasks: the text, narratives as choices, evidence sentences (labelled with their
    narrative), entity roles and techniques as spans; ``narrascope import-annotations`` reads an export back."""
    out.write("[\n")
    n = 0
    for doc in docs:
        result: list[dict[str, Any]] = []
        for layer, from_name in ((NARRATIVES, "narratives"), (SUBNARRATIVES, "subnarratives")):
            names = [lab.name for lab in doc.cats.get(layer, [])]
            if names:
                result.append({"from_name": from_name, "to_name": "text", "type": "choices", "value": {"choices": names}})
        for layer in (NARRATIVES, SUBNARRATIVES):
            for lab in doc.cats.get(layer, []):
                for ev in lab.evidence:
                    result.append({"id": f"evidence-{len(result)}", "from_name": "evidence", "to_name": "text",
                                   "type": "labels", "value": {"start": ev.start, "end": ev.end, "text": doc.quote(ev),
                                                               "labels": [lab.name]}})
        for layer, from_name in ((ENTITIES, "entity_role"), (TECHNIQUES, "technique")):
            for i, span in enumerate(doc.spans.get(layer, [])):
                result.append({"id": f"{from_name}-{i}", "from_name": from_name, "to_name": "text", "type": "labels",
                               "score": span.score,
                               "value": {"start": span.start, "end": span.end, "text": doc.quote(span),
                                         # an unclear role is pre-annotated with its best guess, for a person to check
                                         "labels": [span.attrs.get("best_guess", span.label)] + _top_fine_role(span)}})
        task = {"data": {"text": doc.text, "id": doc.id, "title": doc.title, "source": doc.source, "language": doc.language},
                "predictions": [{"model_version": doc.meta.get("pipeline", "narrascope"), "result": result}]}
        out.write(("" if n == 0 else ",\n") + json.dumps(task, ensure_ascii=False))
        n += 1
    out.write("\n]\n")
    return n
