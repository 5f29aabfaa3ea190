"""Commands that serve the web application: `serve`."""

from __future__ import annotations

import typer

from parcelguard.runtime import Runtime
from parcelguard.terminal import invocation


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8080, help="Port to listen on."),
    workers: int = typer.Option(
        1, min=1, max=64, help="API processes; more than one needs PostgreSQL (docs/deploy.md)."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Accepted for uniformity; serve prints no JSON."
    ),
) -> None:
    """Serve the API and the web pages."""
    import uvicorn

    from parcelguard.app import create_app
    from parcelguard.web.security.log_hygiene import server_options

    rt = invocation(ctx).runtime()
    if workers == 1:
        uvicorn.run(create_app(rt), host=host, port=port, log_level="info", **server_options())
        return
    _check_scale_out(rt)
    from uvicorn.supervisors import Multiprocess

    from parcelguard.web.workers import TcpConfig

    # Each worker builds its runtime from the same environment and config.toml.
    config = TcpConfig(
        "parcelguard.app:create_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        **server_options(),
    )
    Multiprocess(config, sockets=[config.bind_socket()]).run()


def _check_scale_out(rt: Runtime) -> None:
    """Refuse several workers on SQLite; migrate once before they start; warn what is local."""
    from parcelguard.errors import ConfigError
    from parcelguard.migrations import upgrade
    from parcelguard.terminal import stderr

    if rt.db.dialect != "postgresql":
        raise ConfigError(
            "--workers above 1 needs PostgreSQL (PARCELGUARD_DATABASE_URL): SQLite has one "
            "writer per file and the in-process monitor would see only each worker's share",
            code="workers_need_postgresql",
        )
    upgrade(rt.db.engine)  # once, here: several workers migrating at once would race
    if not rt.settings.redis_url:
        stderr.print(
            "warning: without PARCELGUARD_REDIS_URL every worker keeps its own rate limits"
        )
    if not rt.settings.nats_url:
        stderr.print(
            "warning: without PARCELGUARD_NATS_URL each worker's monitor sees only the events "
            'of that worker; run NATS, or `[monitor] consumer = "external"` and one '
            "`parcelguard monitor run`"
        )
    rt.close()


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
