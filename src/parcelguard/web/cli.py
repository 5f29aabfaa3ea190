"""Commands that serve the web application: `serve`."""

from __future__ import annotations

import typer

from parcelguard.terminal import invocation


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8080, help="Port to listen on."),
    as_json: bool = typer.Option(
        False, "--json", help="Accepted for uniformity; serve prints no JSON."
    ),
) -> None:
    """Serve the API and the web pages."""
    import uvicorn

    from parcelguard.app import create_app

    rt = invocation(ctx).runtime()
    uvicorn.run(create_app(rt), host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    """Add the serving commands to the root app."""
    app.command()(serve)
