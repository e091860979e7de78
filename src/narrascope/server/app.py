"""The FastAPI application: REST API under ``/api``, web pages, static files and offline API docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from narrascope._version import __version__
from narrascope.server.analysis import AnalysisService
from narrascope.server.render import document_path, review_path, web_link
from narrascope.server.routers import analyse, documents, exports, models, pages, review, stats
from narrascope.server.security import (
    BodyLimitMiddleware,
    SameOriginMiddleware,
    SecurityHeadersMiddleware,
    TokenMiddleware,
)
from narrascope.server.settings import Settings
from narrascope.server.warm import DashboardWarmer
from narrascope.store import Store
from narrascope.taxonomy import load_taxonomy

PACKAGE_DIR = resources.files("narrascope.server")


def _swagger_dir() -> str | None:
    try:
        import swagger_ui_bundle
    except ImportError:
        return None
    return str(swagger_ui_bundle.swagger_ui_path)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; the store opens when it starts and closes when it stops."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.db_url)
        app.state.store = store
        # Compile templates and read the taxonomy now, so the first page view does not pay for it.
        for name in app.state.templates.env.list_templates(extensions=["html"]):
            app.state.templates.env.get_template(name)
        load_taxonomy()
        app.state.analysis = AnalysisService(store, settings.pipeline, max_jobs_kept=settings.max_jobs_kept)
        warmer = None
        if settings.refresh_dashboard_every > 0:
            warmer = DashboardWarmer(store, settings.refresh_dashboard_every).start()
        try:
            yield
        finally:
            if warmer is not None:
                warmer.close()
            app.state.analysis.close()
            store.close()

    app = FastAPI(title="narrascope", version=__version__, lifespan=lifespan,
                  description="Propaganda narratives, entity framing and persuasion techniques in news text, "
                              "with the evidence for each: analyse texts, browse and filter a corpus, export.",
                  docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.templates = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"))
    app.state.templates.env.filters.update(document_path=document_path, review_path=review_path, web_link=web_link)

    swagger = _swagger_dir()
    if swagger:  # mounted before /static, which would otherwise shadow it
        app.mount("/static/swagger", StaticFiles(directory=swagger), name="swagger")
    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="static")

    for module in (documents, analyse, stats, exports, review, models):
        app.include_router(module.router, prefix="/api")
    app.include_router(pages.router)

    @app.get("/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        if not swagger:
            return HTMLResponse("<p>Interactive docs need the <code>swagger-ui-bundle-v2</code> package; "
                                "the schema is at <a href='/openapi.json'>/openapi.json</a>.</p>")
        return app.state.templates.TemplateResponse(request, "docs.html", {})

    _install_error_handlers(app)

    # Outermost last: headers on every response, then host check, token, origin check, size limit.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_upload_bytes)
    app.add_middleware(SameOriginMiddleware)
    if settings.token or settings.reviewer_tokens:
        app.add_middleware(TokenMiddleware, token=settings.token, reviewer_tokens=settings.reviewer_tokens)
    if settings.allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(("/api", "/openapi", "/static")) and \
        "text/html" in request.headers.get("accept", "")


def _install_error_handlers(app: FastAPI) -> None:
    """Errors are JSON ``{"detail": ...}`` for the API and a small HTML page for browsers on web pages."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_html(request):
            return app.state.templates.TemplateResponse(request, "error.html", {"status": exc.status_code,
                                                        "detail": exc.detail}, status_code=exc.status_code)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in exc.errors()]
        if _wants_html(request):
            detail = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in errors)
            return app.state.templates.TemplateResponse(request, "error.html", {"status": 422, "detail": detail},
                                                        status_code=422)
        return JSONResponse({"detail": errors}, status_code=422)
