"""ASGI middleware guarding the server: API token, request size limit, same-origin writes, security headers."""

from __future__ import annotations

import hmac
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_COOKIE = "narrascope_token"
TOKEN_HEADER = "x-narrascope-token"

# Document text is untrusted: even if escaping failed somewhere, no inline script could run.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                           "form-action 'self'")


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}


class TokenMiddleware:
    """Requires an API token on every request when one is configured: the server's ``token`` or a reviewer's
    (``reviewer_tokens``, token -> name), whose name the request then carries in ``scope["state"]["reviewer"]``
    so that corrections record who made them.

    Accepted as ``Authorization: Bearer <token>``, an ``X-Narrascope-Token`` header, or the cookie a browser gets
    by opening any page once with ``?token=<token>`` (the address ``narrascope serve`` prints).
    """

    def __init__(self, app: ASGIApp, token: str | None = None, reviewer_tokens: dict[str, str] | None = None):
        self.app = app
        self.names: dict[str, str | None] = {**({token: None} if token else {}), **(reviewer_tokens or {})}

    def _match(self, candidate: str | None) -> tuple[bool, str | None]:
        """Whether ``candidate`` is a configured token (every one compared in constant time), and its reviewer."""
        found, name = False, None
        for token, reviewer in self.names.items():
            if candidate is not None and hmac.compare_digest(candidate.encode(), token.encode()):
                found, name = True, reviewer
        return found, name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        auth = headers.get("authorization", "")
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        cookie = SimpleCookie(headers.get("cookie", ""))
        from_cookie = cookie[TOKEN_COOKIE].value if TOKEN_COOKIE in cookie else None
        for candidate in (bearer, headers.get(TOKEN_HEADER), from_cookie):
            valid, reviewer = self._match(candidate)
            if valid:
                if reviewer is not None:
                    scope.setdefault("state", {})["reviewer"] = reviewer
                await self.app(scope, receive, send)
                return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = dict(query).get("token")
        if scope["method"] == "GET" and given is not None and self._match(given)[0]:
            # Trade the token in the address for a cookie, then drop it from the address bar.
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            response = RedirectResponse(scope["path"] + (f"?{rest}" if rest else ""), status_code=303)
            response.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        refusal = JSONResponse({"detail": "missing or invalid API token"}, status_code=401,
                               headers={"WWW-Authenticate": "Bearer"})
        await refusal(scope, receive, send)


class BodyLimitMiddleware:
    """Rejects request bodies larger than ``max_bytes`` with 413, by header and while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _headers(scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, self._message())
            return message

        await self.app(scope, limited_receive, send)

    def _message(self) -> str:
        return f"request body larger than the limit of {self.max_bytes:,} bytes"

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await JSONResponse({"detail": self._message()}, status_code=413)(scope, receive, send)


class SameOriginMiddleware:
    """Refuses state-changing requests that a browser sends from anywhere but this server's own pages (cross-site
    request forgery), token or no token.

    A browser names the page a request comes from in ``Origin``: refused when it is another origin or ``null``
    (what a sandboxed iframe or a ``data:`` page on any web site sends); this server's pages send their own origin,
    since the Referrer-Policy below is ``same-origin``. Without ``Origin``, ``Sec-Fetch-Site`` (sent by current
    browsers) must say the request is same-origin or typed by the user. Clients that are not browsers send neither
    header and pass (the token guards them).
    """

    SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in self.SAFE:
            headers = _headers(scope)
            origin = headers.get("origin")
            fetch_site = headers.get("sec-fetch-site")
            if origin is not None:
                refused = origin == "null" or urlsplit(origin).netloc != headers.get("host")
            else:
                refused = fetch_site is not None and fetch_site not in ("same-origin", "none")
            if refused:
                source = f"origin {origin}" if origin is not None else f"a {fetch_site} page"
                response = JSONResponse({"detail": f"request from {source} refused: only this server's own pages may "
                                                   "change its data"}, status_code=403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class SecurityHeadersMiddleware:
    """Adds a strict Content-Security-Policy and related headers to every response."""

    HEADERS = [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        # Same-origin requests carry their origin (checked above); other sites learn nothing from links followed.
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
    ]

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + self.HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)
