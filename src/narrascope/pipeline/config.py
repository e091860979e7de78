"""Which analysers a pipeline runs, the model folder each trained one loads, and their options: one typed value
that travels from the command line or the server to every executor (this process, worker processes, Ray actors)
as plain JSON, and is stored with each run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from narrascope.pipeline.registry import DEFAULT_COMPONENTS, PipelineConfigError, UnknownAnalyser, available_analysers

__all__ = ["PipelineConfig"]

_KEYS = ("components", "exclude", "models", "options")


@dataclass(frozen=True)
class PipelineConfig:
    """A pipeline to build.

    ``components`` are analyser names in order (``None``: every installed default component); ``exclude`` leaves
    some out; ``models`` maps a component to its model folder (a component not named loads its default: the
    active saved version where it has one, else the packaged model); ``options`` maps a component to further
    keyword arguments of its factory. A model or options given for a component the pipeline does not run are
    unused.
    """

    components: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    models: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.components, str) or isinstance(self.exclude, str):
            raise PipelineConfigError("components and exclude are lists of analyser names, not one string")
        object.__setattr__(self, "components", None if self.components is None else tuple(self.components))
        object.__setattr__(self, "exclude", tuple(self.exclude))
        object.__setattr__(self, "models", {name: str(folder) for name, folder in self.models.items()})
        object.__setattr__(self, "options", {name: dict(kwargs) for name, kwargs in self.options.items()})

    def names(self) -> list[str]:
        """The components that run, in order."""
        if self.components is not None:
            return [name for name in self.components if name not in self.exclude]
        available = set(available_analysers())
        return [name for name in DEFAULT_COMPONENTS if name in available and name not in self.exclude]

    def factory_kwargs(self, name: str) -> dict[str, Any]:
        """Keyword arguments for the factory of component ``name``."""
        kwargs = dict(self.options.get(name, {}))
        if name in self.models:
            kwargs["model_dir"] = self.models[name]
        return kwargs

    def with_model(self, component: str, folder: str | Path) -> PipelineConfig:
        """This configuration with ``component`` loading the model in ``folder``."""
        return replace(self, models={**self.models, component: str(folder)})

    def check(self) -> None:
        """Raise :class:`PipelineConfigError` naming what is wrong, before any model is loaded or document read."""
        available = set(available_analysers())
        named = [*(self.components or ()), *self.exclude, *self.models, *self.options]
        unknown = sorted({name for name in named if name not in available})
        if unknown:
            raise UnknownAnalyser(f"unknown analyser {', '.join(map(repr, unknown))}; available: "
                                  f"{', '.join(sorted(available))}")
        for name, kwargs in self.options.items():
            if "model_dir" in kwargs:
                raise PipelineConfigError(f"the model folder of {name} goes in models, not in its options")
        for name, folder in self.models.items():
            if not Path(folder).is_dir():
                raise PipelineConfigError(f"the {name} model folder {folder} does not exist")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON: lists, strings and the options' own values."""
        return {"components": None if self.components is None else list(self.components),
                "exclude": list(self.exclude), "models": dict(self.models),
                "options": {name: dict(kwargs) for name, kwargs in self.options.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PipelineConfig:
        """The configuration :meth:`to_dict` wrote; unknown keys are refused."""
        extra = sorted(set(data) - set(_KEYS))
        if extra:
            raise PipelineConfigError(f"unknown pipeline configuration key(s) {', '.join(extra)}; "
                                      f"expected {', '.join(_KEYS)}")
        return cls(components=data.get("components"), exclude=data.get("exclude") or (),
                   models=data.get("models") or {}, options=data.get("options") or {})

    @classmethod
    def of(cls, components: PipelineConfig | Iterable[str] | None) -> PipelineConfig:
        """A configuration, or the one running ``components`` (names) with their defaults."""
        if isinstance(components, PipelineConfig):
            return components
        return cls(components=None if components is None else tuple(components))
