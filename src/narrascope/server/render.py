"""HTML for one document: the original text with evidence, technique and entity markup built from offsets.

Document text is untrusted. Every piece of it passes through ``markupsafe.escape``; markup is only ever added
around escaped pieces, never by inserting raw text.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup, escape

from narrascope.document import ENTITIES, NARRATIVES, SEGMENTS, SUBNARRATIVES, TECHNIQUES, Document, Label, Span
from narrascope.export import entity_rows
from narrascope.store.review import entity_key
from narrascope.taxonomy import load_taxonomy
from narrascope.text.sentences import split_sentences

# Colours for narratives, in taxonomy order (CSS classes n0..n21 in static/style.css); the last one is grey.
N_COLOURS = 22
DIMMED_SEGMENTS = ("boilerplate",)


@lru_cache(maxsize=1)
def _narrative_order() -> dict[str, int]:
    return {name: i % N_COLOURS for i, name in enumerate(load_taxonomy().narratives)}


def document_path(doc_id: str) -> str:
    """The address of a document's page: the id percent-encoded whole, ``/`` included, so every id is reachable
    (the route takes the decoded id, slashes and all)."""
    return "/documents/" + quote(doc_id, safe="")


def review_path(doc_id: str) -> str:
    """Where the document page's review controls post their corrections."""
    return "/review/" + quote(doc_id, safe="")


def web_link(url: str | None) -> str | None:
    """``url`` if it may be a link (http or https only; a ``javascript:`` address in a document must not be)."""
    if url and urlsplit(url.strip()).scheme.lower() in ("http", "https"):
        return url
    return None


def colour_class(label: str) -> str:
    """The CSS class giving a narrative (or a sub-narrative, via its parent) its stable colour."""
    order = _narrative_order()
    if label == "Other":
        return f"n{N_COLOURS - 1}"
    if label not in order:
        parents = [name for name in order if label.startswith(name + ":")]
        if parents:
            label = max(parents, key=len)
    index = order.get(label)
    if index is None:
        index = zlib.crc32(label.encode()) % (N_COLOURS - 1)
    return f"n{index}"


def definition(label: str) -> str | None:
    """The taxonomy's definition of a narrative or sub-narrative; None for labels it does not know (custom models)."""
    try:
        return load_taxonomy().definition(label)
    except KeyError:
        return None


@dataclass(frozen=True)
class _Overlay:
    start: int
    end: int
    kind: str  # "sent", "ev", "tech" or "ent"
    label: str
    title: str
    extra: tuple[tuple[str, str], ...] = ()


def _overlays(doc: Document, visible_narratives: list[Label]) -> list[_Overlay]:
    n = len(doc.text)
    # Sentences of the article, so that a reviewer can pick one as evidence with a click.
    out: list[_Overlay] = [_Overlay(start, end, "sent", "", "") for seg in doc.content_segments()
                           for start, end in split_sentences(doc.text, seg.start, min(seg.end, n))]
    for label in visible_narratives:
        for ev in label.evidence:
            if ev.start < n:
                colour = colour_class(label.name) + (" possible" if label.possible else "")
                title = f"{label.name} ({label.score:.0%}{', possible' if label.possible else ''})"
                out.append(_Overlay(ev.start, min(ev.end, n), "ev", label.name, title, (("class", colour),)))
    for span in doc.spans.get(TECHNIQUES, []):
        if span.start < n:
            out.append(_Overlay(span.start, min(span.end, n), "tech", span.label, f"Technique: {span.label}"))
    for span in doc.spans.get(ENTITIES, []):
        if span.start < n:
            name = str(span.attrs.get("entity") or doc.quote(span))
            fine = _fine_roles(span)
            title = f"{name}: {span.label}" + (f" ({', '.join(fine)})" if fine else "")
            out.append(_Overlay(span.start, min(span.end, n), "ent", span.label, title, (("entity", name),)))
    return out


def _fine_roles(span: Span) -> list[str]:
    """Fine-grained roles for display: ``{role: probability}`` (the entities analyser) as "Role 80%", most likely
    first, or a plain list of role names."""
    fine = span.attrs.get("fine_roles") or []
    if isinstance(fine, dict):
        return [f"{role} {p:.0%}" for role, p in sorted(fine.items(), key=lambda kv: -kv[1])]
    return [str(role) for role in fine] if isinstance(fine, list) else [str(fine)]


def _open_tag(overlay: _Overlay, depth: int) -> str:
    extra = dict(overlay.extra)
    if overlay.kind == "sent":
        return f'<span class="sent" data-start="{overlay.start}" data-end="{overlay.end}">'
    if overlay.kind == "ev":
        return (f'<mark class="ev {extra["class"]} d{depth}" data-label="{escape(overlay.label)}" '
                f'title="{escape(overlay.title)}">')
    if overlay.kind == "tech":
        return f'<span class="tech" data-technique="{escape(overlay.label)}" title="{escape(overlay.title)}">'
    role_class = re.sub(r"[^a-z0-9]+", "-", overlay.label.lower())
    return (f'<span class="ent role-{role_class}" data-role="{escape(overlay.label)}" '
            f'data-entity="{escape(extra["entity"])}" title="{escape(overlay.title)}">')


def _render_range(text: str, start: int, end: int, overlays: list[_Overlay]) -> str:
    """Escaped ``text[start:end]`` with each piece wrapped in the overlays covering it (well nested by construction)."""
    inside = [o for o in overlays if o.start < end and o.end > start]
    cuts = sorted({start, end} | {max(o.start, start) for o in inside} | {min(o.end, end) for o in inside})
    kind_order = {"sent": -1, "ev": 0, "tech": 1, "ent": 2}
    parts: list[str] = []
    for a, b in zip(cuts, cuts[1:]):
        active = sorted((o for o in inside if o.start <= a and o.end >= b),
                        key=lambda o: (kind_order[o.kind], o.label))
        n_evidence = sum(o.kind == "ev" for o in active)
        # evidence marks come first; the outermost gets the deepest underline so stacked marks stay visible
        evidence_rank = {id(o): i for i, o in enumerate(o for o in active if o.kind == "ev")}
        opened = [_open_tag(o, n_evidence - 1 - evidence_rank[id(o)] if o.kind == "ev" else 0) for o in active]
        closing = "".join("</mark>" if o.kind == "ev" else "</span>" for o in reversed(active))
        parts.append("".join(opened) + str(escape(text[a:b])) + closing)
    return "".join(parts)


def _regions(doc: Document) -> list[tuple[int, int, str]]:
    """The text cut into (start, end, kind) regions: the segments, with uncovered gaps as "gap"."""
    n = len(doc.text)
    segments = sorted(doc.spans.get(SEGMENTS, []), key=lambda s: (s.start, s.end))
    regions: list[tuple[int, int, str]] = []
    pos = 0
    for seg in segments:
        start, end = max(seg.start, pos), min(seg.end, n)
        if start >= end:
            continue
        if start > pos:
            regions.append((pos, start, "gap"))
        regions.append((start, end, seg.label))
        pos = end
    if pos < n:
        regions.append((pos, n, "gap" if segments else "body"))
    return regions


def render_document(doc: Document) -> Markup:
    """The article as HTML: content segments plainly, boilerplate dimmed inside collapsed blocks; reader-comment
    threads are left out (see ``reader_comments``)."""
    overlays = _overlays(doc, doc.cats.get(NARRATIVES, []))
    threads = doc.comment_threads()
    html: list[str] = []
    group: list[tuple[int, int, str]] = []  # consecutive dimmed regions, shown together

    def flush() -> None:
        if not group:
            return
        kinds = sorted({k for _, _, k in group if k != "gap"})
        chars = sum(e - s for s, e, k in group if k != "gap")
        summary = " and ".join(kinds).capitalize() + f" ({chars:,} characters)"
        body = "".join(_render_range(doc.text, s, e, overlays) for s, e, _ in group)
        html.append(f'<details class="seg seg-dimmed" data-kinds="{escape(" ".join(kinds))}">'
                    f"<summary>{escape(summary)}</summary><div class=\"seg-text\">{body}</div></details>")
        group.clear()

    for start, end, kind in _regions(doc):
        if any(a <= start and end <= b for a, b in threads):
            continue
        if kind in DIMMED_SEGMENTS or (kind == "gap" and group):
            group.append((start, end, kind))
            continue
        flush()
        html.append(f'<div class="seg seg-{escape(kind)}">{_render_range(doc.text, start, end, overlays)}</div>')
    flush()
    return Markup("".join(html))


def reader_comments(doc: Document) -> list[str]:
    """The text of each reader comment, in order, for the page's separate comments section."""
    return [doc.quote(s) for s in doc.comments()]


def legend(doc: Document, layer: str = NARRATIVES) -> list[dict[str, Any]]:
    """Narratives of ``layer`` by descending score, each with colour, evidence (``{start, end, text}``), its
    sub-narratives (article layer), whether it is only *possible* (below its display threshold, hidden unless asked
    for) and its review mark (``reviewed``/``predicted``, or None on a document no one reviewed)."""
    subs = doc.cats.get(SUBNARRATIVES, []) if layer == NARRATIVES else []
    out = []
    for label in sorted(doc.cats.get(layer, []), key=lambda lb: -lb.score):
        children = sorted((s for s in subs if s.name.startswith(label.name + ":")), key=lambda s: -s.score)
        out.append({"name": label.name, "score": label.score, "colour": colour_class(label.name),
                    "possible": label.possible, "review": label.attrs.get("review"),
                    "reviewer": label.attrs.get("reviewer"), "added": bool(label.attrs.get("added")),
                    "evidence": _quotes(doc, label), "definition": definition(label.name),
                    "subnarratives": [{"name": s.name, "short": s.name[len(label.name) + 1:].strip(),
                                       "score": s.score, "definition": definition(s.name), "possible": s.possible,
                                       "review": s.attrs.get("review"), "reviewer": s.attrs.get("reviewer"),
                                       "evidence": _quotes(doc, s)} for s in children]})
    return out


def orphan_subnarratives(doc: Document) -> list[dict[str, Any]]:
    """Sub-narratives whose narrative is not among the document's (e.g. a reviewer rejected it), so they can be seen
    and reviewed too."""
    parents = {label.name for label in doc.cats.get(NARRATIVES, [])}
    return [{"name": s.name, "score": s.score, "colour": colour_class(s.name), "possible": s.possible,
             "review": s.attrs.get("review"), "reviewer": s.attrs.get("reviewer"), "definition": definition(s.name),
             "evidence": _quotes(doc, s)}
            for s in sorted(doc.cats.get(SUBNARRATIVES, []), key=lambda s: -s.score)
            if not any(s.name.startswith(p + ":") for p in parents)]


def _quotes(doc: Document, label: Label) -> list[dict[str, Any]]:
    return [{"start": e.start, "end": e.end, "text": doc.quote(e), "picked": e.attrs.get("review") == "reviewed"}
            for e in label.evidence]


def entity_table(doc: Document) -> list[dict[str, Any]]:
    """One row per entity (see :func:`narrascope.export.entity_rows`), with its role distribution as display
    pieces ("Antagonist 80%"), its fine roles each once, and who reviewed its role (None: predicted)."""
    rows = entity_rows(doc)
    reviewed = {entity_key(doc, s): s.attrs for s in doc.spans.get(ENTITIES, []) if s.attrs.get("review") == "reviewed"}
    for row in rows:
        row["reviewer"] = reviewed.get(row["entity_id"], {}).get("reviewer")
        total = row["mentions"]
        row["role_shares"] = [{"role": role, "count": n, "share": n / total} for role, n in row["roles"].items()]
        row["fine_names"] = list(row["fine_roles"])[:3]
    return rows


def technique_table(doc: Document) -> list[dict[str, Any]]:
    """Persuasion techniques with their number of spans and the quoted spans."""
    quotes: dict[str, list[str]] = defaultdict(list)
    for span in doc.spans.get(TECHNIQUES, []):
        quotes[span.label].append(doc.quote(span))
    return sorted(({"technique": k, "count": len(v), "quotes": v} for k, v in quotes.items()),
                  key=lambda r: (-r["count"], r["technique"]))
