"""`otklik token …`: bearer tokens for the API: create (for a service account named after its
holder), list, revoke, rotate. A secret is printed once; lists show ids and times."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated
from uuid import UUID

import typer

from domain.access.service import IssuedToken
from domain.shared.actors import Role
from domain.shared.errors import DomainError
from infra.cli.support import container_session
from infra.tokens import CLI_ACTOR
from projections.access import NO_OWNER, TokenSummary

token_app = typer.Typer(help="Bearer tokens for the API.", no_args_is_help=True)


@contextlib.contextmanager
def refusals() -> Iterator[None]:
    """A rule the command breaks: its message, exit status 1 (no traceback)."""
    try:
        yield
    except (DomainError, ValueError) as error:
        typer.echo(f"refused: {error}", err=True)
        raise typer.Exit(1) from None


def show_issued(issued: IssuedToken) -> None:
    typer.echo(issued.secret)
    token = issued.token
    typer.echo(
        f"# token {token.token_id} of account {issued.account.account_id}, role {token.role},"
        f" expires {token.expires_at:%Y-%m-%d %H:%M} UTC",
        err=True,
    )


def show_tokens(found: list[TokenSummary]) -> None:
    for t in found:
        state = "revoked" if t.revoked_at else "live"
        expires = f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "never"
        used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never"
        typer.echo(
            f"{t.token_id}  {t.role:<13} {state:<7} expires {expires}  used {used}  {t.name}"
        )


@token_app.command("create")
def token_create(
    role: Annotated[Role, typer.Option(help="The role the token acts in.")],
    name: Annotated[str, typer.Option(help="Who holds the token (its service account's name).")],
    department: Annotated[
        str | None,
        typer.Option("--department", "--unit", help="For executors: the unit they act for."),
    ] = None,
    days: Annotated[
        int | None, typer.Option(help="Days it lives (default: OTKLIK_TOKEN_TTL_DAYS, 90).")
    ] = None,
) -> None:
    """Create a bearer token and print it once (only its hash is stored), for the service
    account of NAME (opened, or given the role, as needed)."""
    with container_session() as container, refusals():
        lifetime = days * 86_400 if days is not None else None
        show_issued(
            container.tokens.issue(
                role=role, name=name, department=department, lifetime_seconds=lifetime
            )
        )


@token_app.command("list")
def token_list(
    account: Annotated[str | None, typer.Option(help="The account whose tokens to list.")] = None,
    legacy: Annotated[
        bool, typer.Option(help="The tokens made before accounts (no account).")
    ] = False,
) -> None:
    """An account's tokens (or those made before accounts), newest first: never a secret."""
    if (account is None) == (not legacy):
        raise typer.BadParameter("name an --account, or ask for the --legacy tokens")
    with container_session() as container:
        show_tokens(container.access_queries.tokens(None if legacy else account))


@token_app.command("revoke")
def token_revoke(token_id: Annotated[UUID, typer.Argument(help="The token's id.")]) -> None:
    """Revoke a token: the next request with it is refused."""
    with container_session() as container, refusals():
        if not container.tokens.revoke(token_id):
            typer.echo("refused: there is no such live token", err=True)
            raise typer.Exit(1)
        typer.echo(f"revoked {token_id}")


@token_app.command("rotate")
def token_rotate(token_id: Annotated[UUID, typer.Argument(help="The token's id.")]) -> None:
    """Revoke a token and print a new one with its name, role and lifetime (once)."""
    with container_session() as container, refusals():
        owner = container.access_queries.owner(token_id)
        if owner is None or owner == NO_OWNER:
            raise ValueError(
                "there is no such token of an account (one made before accounts is revoked, not rotated)"
            )
        show_issued(container.access.rotate(owner, token_id, actor=CLI_ACTOR))
