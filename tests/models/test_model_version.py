"""A model's version follows its files, so a retrained model is never taken for the one already used."""

from narrascope.models import model_version, packaged_model_dir
from narrascope.pipeline import load_pipeline


def test_version_changes_with_model_files_but_not_with_the_card_or_measurement_records(tmp_path):
    (tmp_path / "weights.npz").write_bytes(b"one")
    (tmp_path / "MODEL_CARD.md").write_text("card", encoding="utf-8")
    first = model_version(tmp_path)
    (tmp_path / "MODEL_CARD.md").write_text("new figures", encoding="utf-8")
    assert model_version(tmp_path) == first
    (tmp_path / "speed.json").write_text('{"seconds_per_article": 0.03}', encoding="utf-8")  # a benchmark's record
    (tmp_path / "choices.json").write_text("[]", encoding="utf-8")
    assert model_version(tmp_path) == first
    (tmp_path / "weights.npz").write_bytes(b"two")
    assert model_version(tmp_path) != first


def test_every_model_backed_analyser_is_versioned_by_its_files():
    pipeline = load_pipeline(["segmenter", "sentences", "narratives", "entities", "techniques"])
    for name in ("narratives", "entities", "techniques"):
        assert pipeline.get(name).version.endswith(model_version(packaged_model_dir(name)))
