"""Imports inside narrascope only point down the layer order, so each layer can be read and tested without those above.

The order, lowest first, is ``LAYERS``; a module belongs to the layer of its longest matching prefix, and the test
reads every import (module level and inside functions, relative ones resolved) with ``ast``. Deviations from the
order proposed in issue 17, each because of what the code needs:
``pipeline`` sits just above ``document``: it holds the Analyser contract and registry, and finds each analyser by
module name at load time (``importlib``), so analysers import it to register and it imports none of them.
``semeval`` sits below ``models``: it only reads, writes and scores the task formats (and holds the fixed splits),
which the trainers read; the prediction drivers that build pipelines live in ``semeval_predict`` above the runner.
``label_studio`` (reviews from a Label Studio export) shares the ``review`` layer it writes through.
``_version`` (the version, written once) is at the bottom; the package root (``narrascope/__init__.py``, the public
facade re-exporting several layers) and ``__main__`` sit on top with ``cli``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import narrascope

LAYERS: tuple[tuple[str, ...], ...] = (
    ("narrascope.document", "narrascope._version"),
    ("narrascope.pipeline",),
    ("narrascope.text",),
    ("narrascope.taxonomy",),
    ("narrascope.semeval",),
    ("narrascope.models",),
    ("narrascope.analysers",),
    ("narrascope.ingest",),
    ("narrascope.store",),
    ("narrascope.export",),
    ("narrascope.runner",),
    ("narrascope.semeval_predict",),
    ("narrascope.review", "narrascope.label_studio"),
    ("narrascope.distributed",),
    ("narrascope.server",),
    ("narrascope.cli", "narrascope.__main__", "narrascope"),
)

SOURCE = Path(narrascope.__file__).parent
ROUTERS = "narrascope.server.routers."


def module_name(path: Path) -> str:
    """Dotted module name of a source file under the package."""
    parts = ("narrascope",) + path.relative_to(SOURCE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int | None:
    """Index in ``LAYERS`` of the longest prefix matching ``module``; None for modules outside narrascope."""
    best: tuple[int, int] | None = None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), index)
    return None if best is None else best[1]


def imported_modules(path: Path, module: str) -> set[str]:
    """Every module imported anywhere in the file (module level and inside functions), relative imports resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in ALL_MODULES)
    return found


ALL_MODULES = {module_name(path) for path in SOURCE.rglob("*.py")}


def violations() -> set[str]:
    """``module -> imported (layer a < layer b)`` for each import into a higher layer, and each router importing another."""
    found: set[str] = set()
    for path in sorted(SOURCE.rglob("*.py")):
        module = module_name(path)
        own = layer_of(module)
        assert own is not None, f"{module} has no layer in LAYERS"
        for imported in imported_modules(path, module):
            target = layer_of(imported)
            if target is not None and target > own:
                found.add(f"{module} -> {imported} (layer {own} < layer {target})")
            if module.startswith(ROUTERS) and imported.startswith(ROUTERS) and imported != module:
                found.add(f"{module} -> {imported} (a router imports a router; share code through a service)")
    return found


def test_every_module_has_a_layer() -> None:
    assert all(layer_of(module) is not None for module in ALL_MODULES)


def test_no_import_points_up() -> None:
    found = sorted(violations())
    assert not found, "imports pointing to a higher layer:\n" + "\n".join(found)


def test_function_local_and_relative_imports_are_read(tmp_path: Path) -> None:
    package = tmp_path / "narrascope" / "models"
    package.mkdir(parents=True)
    source = package / "x.py"
    source.write_text("def f():\n    from ..analysers import entities\n    import narrascope.cli\n", encoding="utf-8")
    found = imported_modules(source, "narrascope.models.x")
    assert {"narrascope.analysers", "narrascope.cli"} <= found
