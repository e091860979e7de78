"""The contract every pipeline component follows."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from narrascope.document import Document

__all__ = ["Analyser"]


@runtime_checkable
class Analyser(Protocol):
    """A component with ``name``, ``version``, the layers it ``requires`` and ``assigns``, and two steps:
    ``predict(docs)`` computes without touching the documents, ``set_annotations(docs, predictions)`` writes layers."""

    # Read-only members, so a class attribute such as ``requires = (SENTENCES,)`` (a ``tuple[str]``) satisfies
    # ``tuple[str, ...]``: a mutable protocol attribute would have to match its declared type exactly.
    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def requires(self) -> tuple[str, ...]: ...

    @property
    def assigns(self) -> tuple[str, ...]: ...

    def predict(self, docs: list[Document]) -> Any: ...

    def set_annotations(self, docs: list[Document], predictions: Any) -> None: ...
