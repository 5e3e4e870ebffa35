"""`otklik demo` and `otklik demo-session`: load the demo data, and what `make demo` runs."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated

import typer

from domain.shared.actors import Role
from infra import database
from infra.cli.serve import serve_api
from infra.cli.support import container_session, database_session
from infra.container import Container
from infra.demo.directory import load_demo_directory
from infra.demo.sessions import load_demo_sessions


def demo(
    appeals: Annotated[int, typer.Option(help="How many appeals to load.")] = 3000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 2026,
) -> None:
    """Load realistic demo data (written through the domain) into the database and exit."""
    from infra.demo.appeals import load_demo
    from infra.demo.claims import load_demo_claims

    with container_session(migrate=True) as container:
        container.seed_calendar()
        load_demo_directory(container)
        started = time.perf_counter()
        stats = load_demo(container.appeals, appeals, now=datetime.now(UTC), seed=seed)
        claims = load_demo_claims(container.claims, now=datetime.now(UTC), seed=seed)
        took = time.perf_counter() - started
        typer.echo(
            f"loaded {stats.appeals} appeals ({stats.events} events) and {claims} claims"
            f" in {took:.1f} s; by kind: {stats.by_kind}"
        )
        mcu = load_demo_sessions(container, now=datetime.now(UTC))  # issue 20
        typer.echo(f"loaded {mcu.sessions} sessions of the МЦУ, {mcu.tasks} tasks")
        container.engine.catch_up_all()
        typer.echo("projections caught up")


def demo_session(
    appeals: Annotated[int, typer.Option(help="How many appeals to load on first start.")] = 3000,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """What `make demo` runs: migrate, load demo data once, create a token, serve, print URLs."""
    from infra.demo.appeals import load_demo
    from infra.demo.claims import load_demo_claims

    with database_session() as (settings, info):
        database.upgrade(info)
        container = Container.build(settings, info)
        try:
            container.seed_calendar()
            load_demo_directory(container)
            if not container.has_appeals():
                typer.echo(f"loading {appeals} demo appeals…", err=True)
                stats = load_demo(container.appeals, appeals, now=datetime.now(UTC))
                claims = load_demo_claims(container.claims, now=datetime.now(UTC))
                typer.echo(
                    f"loaded {stats.appeals} appeals, {stats.events} events, {claims} claims",
                    err=True,
                )
            load_demo_sessions(container, now=datetime.now(UTC))  # issue 20: once
            token, _ = container.tokens.create(role=Role.CURATOR, name="Демо: куратор МЦУ")
        finally:
            container.close()
        base = f"http://{host}:{port}"
        where = (
            info.dbname if settings.database_url else f"embedded PostgreSQL in {settings.data_dir}"
        )
        typer.echo(
            "\n".join(
                [
                    "",
                    "Otklik is starting.",
                    f"  API docs:     {base}/schema",
                    f"  OpenAPI:      {base}/schema/openapi.json",
                    f"  Health:       {base}/health/ready",
                    f"  Appeals:      curl -H 'Authorization: Bearer {token}' \\",
                    f"                  {base}/api/v1/appeals",
                    f"  Token (curator): {token}",
                    f"  Database:     {where}",
                    "Ctrl-C stops it.",
                    "",
                ]
            )
        )
        serve_api(settings, info, host, port, settings.workers)
