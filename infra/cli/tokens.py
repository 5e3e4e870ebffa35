"""`otklik token …`: bearer tokens for the API."""

from __future__ import annotations

from typing import Annotated

import typer

from domain.shared.actors import Role
from infra.cli.support import container_session

token_app = typer.Typer(help="Bearer tokens for the API.", no_args_is_help=True)


@token_app.command("create")
def token_create(
    role: Annotated[Role, typer.Option(help="The role the token acts in.")],
    name: Annotated[str, typer.Option(help="Who holds the token (recorded as the actor).")],
    department: Annotated[
        str | None, typer.Option(help="For executors: the department they act for.")
    ] = None,
) -> None:
    """Create a bearer token and print it once (only its hash is stored)."""
    with container_session() as container:
        try:
            token, actor = container.tokens.create(role=role, name=name, department=department)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from None
        typer.echo(token)
        typer.echo(f"# actor id {actor.id}, role {actor.role}", err=True)
