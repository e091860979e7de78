"""Commands over the stored corpus: ``show``, ``list``, ``query``, ``compare``, ``export``, ``runs``."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from narrascope.cli._common import (
    CountPossibleOption,
    DbOption,
    EntityOption,
    JsonOption,
    LanguageOption,
    NarrativeOption,
    OutletOption,
    PossibleOption,
    PredictedOption,
    RoleOption,
    SinceOption,
    SubnarrativeOption,
    TechniqueOption,
    TextOption,
    UntilOption,
    build_filter,
    console,
    counted_labels,
    err_console,
    open_store,
)
from narrascope.document import (
    COMMENT_NARRATIVES,
    NARRATIVES,
    SEGMENTS,
    SUBNARRATIVES,
    TECHNIQUES,
    Document,
    Label,
)
from narrascope.export import FORMATS, entity_rows, write_export

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported by the commands that use it, so --help stays quick
    from narrascope.store import DocumentFilter

PALETTE = ["on dark_red", "on dark_green", "on dark_blue", "on dark_magenta", "on dark_cyan", "on orange4",
           "on purple4", "on deep_pink4", "on dark_olive_green3", "on grey37"]


def show(
    doc_id: Annotated[str, typer.Argument(help="Document id (see `narrascope list`).")],
    db: DbOption = None,
    techniques: Annotated[bool, typer.Option("--techniques/--no-techniques", help="Underline persuasion-technique spans.")] = True,
    entities: Annotated[int, typer.Option("--entities", min=0, help="Entity rows to list (most mentioned first).")] = 12,
    possible: PossibleOption = False,
    predicted: PredictedOption = False,
    as_json: JsonOption = False,
) -> None:
    """Print a document with each narrative's evidence highlighted, one row per entity (its roles over its mentions
    and best evidence), techniques, the reader comments with their narratives apart, and the stored copies of the
    article; reviewed labels are marked ✓ (see --predicted). --json adds ``entity_rows`` (every entity with all its
    mentions), ``reader_comments``, ``review_state``, ``corrections``, ``copies`` (id, outlet, date, similarity of
    every copy) and ``earliest_publication``."""
    from narrascope.store.copies import earliest_publication
    from narrascope.store.review import review_state

    store = open_store(db)
    doc = store.get(doc_id, predicted=predicted)
    corrections = store.corrections([doc_id]).get(doc_id, [])
    as_predicted = store.get(doc_id, predicted=True)
    copies = (store.copies(doc_id) or []) if doc is not None else []
    store.close()
    if doc is None or as_predicted is None:
        err_console.print(f"[red]error:[/] no document {doc_id!r} in the store")
        raise typer.Exit(1)
    earliest = earliest_publication(doc, copies)
    if as_json:
        comments = [{"start": s.start, "end": s.end, "text": doc.quote(s)} for s in doc.comments()]
        print(json.dumps(doc.to_dict() | {"entity_rows": entity_rows(doc), "reader_comments": comments,
                                          "review_state": review_state(as_predicted, corrections),
                                          "corrections": [c.to_dict() for c in corrections],
                                          "copies": copies, "earliest_publication": earliest},
                         ensure_ascii=False, indent=2))
        return
    if corrections and not predicted:
        console.print(f"review: {review_state(as_predicted, corrections)} ({len(corrections)} corrections; ✓ marks "
                      "reviewed labels, --predicted shows the model's output alone)")
    console.print(render_document(doc, techniques=techniques, max_entities=entities, possible=possible))
    if copies:
        console.print(render_copies(copies, earliest))


def render_copies(copies: list[dict], earliest: dict | None) -> Table:
    """The stored copies of a document (re-publications, exact re-uploads) and its earliest known publication."""
    caption = (Text(f"earliest known publication: {earliest['published']} by "
                    f"{earliest['outlet'] or 'an unknown outlet'} ({earliest['id']})") if earliest
               else "no copy is dated")
    table = Table(title=f"Copies ({len(copies)}): the same article text elsewhere in the store", caption=caption,
                  title_justify="left", box=None, header_style="bold")
    for column in ("id", "outlet", "published", "similarity"):
        table.add_column(column, justify="right" if column == "similarity" else "left", overflow="fold")
    for c in copies:
        table.add_row(Text(c["id"]), Text(c["outlet"] or "—"), c["published"] or "—",
                      "exact" if c["exact"] else f"{c['similarity']:.2f}")
    return table


def render_document(doc: Document, *, techniques: bool = True, max_entities: int = 12, possible: bool = False) -> Table:
    """A Rich renderable: header, legend, the highlighted article and, apart from it, the reader comments and their
    narratives. Labels below their display threshold are left out unless ``possible`` (then marked "possible")."""
    def shown(layer: str) -> list[Label]:
        return [lab for lab in doc.cats.get(layer, []) if possible or not lab.possible]

    colours = {lab.name: PALETTE[i % len(PALETTE)] for i, lab in enumerate(shown(SUBNARRATIVES) or shown(NARRATIVES))}
    text = Text(doc.text)
    for segment in doc.spans.get(SEGMENTS, []):
        if segment.label in ("boilerplate", "comment"):
            text.stylize("dim", segment.start, segment.end)
        elif segment.label == "title":
            text.stylize("bold", segment.start, segment.end)
    if techniques:
        for span in doc.spans.get(TECHNIQUES, []):
            text.stylize("underline", span.start, span.end)
    for name, colour in colours.items():
        label = next(lab for lab in shown(SUBNARRATIVES) + shown(NARRATIVES) if lab.name == name)
        for ev in label.evidence:
            text.stylize(colour, ev.start, ev.end)

    grid = Table.grid(padding=(0, 1))
    meta = " · ".join(x for x in (doc.id, doc.source, doc.published.isoformat() if doc.published else None, doc.language) if x)
    grid.add_row(Text(meta, style="bold cyan"))
    legend = Table(title="narratives", show_header=True, header_style="bold", box=None)
    legend.add_column("score", justify="right")
    legend.add_column("label")
    for lab in shown(NARRATIVES):
        legend.add_row(f"{lab.score:.2f}", lab.name + _possible_tag(lab))
        for sub in shown(SUBNARRATIVES):
            if sub.name.startswith(lab.name + ":"):
                legend.add_row(f"{sub.score:.2f}", Text("  " + sub.name[len(lab.name) + 2:] + _possible_tag(sub),
                                                        style=colours.get(sub.name, "")))
    grid.add_row(legend)
    hidden = doc.possible_labels()
    if hidden and not possible:  # a row of its own: as the legend's caption it wrapped to the legend's width
        grid.add_row(Text(f"{hidden} possible label(s) hidden (--possible shows them)", style="dim"))
    comments = shown(COMMENT_NARRATIVES)
    if comments:
        table = Table(title="Reader comments (narratives in the comments, apart from the article's)", box=None,
                      header_style="bold")
        for column in ("score", "label", "comment evidence"):
            table.add_column(column, justify="right" if column == "score" else "left")
        for lab in comments:
            quote = " ".join(doc.quote(lab.evidence[0]).split())[:100] if lab.evidence else ""
            table.add_row(f"{lab.score:.2f}", lab.name + _possible_tag(lab), quote)
        grid.add_row(table)
    rows = entity_rows(doc)
    if rows and max_entities:
        more = len(rows) - max_entities
        table = Table(title="entities" + (f" ({max_entities} of {len(rows)}, most mentioned; --entities N for more)"
                                          if more > 0 else ""), box=None, header_style="bold")
        for column in ("entity", "mentions", "roles", "fine roles", "evidence"):
            table.add_column(column, justify="right" if column == "mentions" else "left")
        for row in rows[:max_entities]:
            roles = ", ".join(f"{role} {n}" if len(row["roles"]) > 1 else role for role, n in row["roles"].items())
            evidence = row["evidence"].get(row["role"]) or next(iter(row["evidence"].values()), {"text": ""})
            table.add_row(row["entity"], str(row["mentions"]), roles, ", ".join(list(row["fine_roles"])[:2]),
                          Text(evidence["text"][:90], overflow="ellipsis", no_wrap=True))
        grid.add_row(table)
    if techniques and doc.spans.get(TECHNIQUES):
        table = Table(title="persuasion techniques (underlined)", box=None, header_style="bold")
        table.add_column("technique")
        table.add_column("span")
        for span in doc.spans[TECHNIQUES]:
            table.add_row(span.label, " ".join(doc.quote(span).split())[:100])
        grid.add_row(table)
    grid.add_row(_without(text, doc.comment_threads()))
    reader_comments = doc.comments()
    if reader_comments:
        table = Table(title=f"Reader comments ({len(reader_comments)})", title_justify="left", title_style="bold",
                      box=None, show_header=False)
        table.add_column("bullet", style="dim")
        table.add_column("comment")
        for comment in reader_comments:
            table.add_row("•", Text(doc.quote(comment)))
        grid.add_row("")
        grid.add_row(table)
    return grid


def _without(text: Text, ranges: list[tuple[int, int]]) -> Text:
    """``text`` with the character ranges cut out (styles kept)."""
    kept = Text()
    pos = 0
    for start, end in ranges:
        kept.append_text(text[pos:start])
        pos = end
    kept.append_text(text[pos:])
    kept.rstrip()
    return kept


def _possible_tag(label: Label) -> str:
    """" (possible)" for a weak label, " ✓" for a reviewed one."""
    return (" (possible)" if label.possible else "") + (" ✓" if label.attrs.get("review") == "reviewed" else "")


def list_documents(
    db: DbOption = None, narrative: NarrativeOption = None, subnarrative: SubnarrativeOption = None,
    entity: EntityOption = None, role: RoleOption = None, technique: TechniqueOption = None, outlet: OutletOption = None,
    language: LanguageOption = None, since: SinceOption = None, until: UntilOption = None, text: TextOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Documents per page.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Documents to skip (the next page: --offset 50).")] = 0,
    sort: Annotated[str, typer.Option("--sort", help="newest (first) or relevance (with --text: best match first, "
                                                     "then newest).")] = "newest",
    possible: CountPossibleOption = False,
    predicted: PredictedOption = False,
    as_json: JsonOption = False,
) -> None:
    """List stored documents matching the filters, newest first (or by relevance to --text), with the narratives
    shown on each (--possible: also those below the display threshold, for matching too); reviewed labels are
    marked ✓."""
    from narrascope.store.search import SORTS

    if sort not in SORTS:
        raise typer.BadParameter(f"{sort!r}: choose one of {', '.join(SORTS)}", param_hint="--sort")
    flt = build_filter(narrative, subnarrative, entity, role, technique, outlet, language, since, until, text, possible,
                       predicted)
    store = open_store(db)
    total = store.count(flt, per_id=True)
    rows = store.list(flt, limit=limit, offset=offset, sort=sort)
    store.close()
    if as_json:
        print(json.dumps({"total": total, "possible": possible, "predicted": predicted, "documents": rows},
                         ensure_ascii=False))
        return
    table = Table(title=f"{total} documents" + (f" (showing {offset + 1}–{offset + len(rows)})" if rows else ""),
                  caption=f"narratives: {counted_labels(flt)}")
    for column in ("id", "published", "outlet", "lang", "narratives") + (("match",) if flt.text else ()):
        table.add_column(column, overflow="fold")
    for row in rows:
        cells = [row["id"], row["published"] or "", row["source"] or "", row["language"] or "",
                 "\n".join(f"{n['score']:.2f} {n['name']}" + (" (possible)" if n["possible"] else "")
                           + (" ✓" if n["reviewed"] else "") for n in row["narratives"])]
        if flt.text:  # the passage around the first match, matches in bold (a Text: no markup is read from it)
            cells.append(Text.assemble(*((p["text"], "bold reverse" if p["match"] else "") for p in row["snippet"])))
        table.add_row(*cells)
    console.print(table)


QUERY_VIEWS = {  # --by: (view, layer, period)
    "narrative": ("narratives", NARRATIVES, "month"), "subnarrative": ("narratives", SUBNARRATIVES, "month"),
    "technique": ("narratives", TECHNIQUES, "month"), "outlet": ("outlets", NARRATIVES, "month"),
    "language": ("languages", NARRATIVES, "month"), "pair": ("pairs", NARRATIVES, "month"),
    "day": ("time", NARRATIVES, "day"), "week": ("time", NARRATIVES, "week"), "month": ("time", NARRATIVES, "month"),
}
CsvOption = Annotated[bool, typer.Option("--csv", help="The table as CSV (the same rows as the web UI's download).")]


def query(
    by: Annotated[str, typer.Option("--by", help="Count documents per: narrative, subnarrative, technique, outlet or "
                                                  "language (with each narrative's share of the group's documents), "
                                                  "pair (narratives together), or day/week/month (over time).")] = "narrative",
    per: Annotated[str, typer.Option("--per", help="With --by day/week/month: a column per narrative, outlet or "
                                                    "language.")] = "narrative",
    db: DbOption = None, narrative: NarrativeOption = None, subnarrative: SubnarrativeOption = None,
    entity: EntityOption = None, role: RoleOption = None, technique: TechniqueOption = None, outlet: OutletOption = None,
    language: LanguageOption = None, since: SinceOption = None, until: UntilOption = None, text: TextOption = None,
    possible: CountPossibleOption = False,
    predicted: PredictedOption = False,
    copies: Annotated[bool, typer.Option("--copies", help="With --by outlet: who re-publishes whom (copies per pair of "
                                                          "outlets and which published first).")] = False,
    as_json: JsonOption = False, as_csv: CsvOption = False,
) -> None:
    """Counts of documents (never of labels) over the corpus, as the dashboard and /api/stats/views show them; an exact
    re-upload counts once; reviewed labels where reviewed, else predicted (--predicted: predictions only). With --by
    outlet --copies, who re-publishes whom: pairs of copies per pair of outlets, and how often each published first.
    With --entity (any spelling, any of the five languages), how that entity is cast: mentions and documents per
    role, optionally one --role, and --by outlet or month. Narratives and sub-narratives count as on the document:
    only those shown, unless --possible."""
    from narrascope.store.aggregates import STACKS, label_breakdown, table_csv, view_table

    flt = build_filter(narrative, subnarrative, None, role if not entity else None, technique, outlet, language, since,
                       until, text, possible, predicted)
    if copies and (by != "outlet" or entity):
        raise typer.BadParameter("--copies goes with --by outlet (and no --entity)", param_hint="--copies")
    if copies:
        _copies_query(flt, db, as_json)
        return
    if entity:
        _entity_query(entity, role, by, flt, db, as_json)
        return
    if by not in QUERY_VIEWS:
        raise typer.BadParameter(f"{by!r}: choose {', '.join(QUERY_VIEWS)}", param_hint="--by")
    if per not in STACKS:
        raise typer.BadParameter(f"{per!r}: choose {', '.join(STACKS)}", param_hint="--per")
    view, layer, period = QUERY_VIEWS[by]
    store = open_store(db)
    data = label_breakdown(store, flt, layer=layer, period=period, stack=per)
    store.close()
    columns, rows = view_table(view, data)
    if as_csv:
        sys.stdout.write(table_csv(columns, rows))
        return
    if as_json:
        print(json.dumps({"view": view, "documents": data["documents"], "undated": data["undated"],
                          "possible": possible, "predicted": predicted, "columns": columns, "rows": rows},
                         ensure_ascii=False))
        return
    notes = [f"counted: {counted_labels(flt)}"]
    if view == "time":
        notes.append(undated_note(data["documents"], data["undated"]))
    table = Table(title=f"{data['documents']:,} documents matched", caption="; ".join(n for n in notes if n))
    for column in columns:
        table.add_column(column, justify="left" if column in ("label", "a", "b", "outlet", "language", "period")
                         else "right")
    for row in rows:
        table.add_row(*(Text(_cell(row.get(c))) for c in columns))  # names are data, never markup
    console.print(table)


def undated_note(documents: int, undated: int) -> str:
    """What a time view leaves out, said beside it."""
    if documents and undated == documents:
        return (f"none of the {documents:,} matching documents has a publication date, so none can be placed in "
                "time (dates come from the input: a date/published field, the page's metadata)")
    return f"{undated:,} undated documents not shown" if undated else ""


def _cell(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, float):
        return f"{100 * value:.1f} %"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _copies_query(flt: DocumentFilter, db: str | None, as_json: bool) -> None:
    """``query --by outlet --copies``: pairs of copies per pair of outlets, and which outlet published first."""
    from narrascope.store.copies import COPY_JACCARD

    store = open_store(db)
    rows = store.outlet_copies(flt)
    total = store.count(flt)
    store.close()
    if as_json:
        print(json.dumps({"documents": total, "possible": flt.possible, "predicted": flt.predicted, "rows": rows},
                         ensure_ascii=False, default=str))
        return
    columns = ["outlet_a", "outlet_b", "copies", "a_first", "b_first", "order_unknown"]
    headers = {"outlet_a": "outlet A", "outlet_b": "outlet B", "a_first": "A first", "b_first": "B first",
               "order_unknown": "same day or undated"}
    table = Table(title=f"{total} documents matched: who re-publishes whom",
                  caption=f"pairs of copies (estimated Jaccard >= {COPY_JACCARD} of the article text, or the same "
                          "text) between documents of which one matches; A first / B first: which outlet published first")
    for column in columns:
        table.add_column(headers[column] if column in headers else column, overflow="fold",
                         justify="left" if column.startswith("outlet_") else "right")
    for row in rows:
        table.add_row(*(Text(str(row.get(c) if row.get(c) is not None else "—")) for c in columns))  # names are data
    console.print(table)


def _entity_query(entity: str, role: str | None, by: str, flt: DocumentFilter, db: str | None, as_json: bool) -> None:
    """``query --entity``: mentions and documents per role of one entity, optionally per outlet or month."""
    group = {"outlet": "outlet", "month": "period"}.get(by)
    if by not in ("outlet", "month", "narrative"):  # "narrative" is the default: no grouping asked for
        raise typer.BadParameter(f"{by!r}: with --entity, group --by outlet or month", param_hint="--by")
    store = open_store(db)
    rows = store.entity_roles(entity, flt, by=group, role=role)
    total = store.count(dataclasses.replace(flt, entity=entity, role=role))  # those naming it
    store.close()
    if as_json:
        print(json.dumps({"documents": total, "possible": flt.possible, "predicted": flt.predicted, "rows": rows},
                         ensure_ascii=False, default=str))
        return
    columns = ["entity", "role"] + ([group] if group else []) + ["mentions", "documents"]
    table = Table(title=f"{total} documents matched", caption=f"narratives: {counted_labels(flt)}")
    for column in columns:
        table.add_column(column, overflow="fold", justify="right" if column in ("mentions", "documents") else "left")
    for row in rows:
        table.add_row(*(Text(str(row.get(c) if row.get(c) is not None else "—")) for c in columns))  # names are data
    console.print(table)


def compare(
    side_a: Annotated[str, typer.Argument(metavar="A", help="outlet:NAME, language:CODE, or a period FROM..TO "
                                                          "(YYYY, YYYY-MM or YYYY-MM-DD; an end may be left open).")],
    side_b: Annotated[str, typer.Argument(metavar="B", help="The other side, written the same way.")],
    db: DbOption = None, narrative: NarrativeOption = None, subnarrative: SubnarrativeOption = None,
    entity: EntityOption = None, technique: TechniqueOption = None, outlet: OutletOption = None,
    language: LanguageOption = None, since: SinceOption = None, until: UntilOption = None, text: TextOption = None,
    possible: CountPossibleOption = False,
    predicted: PredictedOption = False,
    as_json: JsonOption = False, as_csv: CsvOption = False,
) -> None:
    """Two outlets, languages or periods side by side: per narrative, the documents of each side carrying it, their
    share of that side's documents, and the difference in percentage points (B minus A). The other filters apply
    to both sides; reviewed labels where reviewed, else predicted (--predicted: predictions only); an exact re-upload
    counts once."""
    from narrascope.store.aggregates import compare as compare_sides
    from narrascope.store.aggregates import table_csv, view_table

    flt = build_filter(narrative, subnarrative, entity, None, technique, outlet, language, since, until, text, possible,
                       predicted)
    store = open_store(db)
    try:
        result = compare_sides(store, flt, side_a, side_b)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="A/B") from None
    finally:
        store.close()
    columns, rows = view_table("compare", result)
    if as_csv:
        sys.stdout.write(table_csv(columns, rows))
        return
    if as_json:
        print(json.dumps({**result, "possible": possible, "predicted": predicted}, ensure_ascii=False))
        return
    a, b = result["a"], result["b"]
    table = Table(title=f"A = {a['spec']}: {a['documents']:,} documents · B = {b['spec']}: {b['documents']:,} documents",
                  caption=f"share: of the side's documents; difference: B minus A in percentage points; "
                          f"counted: {counted_labels(flt)}")
    for column in ("narrative", "A documents", "A share", "B documents", "B share", "difference"):
        table.add_column(column, justify="left" if column == "narrative" else "right")
    for row in rows:
        table.add_row(row["label"], f"{row['a_documents']:,}", _cell(row["a_share"]), f"{row['b_documents']:,}",
                      _cell(row["b_share"]), f"{row['difference']:+.1f}")
    console.print(table)


def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)}.")] = "jsonl",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output file (default: stdout).")] = None,
    db: DbOption = None, narrative: NarrativeOption = None, subnarrative: SubnarrativeOption = None,
    entity: EntityOption = None, role: RoleOption = None, technique: TechniqueOption = None, outlet: OutletOption = None,
    language: LanguageOption = None, since: SinceOption = None, until: UntilOption = None, text: TextOption = None,
    possible: CountPossibleOption = False,
    predicted: PredictedOption = False,
) -> None:
    """Export stored documents with all their layers (every stored label; --possible only widens --narrative and
    --subnarrative matching to labels below the display threshold), reviewed where reviewed (each label of a
    reviewed document says ``review``: reviewed or predicted), else predicted; --predicted: predictions only."""
    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r}: choose one of {', '.join(FORMATS)}", param_hint="--format")
    flt = build_filter(narrative, subnarrative, entity, role, technique, outlet, language, since, until, text, possible,
                       predicted)
    store = open_store(db)
    docs = store.iter_documents(flt)
    if out is None:
        n = write_export(docs, fmt, sys.stdout)
    else:
        with out.open("w", encoding="utf-8", newline="") as handle:
            n = write_export(docs, fmt, handle)
    store.close()
    err_console.print(f"exported {n} documents as {fmt}" + (f" to {out}" if out else ""))


def runs(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Recent analysis runs: when, what pipeline, with what outcome."""
    store = open_store(db)
    rows = store.runs()
    store.close()
    if as_json:
        print(json.dumps(rows, default=str))
        return
    table = Table(title="runs")
    for column in ("id", "started", "status", "analysed", "unchanged", "failed", "pipeline", "models"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["id"]), str(r["started_at"])[:19], r["status"], str(r["n_analysed"]), str(r["n_unchanged"]),
                      str(r["n_failed"]), ", ".join(f"{c['name']}@{c['version']}" for c in r["pipeline"]),
                      _models_shown(r["config"]))
    console.print(table)


def _models_shown(config: dict[str, Any] | None) -> str:
    """The model folder chosen for each component of a run (``default``: none chosen, each component loaded its
    active saved version, else its packaged model; ``?``: a run recorded before configurations were stored)."""
    if config is None:
        return "?"
    return "\n".join(f"{name}={folder}" for name, folder in sorted(config["models"].items())) or "default"


def register(app: typer.Typer) -> None:
    app.command()(show)
    app.command("list")(list_documents)
    app.command()(query)
    app.command()(compare)
    app.command()(export)
    app.command()(runs)
