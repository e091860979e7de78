"""Interoperability with SemEval shared tasks: corpus readers, submission writers and official-metric scorers.

Subtask 2 of SemEval-2025 Task 10 (narratives) lives in :mod:`narrascope.semeval.subtask2`, subtask 1 (entity
framing) in :mod:`narrascope.semeval.subtask1`; predicting them with narrascope's models in
:mod:`narrascope.semeval_predict`.
"""

from narrascope.semeval.corpus import (
    ID_LANGUAGES,
    Explanation,
    Mention,
    SemevalDocument,
    language_of,
    load_corpus,
)
from narrascope.semeval.subtask2 import read_subtask2, score_subtask2, write_subtask2

__all__ = [
    "ID_LANGUAGES",
    "Explanation",
    "Mention",
    "SemevalDocument",
    "language_of",
    "load_corpus",
    "read_subtask2",
    "write_subtask2",
    "score_subtask2",
]
