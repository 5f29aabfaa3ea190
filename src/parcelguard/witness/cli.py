"""Witness commands: `witness init`, `witness key`, `witness trust`, `witness status`, `serve`.

The witness runs apart from the log (ideally on another machine, run by someone else): it
needs only its own home folder, never the ParcelGuard database or keyring.
"""

from __future__ import annotations

from pathlib import Path

import typer

from parcelguard.terminal import JSON_OPTION, emit
from parcelguard.witness.service import Witness

witness_app = typer.Typer(help="A transparency-log witness (c2sp.org/tlog-witness).")
HOME = typer.Option(..., "--home", help="The witness's own folder (key and SQLite file).")


@witness_app.command("init")
def init(
    home: Path = HOME,
    name: str | None = typer.Option(None, help="Witness key name, e.g. witness.example/w1."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create the witness home and its cosigning key (idempotent)."""
    witness = Witness.init(home, name)
    emit({"home": str(home), "public_key": witness.vkey()}, as_json, witness.vkey())


@witness_app.command("key")
def key(home: Path = HOME, as_json: bool = JSON_OPTION) -> None:
    """Print the witness's public key (put it in the log's `[audit] witnesses`)."""
    witness = Witness(home)
    emit({"public_key": witness.vkey()}, as_json, witness.vkey())


@witness_app.command("trust")
def trust(
    log_key: str = typer.Argument(..., help="The log's key, from `parcelguard audit key`."),
    home: Path = HOME,
    as_json: bool = JSON_OPTION,
) -> None:
    """Accept checkpoints signed by this log key (its name is the log's origin)."""
    origin = Witness(home).trust(log_key)
    emit({"origin": origin}, as_json, f"trusting checkpoints of {origin}")


@witness_app.command("status")
def status(home: Path = HOME, as_json: bool = JSON_OPTION) -> None:
    """Show the trusted logs and the size last cosigned for each."""
    witness = Witness(home)
    logs = witness.logs()
    human = "\n".join(f"{o}: {s if s is not None else '-'}" for o, s in logs.items()) or "no logs"
    emit({"public_key": witness.vkey(), "logs": logs}, as_json, human)


@witness_app.command("serve")
def serve(
    home: Path = HOME,
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8181, help="Port to listen on."),
) -> None:
    """Serve `POST /add-checkpoint` and `GET /checkpoint?origin=` over HTTP."""
    import uvicorn

    from parcelguard.witness.api import create_witness_app

    uvicorn.run(create_witness_app(Witness(home)), host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    """Add the witness commands to the root app."""
    app.add_typer(witness_app, name="witness")
