"""The trained estimators against scikit-learn's own estimator checks, where those apply.

``sklearn.utils.estimator_checks.parametrize_with_checks`` feeds numeric 2-D arrays to ``fit``/``predict``; none of
narrascope's estimators reads one, so its array checks do not apply: :class:`NarrativeClassifier` reads texts (and
languages, sentence offsets), :class:`EntityRoleClassifier` reads mention contexts (a text and a character span),
:class:`TechniqueClassifier` reads sentence units with their paragraph, and :class:`PhraseLexicon` reads texts with
their technique spans; their feature matrices are built inside, from vocabularies they learn. scikit-learn itself
skips such estimators (``input_tags.two_d_array`` false). What does apply is run as scikit-learn writes it: its API
checks that need no numeric input (parameters set in ``__init__`` only, ``get_params``/``set_params``, cloning,
``repr``, tags), and the array-free part of the fitting checks on each estimator's own kind of input: ``fit``
returns the estimator, leaves its parameters as given, and what it learns is named with a trailing ``_``.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils import estimator_checks as checks

from narrascope.models.entity_roles import EntityRoleClassifier
from narrascope.models.entity_training import load_subtask1
from narrascope.models.narratives import NarrativeClassifier
from narrascope.models.techniques import PhraseLexicon, TechniqueClassifier, build_units
from narrascope.models.training import training_labels
from narrascope.semeval import SemevalDocument

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ESTIMATORS = [NarrativeClassifier, EntityRoleClassifier, TechniqueClassifier, PhraseLexicon]
API_CHECKS = [checks.check_estimator_cloneable, checks.check_estimator_repr, checks.check_estimator_tags_renamed,
              checks.check_valid_tag_types, checks.check_no_attributes_set_in_init,
              checks.check_do_not_raise_errors_in_init_or_set_params, checks.check_mixin_order,
              checks.check_parameters_default_constructible, checks.check_get_params_invariance,
              checks.check_set_params]


@pytest.mark.parametrize("check", API_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_scikit_learn_api_checks_that_need_no_numeric_input(estimator, check):
    check(estimator.__name__, estimator())


def _technique_corpus():
    spec = importlib.util.spec_from_file_location("technique_corpus", FIXTURES / "techniques" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    return corpus


def _fit_narratives(estimator: NarrativeClassifier):
    rows = [json.loads(line) for line in (FIXTURES / "narratives" / "synthetic.jsonl").read_text("utf-8").splitlines()]
    docs = [SemevalDocument(r["id"], r["lang"], r["text"], r["narratives"], r["subnarratives"]) for r in rows]
    return estimator.fit([d.text for d in docs], [training_labels(d) for d in docs], [d.lang for d in docs])


def _fit_entities(estimator: EntityRoleClassifier):
    mentions = load_subtask1(FIXTURES / "entities" / "corpus", langs=("EN", "PT"))
    return estimator.fit([m.context for m in mentions], [m.row.main_role for m in mentions],
                         [m.row.fine_roles for m in mentions], [m.row.doc_id for m in mentions])


def _fit_techniques(estimator: TechniqueClassifier):
    corpus = _technique_corpus()
    X, Y, groups, keys, _ = build_units(*corpus.synthetic_corpus(), corpus.TECHS)
    return estimator.fit(X, Y, groups=groups, paragraphs=keys)


def _fit_lexicon(estimator: PhraseLexicon):
    articles, spans = _technique_corpus().synthetic_corpus()
    ids = sorted(articles)
    return estimator.fit([articles[i] for i in ids], [spans[i] for i in ids])


FITS = [
    (NarrativeClassifier(calibration_folds=3), _fit_narratives),
    (EntityRoleClassifier(calibration_folds=2), _fit_entities),
    (TechniqueClassifier(techniques=_technique_corpus().TECHS, min_positives=2, threshold_folds=3), _fit_techniques),
    (PhraseLexicon(min_count=2), _fit_lexicon),
]


@pytest.mark.parametrize("estimator, fit", FITS, ids=lambda x: type(x).__name__ if not callable(x) else "")
def test_fit_returns_the_estimator_keeps_its_parameters_and_names_what_it_learns_with_an_underscore(estimator, fit):
    """scikit-learn's ``check_estimators_fit_returns_self``, ``check_dont_overwrite_parameters`` and
    ``check_estimators_overwrite_params``, on the estimator's own kind of input."""
    before = clone(estimator).get_params()
    attributes = set(vars(estimator))
    assert fit(estimator) is estimator
    after = estimator.get_params()
    assert sorted(after) == sorted(before)
    for name, value in before.items():
        assert np.all(after[name] == value) if isinstance(value, np.ndarray) else after[name] == value, name
    learned = set(vars(estimator)) - attributes
    assert learned and all(name.endswith("_") for name in learned if not name.startswith("_")), learned
    assert not set(vars(clone(estimator))) - attributes  # a clone of a fitted estimator is unfitted
