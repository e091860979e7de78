"""The languages narrascope's models read: those of SemEval-2025 Task 10, as lower-case ISO 639-1 codes.

This is their one definition; the task files' upper-case spelling (``EN_...`` ids) is derived from it in
:mod:`narrascope.semeval.files`, and the narratives model's language features follow its order.
"""

__all__ = ["LANGUAGES"]

LANGUAGES = ("bg", "en", "hi", "pt", "ru")
