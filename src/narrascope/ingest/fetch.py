"""A polite HTTP fetcher for news pages and feeds, fit for a newsroom to run against other people's servers.

It says who it is (a User-Agent with the project, its version and a contact), obeys robots.txt (RFC 9309: a
robots.txt answering 4xx allows everything, one that cannot be read disallows everything; its Crawl-delay is
honoured up to a cap), waits between two requests to one host, retries 429, 5xx and timeouts with exponential backoff (honouring ``Retry-After`` up to a
cap, and giving up when the server asks for more), sends conditional requests (ETag / Last-Modified) when asked,
stops reading a body past a size cap and a fetch past a time cap, follows a limited number of redirects, and
fetches only http(s). Every failure is a :class:`FetchFailed` whose text is ``url: reason``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from narrascope._version import __version__

if TYPE_CHECKING:
    from urllib.robotparser import RobotFileParser

__all__ = ["FetchPolicy", "Fetched", "FetchFailed", "Fetcher", "is_url", "PRODUCT"]

PRODUCT = "narrascope"
_RETRIED = {429, 500, 502, 503, 504}
_REDIRECTS = {301, 302, 303, 307, 308}


def is_url(item: object) -> bool:
    """Whether an input names a web address (http or https) rather than a file."""
    return isinstance(item, str) and item.lower().startswith(("http://", "https://"))


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how far to fetch. ``contact`` (a URL or e-mail address where site owners can reach the
    operator) goes into the User-Agent; set it. Times are in seconds."""

    contact: str | None = None
    timeout: float = 20.0  # to connect, and between two chunks of a response
    deadline: float = 90.0  # one fetch whole: every try, wait and redirect
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 2.0  # first wait before a retry, doubled each time
    max_wait: float = 60.0  # the longest Retry-After honoured; a server asking for more is not retried
    host_interval: float = 1.0  # at least this long between two requests to one host
    robots: bool = True

    @property
    def user_agent(self) -> str:
        contact = f"+{self.contact}" if self.contact else "no contact given"
        return f"{PRODUCT}/{__version__} (news narrative research; {contact})"


@dataclass
class Fetched:
    """A successful response: its body (empty when ``not_modified``), the final URL after redirects, and the
    validators to send next time."""

    url: str
    final_url: str
    status: int
    content: bytes
    content_type: str
    validators: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class FetchFailed(Exception):
    """A URL that could not be fetched, and why; ``str()`` is ``url: reason``."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


class _Retry(Exception):
    """A response or error worth another try (429, 5xx, timeout, connection failure)."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


class Fetcher:
    """Fetches URLs under a :class:`FetchPolicy`, remembering robots.txt rules and the last request time per host.
    ``validators`` (``{url: {"etag": ..., "last_modified": ...}}``) is read and updated by conditional fetches, so a
    caller can keep it between runs. Use as a context manager, or call :meth:`close`."""

    def __init__(self, policy: FetchPolicy | None = None, *, validators: dict[str, dict[str, str]] | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
        import httpx

        self.policy = policy or FetchPolicy()
        self.validators = validators if validators is not None else {}
        self._sleep, self._clock = sleep, clock
        self._client = httpx.Client(headers={"User-Agent": self.policy.user_agent}, follow_redirects=False,
                                    trust_env=False)
        self._robots: dict[str, RobotFileParser | str] = {}
        self._last_request: dict[str, float] = {}
        self._crawl_delay: dict[str, float] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, *, conditional: bool = False) -> Fetched:
        """Fetch ``url`` (following redirects); with ``conditional``, send the validators remembered for it and
        accept 304 Not Modified. Raises :class:`FetchFailed` for any failure, the reason said plainly."""
        return self._get(url, conditional=conditional, check_robots=self.policy.robots,
                         deadline=self._clock() + self.policy.deadline)

    def _get(self, url: str, *, conditional: bool, check_robots: bool, deadline: float) -> Fetched:
        current = url
        for _ in range(self.policy.max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchFailed(url, f"only http and https URLs are fetched, not {current!r}")
            if check_robots and (refusal := self._robots_refusal(current, deadline)):
                raise FetchFailed(url, refusal if current == url else f"redirected to {current}, which {refusal}")
            headers = {}
            remembered = self.validators.get(url, {}) if conditional else {}
            if remembered.get("etag"):
                headers["If-None-Match"] = remembered["etag"]
            if remembered.get("last_modified"):
                headers["If-Modified-Since"] = remembered["last_modified"]
            status, response_headers, body = self._with_retries(url, current, headers, deadline)
            if status in _REDIRECTS:
                location = response_headers.get("location")
                if not location:
                    raise FetchFailed(url, f"HTTP {status} redirect without a Location header")
                current = urljoin(current, location)
                continue
            if status == 304 and conditional:
                return Fetched(url, current, status, b"", response_headers.get("content-type", ""), remembered)
            if not 200 <= status < 300:
                raise FetchFailed(url, f"HTTP {status} {_phrase(status)}")
            validators = {k: v for k, v in (("etag", response_headers.get("etag")),
                                             ("last_modified", response_headers.get("last-modified"))) if v}
            if conditional:
                if validators:
                    self.validators[url] = validators
                else:
                    self.validators.pop(url, None)
            return Fetched(url, current, status, body, response_headers.get("content-type", ""), validators)
        raise FetchFailed(url, f"more than {self.policy.max_redirects} redirects (a redirect loop?); last to {current}")

    def _with_retries(self, url: str, current: str, headers: dict[str, str],
                      deadline: float) -> tuple[int, dict[str, str], bytes]:
        """One request with retries and backoff; raises FetchFailed when out of tries or time."""
        policy = self.policy
        for attempt in range(policy.retries + 1):
            try:
                return self._once(url, current, headers, deadline)
            except _Retry as retry:
                reason = retry.reason if current == url else f"{retry.reason} (at {current})"
                if attempt == policy.retries:
                    tries = f"{policy.retries + 1} tries" if policy.retries else "1 try"
                    raise FetchFailed(url, f"{reason}; gave up after {tries}") from None
                wait = policy.backoff * 2 ** attempt
                if retry.retry_after is not None:
                    if retry.retry_after > policy.max_wait:
                        raise FetchFailed(url, f"{reason}; the server asks to wait {retry.retry_after:.0f} s, "
                                               f"longer than the {policy.max_wait:.0f} s this fetcher waits") from None
                    wait = max(wait, retry.retry_after)
                wait = min(wait, policy.max_wait)
                if self._clock() + wait >= deadline:
                    raise FetchFailed(url, f"{reason}; no time left to retry within the {policy.deadline:g} s "
                                           "time cap") from None
                self._sleep(wait)
        raise AssertionError("unreachable")

    def _once(self, url: str, current: str, headers: dict[str, str],
              deadline: float) -> tuple[int, dict[str, str], bytes]:
        import httpx

        self._wait_for_host(current)
        remaining = deadline - self._clock()
        if remaining <= 0:
            raise FetchFailed(url, f"took longer than the {self.policy.deadline:g} s time cap")
        timeout = min(self.policy.timeout, remaining)
        try:
            with self._client.stream("GET", current, headers=headers, timeout=timeout) as response:
                status, response_headers = response.status_code, {k.lower(): v for k, v in response.headers.items()}
                if status in _RETRIED:
                    raise _Retry(f"HTTP {status} {_phrase(status)}", _retry_after(response_headers.get("retry-after")))
                if not 200 <= status < 300:
                    return status, response_headers, b""
                declared = response_headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.policy.max_bytes:
                    raise FetchFailed(url, f"body of {int(declared):,} bytes is larger than the limit of "
                                           f"{self.policy.max_bytes:,} bytes")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self.policy.max_bytes:
                        raise FetchFailed(url, f"body is larger than the limit of {self.policy.max_bytes:,} bytes; "
                                               "stopped reading")
                    if self._clock() > deadline:
                        raise FetchFailed(url, f"took longer than the {self.policy.deadline:g} s time cap; stopped "
                                               "reading")
                return status, response_headers, bytes(body)
        except httpx.TimeoutException:
            raise _Retry(f"timed out (no answer within {timeout:.3g} s)") from None
        except httpx.HTTPError as exc:
            raise _Retry(f"connection failed: {exc or type(exc).__name__}") from None

    def _wait_for_host(self, url: str) -> None:
        """Keep at least ``host_interval`` (or the host's robots.txt ``Crawl-delay``, up to ``max_wait``) between
        two requests to one host."""
        host = urlsplit(url).netloc.lower()
        last = self._last_request.get(host)
        if last is not None:
            wait = max(self.policy.host_interval, self._crawl_delay.get(host, 0.0)) - (self._clock() - last)
            if wait > 0:
                self._sleep(wait)
        self._last_request[host] = self._clock()

    def _robots_refusal(self, url: str, deadline: float) -> str | None:
        """Why the host's robots.txt refuses ``url`` to this fetcher, or None when it may be fetched."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        rules = self._robots.get(site)
        if rules is None:
            rules = self._robots[site] = self._read_robots(site, deadline)
        if isinstance(rules, str):
            return rules
        if rules.can_fetch(PRODUCT, url):
            return None
        return f"is disallowed by {site}/robots.txt"

    def _read_robots(self, site: str, deadline: float) -> RobotFileParser | str:
        """The parsed robots.txt of a site, or (a string) the reason everything there is refused."""
        from urllib.robotparser import RobotFileParser  # imports urllib.request: only when a site is first read

        rules = RobotFileParser()
        try:
            fetched = self._get(f"{site}/robots.txt", conditional=False, check_robots=False, deadline=deadline)
        except FetchFailed as failed:
            if failed.reason.startswith("HTTP 4"):
                rules.parse([])  # no robots.txt (or not for us to see): everything is allowed
                return rules
            return f"cannot be fetched: {site}/robots.txt could not be read ({failed.reason}), so the site is " \
                   "treated as disallowing everything"
        rules.parse(fetched.content.decode("utf-8", errors="replace").splitlines())
        delay = rules.crawl_delay(PRODUCT)
        if delay:
            self._crawl_delay[urlsplit(site).netloc.lower()] = min(float(delay), self.policy.max_wait)
        return rules


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
