"""The analysis pipeline: named components that each read a Document and add their own layer.

An analyser is any object following :class:`Analyser` (``analyser``); adding one to narrascope is registering
one factory with :func:`register_analyser` (``registry``); a :class:`PipelineConfig` says which analysers run
with which models and options (``config``), and :func:`load_pipeline` builds the :class:`Pipeline` (``pipeline``).
"""

from __future__ import annotations

from narrascope.pipeline.analyser import Analyser
from narrascope.pipeline.config import PipelineConfig
from narrascope.pipeline.pipeline import Pipeline, load_pipeline
from narrascope.pipeline.registry import (
                                          DEFAULT_COMPONENTS,
                                          PipelineConfigError,
                                          UnknownAnalyser,
                                          available_analysers,
                                          register_analyser,
)

__all__ = [
    "Analyser",
    "Pipeline",
    "PipelineConfig",
    "PipelineConfigError",
    "UnknownAnalyser",
    "register_analyser",
    "available_analysers",
    "DEFAULT_COMPONENTS",
    "load_pipeline",
]
