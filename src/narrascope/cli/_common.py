"""Options and helpers shared by the command modules."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from narrascope.pipeline import Pipeline, PipelineConfig, PipelineConfigError, load_pipeline

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported by the commands that open one, so --help stays quick
    from narrascope.store import DocumentFilter, Store

console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[str | None, typer.Option("--db", help="Database: a SQLite file path or an SQLAlchemy URL "
                                                              "(postgresql://...). Default: $NARRASCOPE_DB or a per-user SQLite file.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
PossibleOption = Annotated[bool, typer.Option("--possible", help="Also list labels below their display threshold, "
                                                                 "marked possible (hidden by default).")]
CountPossibleOption = Annotated[bool, typer.Option("--possible", help="Also count and match narrative and sub-narrative "
                                                                      "labels below their display threshold (by default "
                                                                      "only those shown on the document).")]
PredictedOption = Annotated[bool, typer.Option("--predicted", help="The model's predictions alone, ignoring reviewers' "
                                                                  "corrections (default: reviewed where available, "
                                                                  "else predicted).")]
NarrativeOption = Annotated[str | None, typer.Option("--narrative", "-n", help="Only documents carrying this narrative.")]
SubnarrativeOption = Annotated[str | None, typer.Option("--subnarrative", help="Only documents carrying this sub-narrative.")]
EntityOption = Annotated[str | None, typer.Option("--entity", help="Only documents mentioning this entity (case-insensitive).")]
ModelOption = Annotated[list[str] | None, typer.Option("--model", metavar="COMPONENT=DIR|VERSION", help=(
    "The model a trained component (narratives, entities, techniques) loads: a folder, or for narratives and "
    "entities a saved version name, e.g. --model narratives=my-model/ --model entities=2026-12-03 (repeatable; "
    "default: the active version, else the packaged model)."))]
SkipOption = Annotated[list[str] | None, typer.Option("--skip", help="Leave out an analyser, e.g. --skip entities "
                                                                   "(repeatable).")]


def resolve_model_option(component: str, value: str) -> Path:
    """The model folder a command-line option names: a folder, or the name of a saved version of ``component``."""
    from narrascope.models.versions import VersionError, resolve_model

    try:
        return resolve_model(component, value)
    except VersionError as exc:
        raise typer.BadParameter(str(exc), param_hint="--model") from None


def pipeline_config(models: list[str] | None, skip: list[str] | None) -> PipelineConfig:
    """The pipeline chosen on the command line (``--model COMPONENT=DIR|VERSION``, ``--skip``), saved version names
    resolved to folders and checked, so a bad choice is a usage error (exit 2) before anything is read or analysed."""
    from narrascope.models.versions import COMPONENTS

    folders: dict[str, str] = {}
    for item in models or []:
        component, sep, value = (part.strip() for part in item.partition("="))
        if not sep or not component or not value:
            raise typer.BadParameter(f"{item!r}: expected COMPONENT=DIR or COMPONENT=VERSION, e.g. "
                                     "narratives=my-model/", param_hint="--model")
        if component in folders:
            raise typer.BadParameter(f"{component} is given two models", param_hint="--model")
        folders[component] = str(resolve_model_option(component, value)) if component in COMPONENTS else value
    config = PipelineConfig(exclude=tuple(skip or ()), models=folders)
    try:
        config.check()
    except PipelineConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="--model/--skip") from None
    if unused := sorted(set(folders) - set(config.names())):
        raise typer.BadParameter(f"a model given for {', '.join(unused)}, which the pipeline does not run (it runs "
                                 f"{', '.join(config.names()) or 'nothing'})", param_hint="--model/--skip")
    return config


def build_pipeline(config: PipelineConfig) -> Pipeline:
    """The pipeline ``config`` describes; one that cannot be built is a usage error (exit 2), said in one line."""
    try:
        return load_pipeline(config)
    except PipelineConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="--model/--skip") from None


RoleOption = Annotated[str | None, typer.Option("--role", help="With --entity: only mentions cast in this main role.")]
TechniqueOption = Annotated[str | None, typer.Option("--technique", help="Only documents using this persuasion technique.")]
OutletOption = Annotated[str | None, typer.Option("--outlet", help="Only documents from this source/outlet.")]
LanguageOption = Annotated[str | None, typer.Option("--language", "-l", help="Only documents in this language (ISO code).")]
SinceOption = Annotated[str | None, typer.Option("--since", help="Published on or after this date (YYYY-MM-DD).")]
UntilOption = Annotated[str | None, typer.Option("--until", help="Published on or before this date (YYYY-MM-DD).")]
TextOption = Annotated[str | None, typer.Option("--text", help=(
    'Full-text search of title and text: words (all required), "quoted phrases", OR between two terms, -word or '
    "NOT word to exclude; case-insensitive, no stemming."))]
ContactOption = Annotated[str | None, typer.Option("--contact", envvar="NARRASCOPE_CONTACT",
                                                  help="URL or e-mail address where site owners can reach you; sent "
                                                       "in the User-Agent when fetching URLs.")]
DelayOption = Annotated[float, typer.Option("--delay", min=0.0, help="Seconds between two requests to one web host.")]
RetriesOption = Annotated[int, typer.Option("--retries", min=0, help="Tries after the first for a URL answering 429, "
                                                                     "5xx or nothing (waits 2 s, 4 s, ... between).")]

# Options of the train and eval commands
SemevalOption = Annotated[Path, typer.Option("--semeval", help="SemEval-2025 Task 10 training folder (raw-documents/, "
                                                               "labels/).", exists=True, file_okay=False)]
OptionalSemevalOption = Annotated[Path | None, typer.Option("--semeval", help="SemEval-2025 Task 10 training folder "
                                                           "(raw-documents/, labels/).", exists=True, file_okay=False)]
FoldsOption = Annotated[int, typer.Option("--folds", min=2, help="Cross-validation folds.")]
RepeatsOption = Annotated[int, typer.Option("--repeats", min=1, help="Repeat the cross-validation with this many "
                                                                     "seeds.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed (fold assignments, calibration splits).")]
ReviewedModelOption = Annotated[str | None, typer.Option("--model", help="With --reviews: a model folder or saved version "
                                                                         "name (default: the active version, else the "
                                                                         "packaged model).")]

EXIT_SKIPPED = 3  # some input was skipped or failed; the rest was processed


def open_store(db: str | None) -> Store:
    from narrascope.store import Store

    try:
        return Store(db)
    except Exception as exc:  # noqa: BLE001 - turn driver errors into one readable line
        err_console.print(f"[red]error:[/] cannot open database {db or '(default)'}: {exc}")
        raise typer.Exit(2) from exc


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from exc


def build_filter(narrative: str | None = None, subnarrative: str | None = None, entity: str | None = None,
                 role: str | None = None, technique: str | None = None, outlet: str | None = None,
                 language: str | None = None, since: str | None = None, until: str | None = None,
                 text: str | None = None, possible: bool = False, predicted: bool = False) -> DocumentFilter:
    """The corpus filter from command-line options (checked by :meth:`DocumentFilter.from_strings`); a malformed
    date or search, or dates out of order, is a usage error (exit 2)."""
    from narrascope.store import DocumentFilter, FilterError

    try:
        return DocumentFilter.from_strings(narrative=narrative, subnarrative=subnarrative, entity=entity, role=role,
                                           technique=technique, outlet=outlet, language=language, since=since,
                                           until=until, text=text, possible=possible, predicted=predicted)
    except FilterError as exc:
        raise typer.BadParameter(exc.problem, param_hint=f"--{exc.field}") from None


def counted_labels(flt: DocumentFilter) -> str:
    """Which narrative labels a corpus view counts, said beside its figures."""
    which = "shown and possible labels" if flt.possible else "shown labels only (--possible adds weaker ones)"
    return which + ("; predictions only" if flt.predicted else "; reviewed where reviewed (✓), else predicted")
