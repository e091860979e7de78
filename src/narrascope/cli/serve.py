"""``narrascope serve``: the REST API and web UI over a store."""

from __future__ import annotations

from typing import Annotated

import typer

from narrascope.cli._common import DbOption, ModelOption, SkipOption, console, err_console, pipeline_config

DEFAULT_HOST = "127.0.0.1"


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to bind. Default 127.0.0.1 (this machine only); "
                                                     "another address exposes the server to the network.")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="TCP port (0: any free port).")] = 8000,
    token: Annotated[str | None, typer.Option("--token", envvar="NARRASCOPE_TOKEN", show_envvar=True,
                                              help="Require this API token on every request.")] = None,
    max_upload_mb: Annotated[float, typer.Option("--max-upload-mb", min=0.001,
                                                 help="Largest accepted request body, in MB.")] = 20.0,
    reviewer: Annotated[str | None, typer.Option("--reviewer", envvar="NARRASCOPE_REVIEWER", show_envvar=True,
                                                 help="Record corrections made through this server under this "
                                                      "name (default: the name a request gives, else the login "
                                                      "name).")] = None,
    reviewer_token: Annotated[list[str] | None, typer.Option("--reviewer-token", help="NAME=TOKEN: a token that "
                                                             "opens the server as reviewer NAME, whose corrections are "
                                                             "recorded under that name (repeatable; also "
                                                             "$NARRASCOPE_REVIEWER_TOKENS, comma-separated).")] = None,
    model: ModelOption = None,
    skip: SkipOption = None,
    insecure_no_token: Annotated[bool, typer.Option("--insecure-no-token",
                                                    help="Serve beyond this machine (--host) without --token: anyone "
                                                         "who can reach it may read and change the corpus.")] = False,
) -> None:
    """Serve the web UI (dashboard, documents, analyse) and the REST API (docs at /docs)."""
    import os
    import socket
    from urllib.parse import quote

    import uvicorn
    from rich.markup import escape

    from narrascope.cli._common import open_store
    from narrascope.server import Settings, create_app
    from narrascope.server.settings import is_loopback, parse_reviewer_tokens

    try:
        reviewer_tokens = parse_reviewer_tokens(reviewer_token) if reviewer_token else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--reviewer-token") from None
    loopback = is_loopback(host)
    if not loopback and not token and not reviewer_tokens and not os.environ.get("NARRASCOPE_REVIEWER_TOKENS"):
        if not insecure_no_token:
            err_console.print(f"[red]error:[/] refusing to serve on {escape(host)} without --token: anyone who can "
                              "reach this machine could read the corpus and change it. Give --token (or set "
                              "NARRASCOPE_TOKEN), or --insecure-no-token if that is really meant.")
            raise typer.Exit(2)
        err_console.print(f"[yellow]warning:[/] serving on {escape(host)} without a token (--insecure-no-token): "
                          "anyone who can reach this machine can read the corpus and run analyses.")
    config = pipeline_config(model, skip)  # checked now; the models load on the first analysis
    open_store(db).close()  # fail early, with a readable message, on a bad --db
    settings = Settings.from_env(db_url=db, token=token, host=host, port=port, reviewer=reviewer,
                                 pipeline=config,
                                 reviewer_tokens=reviewer_tokens,
                                 max_upload_bytes=int(max_upload_mb * 1024 * 1024),
                                 allowed_hosts=["127.0.0.1", "localhost", "[::1]", "::1"] if loopback else None)
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host.strip("[]"), port))
        except OSError as exc:
            err_console.print(f"[red]error:[/] cannot listen on {host}:{port}: {exc.strerror or exc}")
            raise typer.Exit(2) from exc
        sock.listen(128)  # connections made right after the address is printed wait until the app is ready
        bound_port = sock.getsockname()[1]
        shown_host = f"[{host.strip('[]')}]" if ":" in host else host
        address = f"http://{shown_host}:{bound_port}/"
        shown = escape(address + (f"?token={quote(settings.token, safe='')}" if settings.token else ""))
        console.print(f"narrascope is serving [bold]{shown}[/]  (API docs: {escape(address)}docs; Ctrl-C to stop)",
                      soft_wrap=True)
        uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning")).run(sockets=[sock])


def register(app: typer.Typer) -> None:
    app.command()(serve)
