"""`otklik db …`: the database schema (alembic)."""

from __future__ import annotations

import typer

from infra import database
from infra.cli.support import database_session

db_app = typer.Typer(help="Database schema (alembic).", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration (creates the event store and the read models)."""
    with database_session() as (_, info):
        database.upgrade(info)
        typer.echo(f"database {info.dbname} at {database.head_revision()}")
