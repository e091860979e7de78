"""RSS and Atom feeds: which articles a feed lists now, and the documents of those not yet stored.

Feeds are fetched with conditional requests (an unchanged feed costs a 304), their items' pages through the
polite :class:`~narrascope.ingest.fetch.Fetcher`. A document's id is its page URL, so an item seen again, in a
later poll or in another feed, is recognised as already stored and not fetched again.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from narrascope.document import Document
from narrascope.ingest import IngestError, IngestOptions, fetch_documents, id_for_url
from narrascope.ingest.fetch import Fetcher, FetchFailed, is_url
from narrascope.ingest.metadata import with_metadata

__all__ = ["FeedItem", "read_feed_list", "feed_items", "parse_interval", "WatchState", "poll_feeds"]


@dataclass(frozen=True)
class FeedItem:
    """One article a feed lists: its page URL and what the feed says about it."""

    url: str
    feed: str
    title: str | None = None
    published: date | None = None
    author: str | None = None


def read_feed_list(path: str | Path) -> tuple[list[str], list[IngestError]]:
    """The feed URLs of a list file (one a line; blank lines and ``#`` comments skipped), and a ``file:line`` error
    for each line that is not an http(s) URL."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [], [IngestError(str(path), f"cannot read feed list: {exc}")]
    feeds, errors = [], []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if is_url(line):
            if line not in feeds:
                feeds.append(line)
        else:
            errors.append(IngestError(str(path), f"not an http(s) feed URL: {line[:100]!r}", line=number))
    return feeds, errors


def feed_items(fetcher: Fetcher, feed_url: str) -> list[FeedItem] | None:
    """The items of a feed, or None when it has not changed since the validators the fetcher remembers. Raises
    :class:`FetchFailed` when the feed cannot be fetched or is not a feed."""
    import feedparser

    fetched = fetcher.get(feed_url, conditional=True)
    if fetched.not_modified:
        return None
    parsed = feedparser.parse(fetched.content, response_headers={"content-location": fetched.final_url,
                                                                 "content-type": fetched.content_type})
    if not parsed.entries and (parsed.bozo or not parsed.version):
        reason = getattr(parsed, "bozo_exception", None) or "no RSS or Atom elements"
        raise FetchFailed(feed_url, f"not an RSS or Atom feed ({reason})")
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or next((ln.get("href") for ln in entry.get("links", []) if ln.get("href")), None)
        if not link:
            continue
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        author = (entry.get("author_detail") or {}).get("name") or entry.get("author")
        items.append(FeedItem(url=urljoin(fetched.final_url, link), feed=feed_url, title=entry.get("title"),
                              published=date(*when[:3]) if when else None, author=author or None))
    return items


MIN_INTERVAL = 60  # seconds
_INTERVAL = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_interval(text: str) -> float:
    """Seconds in an interval written like ``30m``, ``1h``, ``1h30m`` or ``90s``; at least a minute."""
    match = _INTERVAL.match(text.strip().lower())
    if not match or not any(match.groups()):
        raise ValueError(f"{text!r} is not an interval such as 30m, 1h, 1h30m or 90s")
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total < MIN_INTERVAL:
        raise ValueError(f"{text!r}: poll at most once a minute (feeds change slowly, and their servers are not ours)")
    return float(total)


@dataclass
class WatchState:
    """What a watch remembers between polls and runs: each feed's validators (ETag, Last-Modified), in a JSON file."""

    path: Path
    validators: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> WatchState:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: cannot read the watch state ({exc}); delete it to start afresh") from exc
        return cls(path, dict(data.get("validators") or {}))

    def save(self) -> None:
        """Write the state atomically (a crash leaves the old file or the new one, never half of one)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.path.parent, delete=False,
                                         prefix=self.path.name, suffix=".tmp") as out:
            json.dump({"validators": self.validators}, out, indent=1, sort_keys=True)
        os.replace(out.name, self.path)


def poll_feeds(feeds: Iterable[str], fetcher: Fetcher, is_stored: Callable[[list[str]], set[str]],
               options: IngestOptions | None = None) -> Iterator[Document | IngestError]:
    """The documents of the feeds' items not yet stored (``is_stored`` says which ids are), fetched in feed order,
    with the feed's title, date and author filling what the page does not give; each failure (a feed or a page)
    is an error ``url: reason``. A feed whose items could not all be read keeps its old validators, so that its
    failed items are tried again at the next poll even if the feed itself does not change. An article that two
    feeds list (even with different tracking parameters) is fetched once a poll."""
    taken: set[str] = set()
    for feed in feeds:
        previous = fetcher.validators.get(feed)
        try:
            items = feed_items(fetcher, feed)
        except FetchFailed as failed:
            yield IngestError(feed, failed.reason)
            continue
        if not items:
            continue
        by_id = {id_for_url(item.url): item for item in items}
        stored = is_stored(list(by_id))
        fresh = {doc_id: item for doc_id, item in by_id.items() if doc_id not in stored and doc_id not in taken}
        taken.update(fresh)
        complete = True
        for found in fetch_documents([i.url for i in fresh.values()], fetcher, options, ids=list(fresh)):
            if isinstance(found, Document):
                item = fresh[found.id]
                found.meta["feed"] = feed
                with_metadata(found, {"published": item.published, "author": item.author}, origin="feed",
                              override=False)
                if not found.title and item.title:
                    found.title = item.title
            else:
                complete = False
            yield found
        if not complete:
            _restore(fetcher.validators, feed, previous)


def _restore(validators: dict[str, Any], feed: str, previous: dict[str, str] | None) -> None:
    if previous is None:
        validators.pop(feed, None)
    else:
        validators[feed] = previous
