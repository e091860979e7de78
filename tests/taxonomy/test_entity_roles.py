"""The packaged entity-role taxonomy and validation of user role files."""

from __future__ import annotations

import pytest
import yaml

from narrascope.taxonomy import TaxonomyError, load_entity_roles


def test_packaged_roles():
    roles = load_entity_roles()
    assert roles.main_roles == ["Protagonist", "Antagonist", "Innocent"]
    assert len(roles.fine_roles) == 22
    assert [len(roles.fine_roles_of(m)) for m in roles.main_roles] == [6, 12, 4]
    assert roles.main_of("Foreign Adversary") == "Antagonist"
    assert roles.main_of("Scapegoat") == "Innocent"
    assert roles.definition("Peacemaker")
    assert roles.definition("Innocent")
    with pytest.raises(KeyError):
        roles.main_of("Protagonist")


def test_roles_round_trip_and_duplicate_error(tmp_path):
    data = load_entity_roles().to_dict()
    path = tmp_path / "roles.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert load_entity_roles(path).to_dict() == data
    data["main_roles"][1]["fine_roles"].append({"name": "Guardian", "definition": "again"})
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(TaxonomyError, match=r"main_roles\[1\] \('Antagonist'\)\.fine_roles\[12\] \('Guardian'\): duplicate"):
        load_entity_roles(path)
