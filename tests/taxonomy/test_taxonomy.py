"""The packaged SemEval-2025 narrative taxonomy and validation of user taxonomy files."""

from __future__ import annotations

import json

import pytest
import yaml

from narrascope.taxonomy import Taxonomy, TaxonomyError, load_taxonomy

NOT_OFFICIAL = {
    "CC: Climate change is beneficial: Temperature increase is beneficial",
    "CC: Climate change is beneficial: Other",
    "CC: Downplaying climate change: Sea levels are not rising",
    "CC: Green policies are geopolitical instruments: Climate-related international relations are abusive/exploitative",
}


def test_packaged_taxonomy_shape():
    tax = load_taxonomy()
    assert tax.name == "semeval2025-task10" and tax.version == "1.0"
    assert len(tax.narratives) == 22 and "Other" in tax.narratives
    assert sum(tax.domain_of(n) == "URW" for n in tax.narratives) == 11
    assert sum(tax.domain_of(n) == "CC" for n in tax.narratives) == 10
    assert len(tax.subnarratives) == 95
    assert set(tax.subnarratives) - set(tax.official_subnarratives) == NOT_OFFICIAL
    assert len(tax.official_subnarratives) == 91  # 90 sub-narratives + "Other", as in the official list
    assert tax.official_narratives == tax.narratives
    assert load_taxonomy() is tax  # cached


def test_every_narrative_has_an_other_subnarrative():
    tax = load_taxonomy()
    for narrative in tax.narratives:
        expected = "Other" if narrative == "Other" else f"{narrative}: Other"
        assert expected in tax.subnarratives_of(narrative)


def test_lookups():
    tax = load_taxonomy()
    sub = "URW: Discrediting Ukraine: Ukraine is associated with nazism"
    assert tax.narrative_of(sub) == "URW: Discrediting Ukraine"
    assert tax.domain_of(sub) == "URW"
    assert tax.domain_of("Other") is None
    assert tax.narrative_of("Other") == "Other"
    assert "Nazi" in tax.definition(sub)
    assert tax.definition("CC: Downplaying climate change")
    assert tax.subnarratives_of("URW: Hidden plots by secret schemes of powerful groups") == [
        "URW: Hidden plots by secret schemes of powerful groups: Other"]
    with pytest.raises(KeyError):
        tax.narrative_of("URW: Discrediting Ukraine")  # a narrative, not a sub-narrative
    with pytest.raises(KeyError):
        tax.subnarratives_of("nope")
    with pytest.raises(KeyError):
        tax.definition("nope")
    with pytest.raises(KeyError):
        tax.domain_of("nope")


def test_definitions_are_short_and_nonempty():
    tax = load_taxonomy()
    for label in tax.narratives + tax.subnarratives:
        assert 10 < len(tax.definition(label)) < 300, label


def test_to_dict_round_trips_through_yaml_and_json(tmp_path):
    tax = load_taxonomy()
    yaml_path = tmp_path / "t.yaml"
    yaml_path.write_text(yaml.safe_dump(tax.to_dict(), allow_unicode=True), encoding="utf-8")
    json_path = tmp_path / "t.json"
    json_path.write_text(json.dumps(tax.to_dict()), encoding="utf-8")
    for path in (yaml_path, json_path):
        again = load_taxonomy(path)
        assert again.to_dict() == tax.to_dict()
        assert again.official_subnarratives == tax.official_subnarratives


def _user_taxonomy() -> dict:
    return {
        "name": "mine",
        "version": 2,
        "narratives": [
            {"name": "Energy is a weapon", "definition": "Energy supply is used to coerce.",
             "subnarratives": [{"name": "Energy is a weapon: Gas cut-offs", "definition": "Gas deliveries are stopped."}]},
            {"name": "Elections are rigged", "definition": "Votes are said to be manipulated."},
        ],
    }


def test_user_taxonomy_without_domains(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(_user_taxonomy()), encoding="utf-8")
    tax = load_taxonomy(path)
    assert tax.version == "2"
    assert tax.narratives == ["Energy is a weapon", "Elections are rigged"]
    assert tax.subnarratives == ["Energy is a weapon: Gas cut-offs"]
    assert tax.domain_of("Energy is a weapon: Gas cut-offs") is None
    assert tax.subnarratives_of("Elections are rigged") == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("version"), "top level: missing key(s) 'version'"),
        (lambda d: d["narratives"][0].pop("definition"), "narratives[0] ('Energy is a weapon'): missing key(s) 'definition'"),
        (lambda d: d["narratives"][1].update(definition="  "), "'definition' must be a non-empty string"),
        (lambda d: d["narratives"][1].update(name="Energy is a weapon"), "duplicate narrative name"),
        (lambda d: d["narratives"][0]["subnarratives"][0].update(name="Gas cut-offs"),
         "subnarratives[0] ('Gas cut-offs'): sub-narrative name must be prefixed by its narrative name"),
        (lambda d: d["narratives"][0]["subnarratives"].append(
            {"name": "Energy is a weapon: Gas cut-offs", "definition": "again"}), "duplicate sub-narrative name"),
        (lambda d: d["narratives"][0]["subnarratives"][0].update(definition=""), "'definition' must be a non-empty"),
        (lambda d: d["narratives"][0].update(domain="CC"), "unknown domain 'CC'"),
        (lambda d: d["narratives"][0].update(defintion="typo"), "unknown key(s) 'defintion'"),
        (lambda d: d.update(narratives=[]), "'narratives' must be a non-empty list"),
        (lambda d: d["narratives"][0]["subnarratives"][0].update(official="no"), "'official' must be true or false"),
    ],
)
def test_invalid_user_taxonomy_names_file_and_entry(tmp_path, change, message):
    data = _user_taxonomy()
    change(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(TaxonomyError) as err:
        load_taxonomy(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_domain_prefix_is_checked():
    data = {"name": "d", "version": "1", "domains": [{"code": "X", "name": "Ex"}],
            "narratives": [{"name": "Y: wrong prefix", "domain": "X", "definition": "d"}]}
    with pytest.raises(TaxonomyError, match="must start with its domain prefix 'X: '"):
        Taxonomy(data, source="inline")


def test_unreadable_and_unparsable_files(tmp_path):
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="not valid JSON"):
        load_taxonomy(bad)
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="top level: expected a mapping"):
        load_taxonomy(listing)
