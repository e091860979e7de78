"""An HTML page as a document: its article text (trafilatura), then its reader comments, each a block of its own."""

from __future__ import annotations

import copy
import re
from typing import Any

from narrascope.analysers.segmenter import HTML_COMMENTS_HEADER
from narrascope.document import Document
from narrascope.ingest.metadata import clean_url, metadata_from_url
from narrascope.ingest.options import IngestError, IngestOptions
from narrascope.ingest.records import parse_date

# libxml2, which parses HTML for trafilatura, stops reading elements nested deeper than this.
HTML_MAX_DEPTH = 255


def parse_html(name: str, html: str, doc_id: str, options: IngestOptions,
               url: str | None = None) -> Document | IngestError:
    """The article text (trafilatura), then each reader comment found in the page's comment containers as a block
    of its own after a ``Reader comments (N)`` line; the comments' offsets go to ``meta["comment_offsets"]``.
    ``url`` (where the page was fetched from) is the document's URL; the page's own canonical URL, when it differs,
    goes to ``meta["canonical_url"]``."""
    import trafilatura
    from lxml import etree
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        return IngestError(name, "not readable as HTML")
    elements = sum(1 for _ in tree.iter())
    if elements > options.max_html_elements:
        return IngestError(name, f"HTML page of {elements:,} elements is larger than the limit of "
                                 f"{options.max_html_elements:,} elements")
    comments = _html_comments(tree)
    extracted: Any = trafilatura.bare_extraction(tree, with_metadata=True, include_comments=False, favor_precision=True)
    if extracted is None or not (extracted.text or "").strip():
        depth = max_depth = 0
        for event, _ in etree.iterwalk(tree, events=("start", "end")):
            depth += 1 if event == "start" else -1
            max_depth = max(max_depth, depth)
        if max_depth >= HTML_MAX_DEPTH:
            return IngestError(name, f"no article text found in HTML: its elements are nested more than "
                                     f"{HTML_MAX_DEPTH} levels deep, and the HTML parser reads no deeper")
        return IngestError(name, "no article text found in HTML")
    text = extracted.text
    meta: dict[str, Any] = {"path": name, "format": "html"}
    if extracted.author:
        meta["author"] = extracted.author
    if extracted.sitename:
        meta["site_name"] = extracted.sitename
    if comments:
        text += "\n\n" + HTML_COMMENTS_HEADER.format(n=len(comments))
        offsets = []
        for comment in comments:
            text += "\n\n"
            offsets.append([len(text), len(text) + len(comment)])
            text += comment
        meta["comment_offsets"] = offsets
    # The outlet is the page URL's registered domain (as for every input with a URL, so one outlet has one name
    # whatever the input), else the site name the page gives.
    canonical = clean_url(extracted.url) if extracted.url else None
    if url and canonical and canonical != clean_url(url):
        meta["canonical_url"] = canonical
    page_url = url or extracted.url
    doc = Document(text=text, id=doc_id, title=extracted.title, source=None if page_url else extracted.sitename,
                   url=page_url, published=parse_date(extracted.date), meta=meta)
    return metadata_from_url(doc)


_COMMENT_CONTAINER = re.compile(r"^(comments?([-_]?(list|section|area|thread|wrapper|container|block|box|wrap))?|"
                                r"disqus_thread|reader-comments|responses|discussion)$", re.IGNORECASE)


_COMMENT_TEXT = re.compile(r"^(comment[-_]?(body|content|text|message)|comment__(body|content|text)|post-message|"
                           r"commentbody|comment-entry)$", re.IGNORECASE)


_COMMENT_ITEM = re.compile(r"^(comment|comment-item|single-comment|post|li-comment)$", re.IGNORECASE)


_COMMENT_CHROME_CLASS = re.compile(r"^(reply|comment-reply-link|comment-meta|comment-metadata|comment-author|vcard|"
                                   r"post-meta|post-byline|author|avatar|comment-actions|actions)$", re.IGNORECASE)


def _marks(element: Any, pattern: re.Pattern[str]) -> bool:
    """Whether the element's id or one of its classes matches ``pattern``."""
    names = (element.get("class") or "").split() + [element.get("id") or ""]
    return any(pattern.match(n) for n in names if n)


def _html_comments(tree: Any) -> list[str]:
    """The text of each reader comment in the page's comment containers (which are removed from ``tree``):
    the innermost comment-text elements, else each comment item without its nested replies and chrome."""
    containers = [el for el in tree.iter() if isinstance(el.tag, str) and _marks(el, _COMMENT_CONTAINER)]
    containers = [el for el in containers if not any(a in containers for a in el.iterancestors())]
    comments: list[str] = []
    for container in containers:
        texts = [el for el in container.iter() if isinstance(el.tag, str) and _marks(el, _COMMENT_TEXT)]
        items = [el for el in texts if not any(_marks(d, _COMMENT_TEXT) for d in el.iterdescendants() if isinstance(d.tag, str))]
        if not items:
            items = [el for el in container.iterdescendants() if isinstance(el.tag, str) and _marks(el, _COMMENT_ITEM)]
        found = [text for text in (_comment_text(el) for el in items) if text]
        if found:
            comments += found
            container.drop_tree()
    return comments


def _comment_text(element: Any) -> str:
    """A comment's text, one line per paragraph, without nested comments, forms, scripts or reply/author chrome."""
    element = copy.deepcopy(element)
    for child in list(element.iterdescendants()):
        if not isinstance(child.tag, str):
            continue
        if (child.tag in ("script", "style", "form", "button", "noscript") or _marks(child, _COMMENT_ITEM)
                or _marks(child, _COMMENT_CHROME_CLASS)) and child.getparent() is not None:
            child.drop_tree()
    for child in element.iter("p", "br", "div", "li", "blockquote"):
        child.tail = "\n" + (child.tail or "")
    lines = (" ".join(line.split()) for line in element.text_content().splitlines())
    return "\n".join(line for line in lines if line)
