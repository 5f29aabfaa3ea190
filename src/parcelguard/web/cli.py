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
    from parcelguard.web.security.log_hygiene import server_options

    rt = invocation(ctx).runtime()
    uvicorn.run(create_app(rt), host=host, port=port, log_level="info", **server_options())


def register(app: typer.Typer) -> None:
    """Add the serving commands to the root app."""
    app.command()(serve)
    app.command()(demo)


def demo(
    ctx: typer.Context,
    port: int = typer.Option(8080, help="Port to serve on."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Seed and print, do not serve."),
    as_json: bool = typer.Option(False, "--json", help="With --no-serve: print one JSON document."),
) -> None:
    """Initialise, seed a realistic demo tenant and serve it."""
    from parcelguard.demo import describe, seed
    from parcelguard.terminal import emit, stderr

    rt = invocation(ctx).runtime()
    if not rt.settings.base_url.endswith(f":{port}"):
        rt.settings.base_url = f"http://localhost:{port}"
    rt.settings.demo_mode = True
    demo_tenant = seed(rt)
    if no_serve:
        emit(demo_tenant.as_dict(), as_json, describe(demo_tenant))
        return
    stderr.print(describe(demo_tenant), highlight=False)
    import uvicorn

    from parcelguard.app import create_app
    from parcelguard.web.security.log_hygiene import server_options

    uvicorn.run(create_app(rt), host="127.0.0.1", port=port, log_level="info", **server_options())
