"""Reading a Label Studio JSON export back into corrections (the other half of ``export --format label-studio``).

Each task's latest submitted annotation is compared with what narrascope predicted for the document: narratives and
sub-narratives (``choices`` from ``narratives``/``subnarratives``) become accept, reject and add; ``evidence`` spans
(labelled with their narrative) become pick-evidence, and predicted evidence the annotator removed becomes
mark-evidence-wrong; ``entity_role`` spans (a main role and optionally a fine role) become set-role for the entity
mentioned there. Whatever cannot be mapped (an unknown document or label, a span that is no entity mention, a
technique span) is reported with the file and task id, and the rest goes on.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narrascope.document import ENTITIES, NARRATIVES, SUBNARRATIVES, Document
from narrascope.review import ReviewError, correct
from narrascope.store import Store
from narrascope.store.review import EVIDENCE, entity_key
from narrascope.taxonomy import load_entity_roles

__all__ = ["ImportReport", "import_label_studio"]

CHOICES = {"narratives": NARRATIVES, "subnarratives": SUBNARRATIVES}


@dataclass
class ImportReport:
    """What an import did: tasks read, corrections recorded, and each thing it could not map (``file: task N: why``)."""

    tasks: int = 0
    recorded: int = 0
    unmapped: list[str] = field(default_factory=list)


def _reviewer(annotation: dict[str, Any]) -> str:
    """Who made an annotation: the e-mail Label Studio gives, else its user number."""
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        return str(who.get("email") or who.get("username") or f"label-studio user {who.get('id')}")
    return f"label-studio user {who}" if who is not None else "label-studio"


def _latest(task: dict[str, Any]) -> dict[str, Any] | None:
    done = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    return max(done, key=lambda a: (str(a.get("updated_at") or a.get("created_at") or ""), a.get("id") or 0),
               default=None)


def read_tasks(path: Path) -> list[dict[str, Any]]:
    """The tasks of a Label Studio JSON export; ``ValueError`` naming the file and line when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}: not JSON ({exc.msg})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read: {exc}") from None
    tasks = data if isinstance(data, list) else [data]
    if not all(isinstance(t, dict) and isinstance(t.get("data"), dict) for t in tasks):
        raise ValueError(f"{path}: not a Label Studio JSON export (a list of tasks, each with 'data')")
    return tasks


def import_label_studio(store: Store, path: Path, *, reviewer: str | None = None) -> ImportReport:
    """Record the corrections a Label Studio export holds (see the module docstring); ``reviewer`` overrides the
    annotators' names."""
    report = ImportReport()
    for task in read_tasks(path):
        report.tasks += 1
        where = f"{path}: task {task.get('id', '?')}"
        doc_id = task["data"].get("id")
        annotation = _latest(task)
        if annotation is None:
            report.unmapped.append(f"{where}: no submitted annotation")
            continue
        doc = store.get(str(doc_id), predicted=True) if doc_id is not None else None
        if doc is None:
            report.unmapped.append(f"{where}: no stored document with id {doc_id!r}")
            continue
        _Task(store, doc, annotation, reviewer or _reviewer(annotation), where, report).run(task["data"].get("text"))
    return report


@dataclass
class _Task:
    store: Store
    doc: Document
    annotation: dict[str, Any]
    reviewer: str
    where: str
    report: ImportReport

    def record(self, layer: str, action: str, target: str, **kw: Any) -> bool:
        try:
            correct(self.store, self.doc.id, layer, action, target, reviewer=self.reviewer, **kw)
        except ReviewError as exc:
            self.report.unmapped.append(f"{self.where}: {exc}")
            return False
        self.report.recorded += 1
        return True

    def run(self, text: str | None) -> None:
        results = [r for r in self.annotation.get("result") or [] if isinstance(r, dict)]
        chosen: dict[str, set[str]] = {}
        spans: dict[str, list[dict[str, Any]]] = {}
        for r in results:
            value = r.get("value") or {}
            name = r.get("from_name")
            if name in CHOICES and isinstance(value.get("choices"), list):
                chosen.setdefault(CHOICES[name], set()).update(map(str, value["choices"]))
            elif name in ("evidence", "entity_role") and "start" in value and "end" in value:
                spans.setdefault(name, []).append(value)
            else:
                spans.setdefault("other", []).append(r)
        if spans.get("other"):
            kinds = Counter(str(r.get("from_name")) for r in spans["other"])
            self.report.unmapped.append(f"{self.where}: " + ", ".join(f"{n} {k} result(s)" for k, n in kinds.items())
                                        + " not mapped (narrascope reviews narratives, evidence and entity roles)")
        for layer, names in chosen.items():
            predicted = {lab.name for lab in self.doc.cats.get(layer, [])}
            for name in sorted(predicted - names):
                self.record(layer, "reject", name)
            for name in sorted(names):
                self.record(layer, "accept" if name in predicted else "add", name)
        if text is not None and text != self.doc.text:
            if spans.get("evidence") or spans.get("entity_role"):
                self.report.unmapped.append(f"{self.where}: the task's text differs from the stored document's; its "
                                            "spans are not mapped")
            return
        self.evidence(spans.get("evidence", []), chosen)
        self.roles(spans.get("entity_role", []))

    def evidence(self, values: list[dict[str, Any]], chosen: dict[str, set[str]]) -> None:
        if not values:
            return
        marked: dict[str, set[tuple[int, int]]] = {}
        for v in values:
            for label in v.get("labels") or []:
                marked.setdefault(str(label), set()).add((int(v["start"]), int(v["end"])))
        kept = {name for layer in (NARRATIVES, SUBNARRATIVES)
                for name in chosen.get(layer, {lab.name for lab in self.doc.cats.get(layer, [])})}
        predicted = {lab.name: {(e.start, e.end) for e in lab.evidence}
                     for layer in (NARRATIVES, SUBNARRATIVES) for lab in self.doc.cats.get(layer, [])}
        for name in sorted(kept):
            for start, end in sorted(predicted.get(name, set()) - marked.get(name, set())):
                self.record(EVIDENCE, "mark-evidence-wrong", name, start=start, end=end)
            for start, end in sorted(marked.get(name, set()) - predicted.get(name, set())):
                self.record(EVIDENCE, "pick-evidence", name, start=start, end=end)
        for name in sorted(set(marked) - kept):
            self.report.unmapped.append(f"{self.where}: evidence for {name!r}, which the annotation does not label")

    def roles(self, values: list[dict[str, Any]]) -> None:
        roles = load_entity_roles()
        mentions = {(s.start, s.end): entity_key(self.doc, s) for s in self.doc.spans.get(ENTITIES, [])}
        votes: dict[str, Counter[tuple[str, tuple[str, ...]]]] = {}
        for v in values:
            key = mentions.get((int(v["start"]), int(v["end"])))
            labels = [str(x) for x in v.get("labels") or []]
            if key is None:
                self.report.unmapped.append(f"{self.where}: [{v['start']}, {v['end']}) {v.get('text', '')!r} is no "
                                            "entity mention narrascope found")
                continue
            main = [x for x in labels if x in roles.main_roles]
            fine = tuple(x for x in labels if x in roles.fine_roles)
            unknown = [x for x in labels if x not in roles.main_roles and x not in roles.fine_roles]
            if unknown:
                self.report.unmapped.append(f"{self.where}: unknown role(s) {', '.join(map(repr, unknown))}")
            role = main[0] if main else (roles.main_of(fine[0]) if fine else None)
            if role:
                votes.setdefault(key, Counter())[(role, tuple(f for f in fine if roles.main_of(f) == role))] += 1
        for key, counted in votes.items():
            (role, fine), _ = counted.most_common(1)[0]
            self.record(ENTITIES, "set-role", key, role=role, fine_roles=list(fine))
