"""The technique classifier, phrase lexicon and span model on a small synthetic corpus; the packaged model."""

import importlib.util
from pathlib import Path

import pytest

from narrascope.models.techniques import PhraseLexicon, TechniqueClassifier, TechniqueModel, Unit, build_units

_spec = importlib.util.spec_from_file_location(
    "technique_corpus", Path(__file__).resolve().parents[1] / "fixtures" / "techniques" / "corpus.py"
)
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)
TECHS, synthetic_corpus = corpus.TECHS, corpus.synthetic_corpus

def test_units_and_gold_matrix_follow_span_overlap():
    articles, spans = synthetic_corpus(3)
    X, Y, groups, keys, offsets = build_units(articles, spans, TECHS)
    assert len(X) == len(Y) == len(groups) == len(keys) == len(offsets)
    for unit, row, (doc, _), (s, e) in zip(X, Y, keys, offsets):
        assert articles[doc][s:e] == unit.text
        assert row[0] == ("treacherous thugs" in unit.text)
        assert row[1] == ("so-called experts" in unit.text)


def test_classifier_learns_planted_cues_and_tunes_thresholds():
    articles, spans = synthetic_corpus()
    X, Y, groups, keys, _ = build_units(articles, spans, TECHS)
    clf = TechniqueClassifier(techniques=TECHS, min_positives=2, threshold_folds=3).fit(X, Y, groups=groups, paragraphs=keys)
    assert clf.thresholds_.shape == (2,)
    test = [
        Unit("Those treacherous thugs again.", "Those treacherous thugs again."),
        Unit("The so-called experts spoke.", "The so-called experts spoke."),
        Unit("The council met on Tuesday.", "The council met on Tuesday."),
    ]
    assert clf.predict(test).tolist() == [[True, False], [False, True], [False, False]]


def test_phrase_lexicon_localises_cues():
    articles, spans = synthetic_corpus()
    ids = sorted(articles)
    lexicon = PhraseLexicon(min_count=2).fit([articles[i] for i in ids], [spans[i] for i in ids])
    assert "treacherous thugs" in lexicon.cues_["Name_Calling-Labeling"]
    text = "Yesterday the treacherous thugs returned."
    (start, end), = lexicon.find(text, 0, len(text), "Name_Calling-Labeling")
    assert text[start:end] == "treacherous thugs"
    assert lexicon.find(text, 0, len(text), "Slogans") == []


def test_a_loaded_word_that_stands_as_a_name_inside_a_sentence_is_not_its_span():
    lexicon = PhraseLexicon()
    lexicon.cues_ = {"Loaded_Language": ["apple", "ballyhooed"], "Name_Calling-Labeling": ["nazis"]}
    text = "Apple is rotten. A film by Apple was ballyhooed. They call them Nazis."
    assert [text[s:e] for s, e in lexicon.find(text, 17, 48, "Loaded_Language")] == ["ballyhooed"]
    # at a sentence start, a word the text capitalises inside a sentence too is the same name
    assert lexicon.find(text, 0, 16, "Loaded_Language") == []
    assert [text[s:e] for s, e in lexicon.find(text, 49, len(text), "Name_Calling-Labeling")] == ["Nazis"]
    text = "Apple pie, they said, is a rotten apple."  # written in lower case too: an ordinary word
    assert [text[s:e] for s, e in lexicon.find(text, 0, len(text), "Loaded_Language")] == ["Apple", "apple"]


def test_span_model_save_load_round_trip(tmp_path):
    articles, spans = synthetic_corpus()
    model = TechniqueModel.fit(
        articles, spans, classifier=TechniqueClassifier(techniques=TECHS, min_positives=2, threshold_folds=3)
    )
    assert model.phrase_techniques == ["Doubt", "Name_Calling-Labeling"]  # both planted spans are 17 characters
    text = "The treacherous thugs in city 5 were at it again.\n\nThe council met on Tuesday."
    sentences = [(0, 49), (51, len(text))]
    found = model.predict_spans(text, sentences)
    assert [(t, text[s:e]) for t, s, e, _ in found] == [("Name_Calling-Labeling", "treacherous thugs")]
    model.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["meta.json", "model.json", "weights.npz"]
    again = TechniqueModel.load(tmp_path / "m").predict_spans(text, sentences)
    assert [x[:3] for x in again] == [x[:3] for x in found]
    assert again[0][3] == pytest.approx(found[0][3], abs=1e-3)  # weights are stored as float16


def test_packaged_model_finds_loaded_language_in_an_obvious_case():
    from narrascope.analysers.techniques import default_model_dir

    model = TechniqueModel.load(default_model_dir())
    text = "The corrupt, evil regime of bloodthirsty thugs and traitors is destroying our great nation."
    labels = {t for t, _, _, _ in model.predict_spans(text, [(0, len(text))])}
    assert labels & {"Loaded_Language", "Name_Calling-Labeling"}
    neutral = "The council will meet on Tuesday to approve the budget for road repairs."
    assert model.predict_spans(neutral, [(0, len(neutral))]) == []


def test_micro_thresholds_silence_a_rare_technique_whose_hits_cost_more_than_they_bring():
    import numpy as np

    from narrascope.models.techniques import _best_threshold, _micro_thresholds

    gold = np.zeros((100, 2), dtype=bool)
    gold[:50, 0] = True  # a frequent technique, perfectly scored
    gold[:2, 1] = True  # a rare one: its two hits come with 18 false alarms at the same score
    scores = np.zeros((100, 2))
    scores[:, 0] = np.where(gold[:, 0], 0.9, 0.1)
    scores[:20, 1] = 0.5
    own = np.array([_best_threshold(scores[:, j], gold[:, j]) for j in range(2)])
    assert own[1] <= 0.5  # on its own F1 (0.18) the rare technique is worth predicting
    joint = _micro_thresholds(scores, gold, own)
    assert joint[1] > 0.5 and joint[0] <= 0.9  # jointly it is not: micro-F1 0.98 without it, 0.85 with it
