"""Round trip with Label Studio: export tasks, edit them as an annotator would (the JSON a real Label Studio
export has), import them back as corrections, with what cannot be mapped reported by file and task id."""

from __future__ import annotations

import copy
import io
import json

from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.export import write_export
from narrascope.label_studio import import_label_studio
from narrascope.store import Store
from tests.store.test_review import CLIMATE, PRAISE, WAR, make_doc


def exported(store: Store) -> list[dict]:
    handle = io.StringIO()
    write_export(store.iter_documents(), "label-studio", handle)
    return json.loads(handle.getvalue())


def as_label_studio_export(tasks: list[dict], edit) -> list[dict]:
    """What Label Studio's JSON export holds after an annotator submitted each imported task: ids, the
    pre-annotation as a prediction, and an annotation whose result the annotator edited from it."""
    out = []
    for number, task in enumerate(tasks, start=101):
        result = copy.deepcopy(task["predictions"][0]["result"])
        for i, item in enumerate(result):
            item.setdefault("id", f"r{i}")
            item["origin"] = "prediction"
        result = edit(task["data"]["id"], result)
        out.append({
            "id": number, "data": task["data"], "meta": {}, "inner_id": number - 100, "project": 7,
            "created_at": "2026-12-01T09:00:00.000000Z", "updated_at": "2026-12-01T09:05:00.000000Z",
            "annotations": [{"id": 900 + number, "completed_by": {"id": 3, "email": "ana@desk.example"},
                             "result": result, "was_cancelled": False, "ground_truth": False,
                             "created_at": "2026-12-01T09:04:00.000000Z", "updated_at": "2026-12-01T09:05:00.000000Z",
                             "lead_time": 41.2, "prediction": {}, "result_count": 0, "task": number, "project": 7,
                             "parent_prediction": 500 + number, "parent_annotation": None, "last_action": None}],
            "predictions": [500 + number], "drafts": [], "file_upload": "narrascope.json", "total_annotations": 1,
            "cancelled_annotations": 0, "total_predictions": 1, "comment_count": 0,
            "unresolved_comment_count": 0, "last_comment_updated_at": None, "updated_by": 3, "comment_authors": [],
        })
    return out


def annotate(doc_id: str, result: list[dict]) -> list[dict]:
    """The annotator's edits: on d1, drop the war narrative for climate and praise, move the climate evidence to the
    second sentence, recast NATO as a victim and mark a span no entity mention covers; d2 stays as predicted."""
    if doc_id != "d1":
        return result
    edited = []
    for item in result:
        if item["from_name"] == "narratives":
            item["value"]["choices"] = [CLIMATE, PRAISE]
        elif item["from_name"] == "subnarratives":
            item["value"]["choices"] = []
        elif item["from_name"] == "evidence":
            continue
        elif item["from_name"] == "entity_role":
            item["value"]["labels"] = ["Innocent", "Victim"]
        edited.append(item)
    edited.append({"id": "new1", "from_name": "evidence", "to_name": "text", "type": "labels", "origin": "manual",
                   "value": {"start": 22, "end": 51, "text": "The climate is changing fast.", "labels": [CLIMATE]}})
    edited.append({"id": "new2", "from_name": "entity_role", "to_name": "text", "type": "labels", "origin": "manual",
                   "value": {"start": 52, "end": 58, "text": "Russia", "labels": ["Protagonist"]}})
    return edited


def test_label_studio_round_trip(tmp_path):
    db = str(tmp_path / "ls.db")
    with Store(db) as store:
        store.save([make_doc(1, [(WAR, 0.9), (CLIMATE, 0.5)]), make_doc(2, [(CLIMATE, 0.8)])], pipeline_signature="v1")
        tasks = exported(store)
    assert {r["from_name"] for r in tasks[0]["predictions"][0]["result"]} == {
        "narratives", "subnarratives", "evidence", "entity_role"}
    studio = as_label_studio_export(tasks, annotate)
    studio.append({**copy.deepcopy(studio[1]), "id": 999, "data": {**studio[1]["data"], "id": "gone"}})
    path = tmp_path / "project-7-at-2026-12-01.json"
    path.write_text(json.dumps(studio), encoding="utf-8")

    with Store(db) as store:
        report = import_label_studio(store, path)
        assert report.tasks == 3
        assert report.unmapped == [f"{path}: task 101: [52, 58) 'Russia' is no entity mention narrascope found",
                                   f"{path}: task 999: no stored document with id 'gone'"]
        d1 = store.get("d1")
        assert sorted(lab.name for lab in d1.cats["narratives"]) == [CLIMATE, PRAISE]
        assert d1.cats["subnarratives"] == []
        climate = next(lab for lab in d1.cats["narratives"] if lab.name == CLIMATE)
        assert [(e.start, e.end) for e in climate.evidence] == [(22, 51)]
        nato = d1.spans["entities"][0]
        assert (nato.label, nato.attrs["fine_roles"]) == ("Innocent", ["Victim"])
        made = store.corrections(["d1", "d2"])
        assert {c.reviewer for cs in made.values() for c in cs} == {"ana@desk.example"}
        assert {(c.layer, c.action) for c in made["d2"]} == {("narratives", "accept"), ("entities", "set-role")}
        assert [lab.attrs["review"] for lab in store.get("d2").cats["narratives"]] == ["reviewed"]


def test_import_annotations_command_reports_and_refuses_bad_files(tmp_path):
    db = str(tmp_path / "ls.db")
    with Store(db) as store:
        store.save([make_doc(1, [(WAR, 0.9)])], pipeline_signature="v1")
        tasks = exported(store)
    path = tmp_path / "export.json"
    studio = as_label_studio_export(tasks, lambda _id, r: r + [{"from_name": "technique", "type": "labels",
                                                                 "value": {"start": 0, "end": 4, "labels": ["Doubt"]}}])
    path.write_text(json.dumps(studio), encoding="utf-8")
    result = CliRunner().invoke(app, ["import-annotations", str(path), "--db", db, "--reviewer", "ben"])
    assert result.exit_code == 3, result.output
    assert "task 101: 1 technique result(s) not mapped" in " ".join(result.output.split())
    broken = tmp_path / "broken.json"
    broken.write_text('[\n{"data": {"id": "d1"}},\n{oops}\n]', encoding="utf-8")
    result = CliRunner().invoke(app, ["import-annotations", str(broken), "--db", db])
    assert result.exit_code == 2 and f"{broken}:3:notJSON" in "".join(result.output.split())
