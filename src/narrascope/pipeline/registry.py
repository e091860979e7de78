"""Which analysers exist: factories registered by name, found lazily so heavy libraries load only when used."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable

from narrascope.pipeline.analyser import Analyser

__all__ = ["register_analyser", "available_analysers", "analyser_factory", "DEFAULT_COMPONENTS", "UnknownAnalyser",
           "PipelineConfigError"]

_FACTORIES: dict[str, Callable[..., Analyser]] = {}

# Modules that register analysers when imported; a component is looked up here lazily so heavy
# dependencies (spaCy, scikit-learn) load only when the component is actually used.
_COMPONENT_MODULES: dict[str, str] = {
    "segmenter": "narrascope.analysers.segmenter",
    "language": "narrascope.analysers.language",
    "sentences": "narrascope.analysers.sentences",
    "narratives": "narrascope.analysers.narratives",
    "entities": "narrascope.analysers.entities",
    "techniques": "narrascope.analysers.techniques",
}

# The default pipeline, in order. Components whose module is not installed are left out of it.
DEFAULT_COMPONENTS: tuple[str, ...] = ("segmenter", "language", "sentences", "narratives", "entities", "techniques")


class PipelineConfigError(ValueError):
    """A pipeline configuration that cannot be built: an unknown component, a missing model folder, an option
    for a component that is not in the pipeline."""


class UnknownAnalyser(PipelineConfigError, KeyError):
    """No analyser is registered under a name (a ``KeyError`` too, as a lookup that failed)."""

    def __str__(self) -> str:
        return str(self.args[0])


def register_analyser(name: str) -> Callable[[Callable[..., Analyser]], Callable[..., Analyser]]:
    """Decorator registering a factory (class or function) that builds the analyser ``name``."""

    def decorate(factory: Callable[..., Analyser]) -> Callable[..., Analyser]:
        _FACTORIES[name] = factory
        return factory

    return decorate


def analyser_factory(name: str) -> Callable[..., Analyser]:
    """The factory registered as ``name``, importing its module on first use."""
    if name not in _FACTORIES and name in _COMPONENT_MODULES:
        importlib.import_module(_COMPONENT_MODULES[name])
    if name not in _FACTORIES:
        raise UnknownAnalyser(f"unknown analyser {name!r}; available: {', '.join(available_analysers())}")
    return _FACTORIES[name]


def available_analysers() -> list[str]:
    """Names of the analysers that can be built in this installation (found without importing them)."""
    names = set(_FACTORIES)
    for name, module in _COMPONENT_MODULES.items():
        if importlib.util.find_spec(module) is not None:
            names.add(name)
    return sorted(names)
