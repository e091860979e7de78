"""The contract every pipeline component follows."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from narrascope.document import Document

__all__ = ["Analyser"]


@runtime_checkable
class Analyser(Protocol):
    """A component with ``name``, ``version``, the layers it ``requires`` and ``assigns``, and two steps:
    ``predict(docs)`` computes without touching the documents, ``set_annotations(docs, predictions)`` writes layers."""

    name: str
    version: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]

    def predict(self, docs: list[Document]) -> Any: ...

    def set_annotations(self, docs: list[Document], predictions: Any) -> None: ...
