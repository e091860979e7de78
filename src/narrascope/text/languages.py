"""The languages narrascope's models read: those of SemEval-2025 Task 10, as lower-case ISO 639-1 codes.

The task files' upper-case spelling (``EN_...`` ids) is derived from it in :mod:`narrascope.semeval.files`, and
the narratives model's language features follow its order. The entity model lists the same five in its own order,
English first (``entity_training.LANGS``, the stance columns of ``entity_roles``), which its saved weights depend on.
"""

__all__ = ["LANGUAGES"]

LANGUAGES = ("bg", "en", "hi", "pt", "ru")
