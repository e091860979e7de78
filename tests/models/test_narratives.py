"""Narrative estimator, hierarchical decoder, threshold tuning and training on a small synthetic corpus."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from narrascope.models.narratives import OTHER, HierarchyDecoder, NarrativeClassifier, NarrativeModel
from narrascope.models.training import _Scorer, calibration, cross_validate, train_model, training_labels
from narrascope.semeval import SemevalDocument, score_subtask2
from narrascope.taxonomy import load_taxonomy

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "narratives" / "synthetic.jsonl"
SHARED_TRAIN = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "semeval2025-task10" / "train"
PRAISE = "URW: Praise of Russia"
MIGHT = "URW: Praise of Russia: Praise of Russian military might"
PUTIN = "URW: Praise of Russia: Praise of Russian President Vladimir Putin"
FEARS = "CC: Amplifying Climate Fears"
DOOM = "CC: Amplifying Climate Fears: Doomsday scenarios for humans"


def synthetic_docs() -> list[SemevalDocument]:
    rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    return [SemevalDocument(r["id"], r["lang"], r["text"], r["narratives"], r["subnarratives"]) for r in rows]


@pytest.fixture(scope="module")
def docs() -> list[SemevalDocument]:
    return synthetic_docs()


@pytest.fixture(scope="module")
def model(docs) -> NarrativeModel:
    return train_model(docs, random_state=0)[0]


def test_fit_predict_proba_shapes_and_signal(docs):
    texts, labels = [d.text for d in docs], [training_labels(d) for d in docs]
    clf = NarrativeClassifier(word_max_features=500, char_max_features=2000).fit(texts, labels, ["en"] * len(texts))
    assert set(clf.classes_) == {OTHER, PRAISE, MIGHT, PUTIN, FEARS, DOOM}
    proba = clf.predict_proba(["The coming climate apocalypse will kill billions of people.",
                               "The football club won the match after a late goal."], ["en", "en"])
    assert proba.shape == (2, len(clf.classes_))
    assert ((proba >= 0) & (proba <= 1)).all()
    col = {c: i for i, c in enumerate(clf.classes_)}
    assert proba[0, col[FEARS]] > 0.5 > proba[0, col[PRAISE]]
    assert proba[1, col[OTHER]] > proba[1, col[FEARS]]


def test_training_labels_drop_derived_other():
    doc = SemevalDocument("x", "EN", "t", [PRAISE], [f"{PRAISE}: Other", MIGHT])
    assert training_labels(doc) == [PRAISE, MIGHT]


CLASSES = [OTHER, PRAISE, MIGHT, PUTIN, FEARS, DOOM]
CHILDREN = {PRAISE: [MIGHT, PUTIN], FEARS: [DOOM]}


def test_decoder_sub_implies_parent_and_narrative_other():
    decoder = HierarchyDecoder(0.5, 0.5, 0.9, single_domain=False)
    #                  Other PRAISE MIGHT PUTIN FEARS DOOM
    proba = np.array([0.1, 0.8, 0.7, 0.2, 0.6, 0.9])
    nars, subs = decoder.decode(proba, CLASSES, CHILDREN)
    assert [n for n, _ in nars] == [PRAISE, FEARS]
    assert [s for s, _ in subs] == [MIGHT, DOOM]
    # a confident sub-narrative whose narrative is not predicted is dropped (sub implies parent)
    nars, subs = decoder.decode(np.array([0.1, 0.8, 0.2, 0.3, 0.3, 0.95]), CLASSES, CHILDREN)
    assert [n for n, _ in nars] == [PRAISE]
    assert [s for s, _ in subs] == [f"{PRAISE}: Other"]
    assert 0 < subs[0][1] <= 0.8


def test_decoder_other_is_exclusive():
    decoder = HierarchyDecoder(0.5, 0.5, 0.7)
    nars, subs = decoder.decode(np.array([0.2, 0.3, 0.9, 0.1, 0.1, 0.1]), CLASSES, CHILDREN)
    assert [n for n, _ in nars] == [OTHER] and [s for s, _ in subs] == [OTHER]
    nars, subs = decoder.decode(np.array([0.8, 0.9, 0.9, 0.1, 0.1, 0.1]), CLASSES, CHILDREN)  # P(Other) high
    assert [n for n, _ in nars] == [OTHER] and [s for s, _ in subs] == [OTHER]


def test_decoder_per_language_thresholds():
    decoder = HierarchyDecoder(0.5, 0.5, 1.01, per_language={"bg": (0.2, 0.5, 1.01)})
    proba = np.array([0.1, 0.3, 0.1, 0.1, 0.1, 0.1])
    assert decoder.decode(proba, CLASSES, CHILDREN, "en")[0][0][0] == OTHER
    assert decoder.decode(proba, CLASSES, CHILDREN, "bg")[0][0][0] == PRAISE
    assert HierarchyDecoder.from_dict(decoder.to_dict()) == decoder


def test_vectorised_scorer_matches_decoder_and_official_scorer(docs):
    """Threshold tuning scores with matrices; it must agree with decode() + score_subtask2 exactly."""
    taxonomy = load_taxonomy()
    rng = np.random.default_rng(0)
    proba = rng.random((len(docs), len(CLASSES)))
    scorer = _Scorer(CLASSES, CHILDREN, docs, taxonomy)
    for th in [(0.3, 0.4, 0.8), (0.6, 0.2, 1.01), (0.5, 0.5, 0.5)]:
        decoder = HierarchyDecoder(*th)
        pred = {}
        for d, row in zip(docs, proba):
            nars, subs = decoder.decode(row, CLASSES, CHILDREN)
            pred[d.id] = ([n for n, _ in nars], [s for s, _ in subs])
        official = score_subtask2(pred, {d.id: (d.narratives, d.subnarratives) for d in docs}, taxonomy)
        coarse, fine = scorer.score(proba, np.arange(len(docs)), *th)
        assert coarse == pytest.approx(official["coarse_f1"])
        assert fine == pytest.approx(official["fine_f1"])


def test_train_model_learns_synthetic_corpus(model, docs):
    predictions = model.predict([d.text for d in docs], ["en"] * len(docs))
    pred = {d.id: ([n for n, _ in nars], [s for s, _ in subs]) for d, (nars, subs) in zip(docs, predictions)}
    result = score_subtask2(pred, {d.id: (d.narratives, d.subnarratives) for d in docs})
    assert result["coarse_f1"] > 0.9 and result["fine_f1"] > 0.8
    for nars, subs in predictions:
        names = [n for n, _ in nars]
        assert (names == [OTHER]) == (OTHER in names)  # Other is exclusive
        for sub, _ in subs:
            assert sub == OTHER or sub.rsplit(": ", 1)[0] in names  # a sub-narrative implies its narrative


def test_save_load_round_trip(model, docs, tmp_path):
    model.save(tmp_path / "m")
    loaded = NarrativeModel.load(tmp_path / "m")
    texts = [d.text for d in docs[:10]]
    np.testing.assert_allclose(loaded.classifier.predict_proba(texts, ["en"] * 10),
                               model.classifier.predict_proba(texts, ["en"] * 10), atol=2e-3)
    assert loaded.decoder == model.decoder and loaded.children == model.children
    with pytest.raises(FileNotFoundError):
        NarrativeModel.load(tmp_path)


def test_fit_is_deterministic(docs):
    texts, labels = [d.text for d in docs], [training_labels(d) for d in docs]
    a = NarrativeClassifier(random_state=3).fit(texts, labels).predict_proba(texts[:5])
    b = NarrativeClassifier(random_state=3).fit(texts, labels).predict_proba(texts[:5])
    np.testing.assert_array_equal(a, b)


def test_cross_validate_reports_languages_baseline_and_calibration(docs):
    result = cross_validate(docs, n_folds=3, random_state=0)
    row = result["per_language"]["EN"]
    assert row["n_documents"] == len(docs)
    assert row["coarse"]["mean"] > row["base_coarse"]["mean"]
    assert 0 <= result["calibration"]["ece"] < 0.2


def test_calibration_of_perfect_and_overconfident_predictions():
    truth = np.array([[1, 0], [0, 1], [1, 0], [0, 0]], float)
    assert calibration(truth, truth)["ece"] == 0.0
    assert calibration(np.full_like(truth, 0.95), truth)["ece"] == pytest.approx(0.95 - truth.mean())


@pytest.mark.shared
def test_default_model_on_shared_training_data():
    if not SHARED_TRAIN.is_dir():
        pytest.skip(f"SemEval-2025 training data not found at {SHARED_TRAIN} (../shared beside the repository)")
    from narrascope.analysers.narratives import default_model_dir
    from narrascope.semeval import load_corpus

    model = NarrativeModel.load(default_model_dir())
    docs = [d for d in load_corpus(SHARED_TRAIN, ["EN", "BG"]) if d.narratives][::8]
    predictions = model.predict([d.text for d in docs], [d.lang.lower() for d in docs])
    taxonomy = load_taxonomy()
    known = set(taxonomy.narratives) | set(taxonomy.subnarratives)
    for nars, subs in predictions:
        assert {n for n, _ in nars} | {s for s, _ in subs} <= known
    pred = {d.id: ([n for n, _ in nars], [s for s, _ in subs]) for d, (nars, subs) in zip(docs, predictions)}
    result = score_subtask2(pred, {d.id: (d.narratives, d.subnarratives) for d in docs}, taxonomy)
    assert result["coarse_f1"] > 0.6  # documents the model was trained on


def test_decoder_keeps_one_domain():
    proba = np.array([0.1, 0.7, 0.6, 0.1, 0.65, 0.9])  # PRAISE (URW) and FEARS (CC) both pass 0.5
    nars, _ = HierarchyDecoder(0.5, 0.5, 1.01).decode(proba, CLASSES, CHILDREN)
    assert [n for n, _ in nars] == [PRAISE]
    nars, _ = HierarchyDecoder(0.5, 0.5, 1.01, single_domain=False).decode(proba, CLASSES, CHILDREN)
    assert [n for n, _ in nars] == [PRAISE, FEARS]


def test_cli_train_eval_and_predictions_match_official_scorer(docs, tmp_path):
    from typer.testing import CliRunner

    from narrascope.cli import app

    root = tmp_path / "corpus"
    (root / "raw-documents" / "EN").mkdir(parents=True)
    (root / "labels" / "EN").mkdir(parents=True)
    lines = []
    for d in docs:
        (root / "raw-documents" / "EN" / d.id).write_text(d.text, encoding="utf-8")
        lines.append(f"{d.id}\t{';'.join(d.narratives)}\t{';'.join(d.subnarratives)}\n")
    gold = root / "labels" / "EN" / "subtask-2-annotations.txt"
    gold.write_text("".join(lines), encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "model"
    result = runner.invoke(app, ["train", "narratives", "--semeval", str(root), "--out", str(out), "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert (out / "model.json").is_file() and "sha256" in (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    pred = tmp_path / "oof.txt"
    result = runner.invoke(app, ["eval", "narratives", "--semeval", str(root), "--folds", "3", "--json", "--predictions", str(pred)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)["per_language"]["EN"]
    official = score_subtask2(pred, gold)
    # the mean over equal-sized folds is the pooled mean: eval and `semeval score` agree
    assert figures["coarse"]["mean"] == pytest.approx(official["coarse_f1"], abs=1e-9)
    assert figures["fine"]["mean"] == pytest.approx(official["fine_f1"], abs=1e-9)


@pytest.mark.parametrize("sentence", [
    "Experts have debunked the claim that the West started the war.",
    "This is a false claim spread by Kremlin propaganda.",
    "Това е руската пропаганда, която твърди, че Западът е агресор.",
    "Российская пропаганда утверждает, что Запад напал первым.",
    "A propaganda russa diz que o Ocidente é o agressor.",
    "यह दुष्प्रचार है कि पश्चिम ने युद्ध शुरू किया।",
])
def test_rejection_cues_in_five_languages(sentence):
    from narrascope.models.narratives import rejects

    assert rejects(sentence)


def test_rejection_cues_leave_plain_claims_alone():
    from narrascope.models.narratives import rejects

    assert not rejects("The West started the war and NATO is the aggressor.")
    assert not rejects("Западът започна войната.")


def test_display_thresholds_where_labels_are_right_half_the_time():
    from narrascope.models.training import display_thresholds

    # PRAISE decoded for 8 documents; it is right only from probability 0.6 up
    probs = [0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9]
    docs = [SemevalDocument(f"d{i}", "EN", "t", [PRAISE] if p >= 0.6 else [FEARS], [MIGHT] if p >= 0.6 else [DOOM])
            for i, p in enumerate(probs)]
    proba = np.array([[0.0, p, 0.9, 0.0, 0.0, 0.0] for p in probs])
    found = display_thresholds(proba, CLASSES, CHILDREN, HierarchyDecoder(0.3, 0.5, 1.01, single_domain=False), docs)
    assert found["narratives"] == 0.6
    assert found["subnarratives"] == 0.9  # MIGHT is always decoded (0.9) but right only 4 times in 8: the top bin


def test_evidence_reference_points_where_the_explanation_does():
    from narrascope.models.training import EvidenceReference
    from narrascope.semeval.corpus import Explanation

    text = ("Local news from the town. The meeting took place on Tuesday. The mighty Russian army crushed the enemy "
            "lines with tanks. The weather was mild. Several people attended the event.")
    doc = SemevalDocument("EN_X.txt", "EN", text, [PRAISE], [MIGHT],
                          explanation=Explanation(PRAISE, MIGHT, "The article praises the mighty Russian army and its tanks."))
    reference = EvidenceReference([doc] + synthetic_docs())
    sentences = [(0, 25), (26, 60), (61, 133), (134, 154), (155, len(text))]
    assert reference.closest(doc, sentences)[0] == 2


def test_cli_train_leaves_the_heldout_split_out(docs, tmp_path):
    from typer.testing import CliRunner

    from narrascope.cli import app
    from narrascope.models.narratives import NarrativeModel
    from narrascope.semeval.splits import packaged_split

    heldout_id = sorted(i for i in packaged_split("semeval2025-task10") if i.startswith("EN_"))[0]
    root = tmp_path / "corpus"
    (root / "raw-documents" / "EN").mkdir(parents=True)
    (root / "labels" / "EN").mkdir(parents=True)
    renamed = [(heldout_id if i == 0 else d.id, d) for i, d in enumerate(docs)]
    for doc_id, d in renamed:
        (root / "raw-documents" / "EN" / doc_id).write_text(d.text, encoding="utf-8")
    (root / "labels" / "EN" / "subtask-2-annotations.txt").write_text(
        "".join(f"{i}\t{';'.join(d.narratives)}\t{';'.join(d.subnarratives)}\n" for i, d in renamed), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["train", "narratives", "--semeval", str(root), "--out", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    info = NarrativeModel.load(tmp_path / "m").info
    assert info["heldout_documents"] == 1 and info["documents"] == {"EN": len(docs) - 1}
    result = runner.invoke(app, ["train", "narratives", "--semeval", str(root), "--out", str(tmp_path / "all"), "--include-heldout"])
    assert NarrativeModel.load(tmp_path / "all").info["documents"] == {"EN": len(docs)}


def _explained(docs: list[SemevalDocument]) -> list[SemevalDocument]:
    """The synthetic documents, those praising the army with a subtask-3 style explanation."""
    from narrascope.semeval.corpus import Explanation

    why = Explanation(PRAISE, MIGHT, "The text praises the mighty Russian army that crushed the enemy lines with tanks.")
    return [SemevalDocument(d.id, d.lang, d.text, d.narratives, d.subnarratives,
                            explanation=why if "mighty Russian army" in d.text else None) for d in docs]


def test_pooled_score_is_the_log_sum_exp_of_what_each_sentence_adds(docs, tmp_path):
    """With learned salience the document score is made of the sentence contributions shown as evidence, exactly."""
    from narrascope.analysers.sentences import split_sentences

    model = train_model(_explained(docs), random_state=0)[0]
    clf = model.classifier
    assert clf.salience_coef_ is not None and clf.salience_coef_.shape == (48,)  # 7 x 6 + the prototype weights
    text = ("Army day in Moscow. The meeting took place on Tuesday afternoon. The mighty Russian army crushed the "
            "enemy lines with tanks and artillery. Scientists warn of a doomsday catastrophe for humanity.")
    added = clf.sentence_scores(text, "en", split_sentences(text), list(range(len(clf.classes_))))
    pooled = clf.decision_function([text], ["en"])[0]
    t = clf.temperature
    np.testing.assert_allclose(pooled, t * np.log(np.exp(added / t).sum(0)), rtol=1e-5, atol=1e-5)
    model.save(tmp_path / "m")
    loaded = NarrativeModel.load(tmp_path / "m").classifier
    np.testing.assert_allclose(loaded.salience_coef_, clf.salience_coef_)
    np.testing.assert_allclose(loaded.predict_proba([text], ["en"]), clf.predict_proba([text], ["en"]), atol=2e-3)
    assert train_model(docs, random_state=0)[0].classifier.salience_coef_ is None  # no explanation: even weights


@pytest.mark.parametrize("share", [1.0, 0.5])
def test_salience_learns_where_the_evidence_sits(docs, share):
    """Evidence always on the first sentence teaches a higher first-sentence weight than evidence always on the last."""
    from narrascope.analysers.sentences import split_sentences

    texts, labels = [d.text for d in docs], [training_labels(d) for d in docs]
    first = [(doc_labels[0], [0]) for doc_labels in labels]
    last = [(doc_labels[0], [len(split_sentences(t)) - 1]) for t, doc_labels in zip(texts, labels)]
    weights = [NarrativeClassifier(salience_share=share).fit(texts, labels, evidence=e).salience_coef_ for e in (first, last)]
    assert weights[0][0] > weights[1][0]  # is-first
    assert weights[0][2] < weights[1][2]  # relative position


def test_context_reads_neighbouring_sentences_of_the_same_document_only(docs):
    """With a window, a sentence is scored with its neighbours' features at ``context_weight``; never across documents."""
    texts, labels = [d.text for d in docs], [training_labels(d) for d in docs]
    clf = NarrativeClassifier(word_max_features=500, char_max_features=2000, salience=False).fit(texts, labels)
    alone = clf._features(["Tanks rolled.", "The army is mighty.", "Rain fell.", "Tanks rolled."], [None] * 4)
    owner = np.array([0, 0, 0, 1])
    for weight in (0.5, 1.0):
        clf.set_params(window=1, context_weight=weight)
        mixed = clf._in_context(alone, owner).toarray()
        np.testing.assert_allclose(mixed[3], alone[3].toarray()[0], atol=1e-6)  # a one-sentence document: itself
        n_word = len(clf.word_vectorizer_.vocabulary_)
        expected = alone[0, :n_word].toarray()[0] + weight * alone[1, :n_word].toarray()[0]
        np.testing.assert_allclose(mixed[0, :n_word], expected / np.linalg.norm(expected), atol=1e-6)
    clf.set_params(window=1, context_weight=0.0)
    np.testing.assert_allclose(clf._in_context(alone, owner).toarray(), alone.toarray(), atol=1e-6)


def test_definitions_are_extra_training_rows_for_labels_seen(docs):
    """Taxonomy definitions add one auxiliary row per label seen, taught with its narrative; documents keep their rows."""
    with_definitions = train_model(docs, random_state=0, definitions=True, salience=False)[0]
    assert with_definitions.info["auxiliary_rows"]["definitions"] is True
    assert with_definitions.classes == train_model(docs, random_state=0, salience=False)[0].classes


def test_explanation_without_sub_narrative_teaches_no_label_named_none(docs):
    """Subtask-3 files give "none" as the sub-narrative of some explanations: it is no label to learn."""
    from narrascope.semeval.corpus import Explanation

    why = Explanation(PRAISE, "none", "The text praises the mighty Russian army that crushed the enemy lines.")
    explained = [SemevalDocument(d.id, d.lang, d.text, d.narratives, d.subnarratives, explanation=why)
                 if PRAISE in d.narratives else d for d in docs]
    model = train_model(explained, random_state=0, salience=False)[0]
    assert "none" not in model.classes and PRAISE in model.classes


def test_word_features_keep_hindi_words_whole():
    # \w leaves out the Devanagari vowel signs: scikit-learn's default pattern read "हमला" as "हमल"
    texts = ["रूस ने यूक्रेन पर हमला किया", "नाटो ने हमला किया", "रूस और नाटो", "यूक्रेन पर हमला"] * 2
    labels = [["URW: Blaming the war on others rather than the invader"], [OTHER]] * 4
    model = NarrativeClassifier(calibration_folds=2).fit(texts, labels, ["hi"] * len(texts))
    words = set(model.word_vectorizer_.vocabulary_)
    assert {"हमला", "किया", "यूक्रेन", "नाटो ने"} <= words and "हमल" not in words


def test_model_saved_before_the_word_pattern_existed_keeps_its_tokens(model, docs, tmp_path):
    model.save(tmp_path / "m")
    state_file = tmp_path / "m" / "model.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    del state["classifier"]["params"]["token_pattern"]
    state_file.write_text(json.dumps(state), encoding="utf-8")
    loaded = NarrativeModel.load(tmp_path / "m")
    assert loaded.classifier.word_vectorizer_.token_pattern == r"(?u)\b\w\w+\b"


def _explanation_rows(docs):
    """The synthetic corpus plus one explanation per Praise-of-Russia document (an auxiliary row), and evidence that
    points at the sentence its sub-narrative rests on."""
    from narrascope.analysers.sentences import split_sentences

    cues = {MIGHT: ("mighty", "The text praises the mighty Russian army, its tanks and its strength."),
            PUTIN: ("Putin", "The text praises President Putin as a wise and strong leader.")}
    texts, labels = [d.text for d in docs], [training_labels(d) for d in docs]
    langs, groups, aux = ["en"] * len(docs), [d.id for d in docs], [False] * len(docs)
    evidence: list = [None] * len(docs)
    for k, doc in enumerate(docs):
        for sub, (cue, explanation) in cues.items():
            if doc.subnarratives == [sub]:
                sentences = split_sentences(doc.text)
                evidence[k] = (sub, [i for i, (s, e) in enumerate(sentences) if cue in doc.text[s:e]])
                texts.append(explanation)
                labels.append([PRAISE, sub])
                langs.append("en")
                groups.append(doc.id)
                aux.append(True)
                evidence.append(None)
    return texts, labels, langs, groups, aux, evidence


def test_prototypes_weigh_each_sentence_by_its_likeness_to_each_labels_explanations(docs, tmp_path):
    texts, labels, langs, groups, aux, evidence = _explanation_rows(docs)
    clf = NarrativeClassifier(prototypes=True).fit(texts, labels, langs, groups, aux, evidence)
    assert clf.prototypes_.shape == (len(clf.classes_), clf.coef_.shape[0] - 6)
    assert clf.salience_coef_[-6] > 0  # likeness to a label's explanations raises a sentence's weight for it
    text = ("The mighty Russian army crushed the enemy lines with tanks and artillery. Officials said more details "
            "would follow. President Putin is a wise and strong leader admired by millions.")
    _, _, _, log_weights = clf._instances([text], ["en"], None)
    might, putin = list(clf.classes_).index(MIGHT), list(clf.classes_).index(PUTIN)
    assert log_weights.shape == (3, len(clf.classes_))
    assert log_weights[0, might] > log_weights[0, putin] and log_weights[2, putin] > log_weights[2, might]
    model = NarrativeModel(clf, HierarchyDecoder(), {})
    model.save(tmp_path / "m")
    loaded = NarrativeModel.load(tmp_path / "m").classifier
    np.testing.assert_allclose(loaded.predict_proba([text], ["en"]), clf.predict_proba([text], ["en"]), atol=2e-3)


def test_prototypes_never_compare_a_training_sentence_with_its_own_documents_explanation(docs):
    texts, labels, langs, groups, aux, evidence = _explanation_rows(docs)
    only = next(k for k, e in enumerate(evidence) if e and e[0] == PUTIN)
    keep = [k for k in range(len(texts)) if not (aux[k] and labels[k] == [PRAISE, PUTIN] and groups[k] != groups[only])]
    texts, labels, langs, groups, aux, evidence = ([column[k] for k in keep]
                                                   for column in (texts, labels, langs, groups, aux, evidence))
    clf = NarrativeClassifier(prototypes=True, salience=False).fit(texts, labels, langs, groups, aux, evidence)
    primary = np.flatnonzero(~np.array(aux))
    X = clf._features(texts, langs)
    Y = np.array([[c in set(doc) for c in clf.classes_] for doc in labels], float)
    instances, owner, _, _ = clf._instances([texts[i] for i in primary], [langs[i] for i in primary], None)
    affinity = clf._fit_prototypes(X, Y, np.array(aux), groups, primary, instances, owner)
    putin = list(clf.classes_).index(PUTIN)
    doc = int(np.flatnonzero(primary == only)[0])
    assert np.allclose(affinity[owner == doc, putin], 0.0)  # its explanation is the only one of the label
    assert clf._affinity(instances)[owner == doc, putin].max() > 0.3  # at prediction time it is compared
