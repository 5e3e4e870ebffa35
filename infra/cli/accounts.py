"""`otklik account …`: accounts, as an administrator at the server's console keeps them: create,
list, disable, enable, set roles. Each change is an event naming the command line as its actor."""

from __future__ import annotations

from typing import Annotated

import typer

from domain.access.commands import ChangeRoles, OpenAccount
from domain.access.state import Account
from domain.shared.actors import Role
from infra.cli.support import container_session
from infra.cli.tokens import refusals
from infra.tokens import CLI_ACTOR

account_app = typer.Typer(help="Accounts: who may act, in which roles.", no_args_is_help=True)
RolesOption = Annotated[list[Role], typer.Option("--role", help="A role (repeat for more).")]
UnitOption = Annotated[
    str | None, typer.Option("--unit", help="The unit an executor acts for (required for one).")
]


def show(account: Account) -> None:
    roles = ",".join(account.roles)
    state = "disabled" if account.disabled else "enabled"
    unit = account.unit_id or "-"
    typer.echo(f"{account.account_id}  {state}  roles {roles}  unit {unit}  {account.name}")


@account_app.command("create")
def account_create(
    account_id: Annotated[str, typer.Argument(help="The account's code, e.g. a.petrova.")],
    name: Annotated[str, typer.Option(help="The display name events show.")],
    role: RolesOption,
    person: Annotated[str | None, typer.Option(help="The directory's person id.")] = None,
    unit: UnitOption = None,
) -> None:
    """Open an account."""
    with container_session() as container, refusals():
        command = OpenAccount(
            account_id=account_id, person_id=person, name=name, roles=tuple(role), unit_id=unit
        )
        show(container.access.open(command, actor=CLI_ACTOR))


@account_app.command("list")
def account_list() -> None:
    """Every account, by id."""
    with container_session() as container:
        for a in container.access_queries.accounts():
            state = "disabled" if a.disabled_at else "enabled"
            typer.echo(
                f"{a.account_id}  {state}  roles {','.join(a.roles)}  unit {a.unit_id or '-'}"
                f"  {a.name}"
            )


@account_app.command("disable")
def account_disable(
    account_id: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option(help="Why (recorded).")],
) -> None:
    """Disable an account: every token of it ends at once."""
    with container_session() as container, refusals():
        show(container.access.disable(account_id, reason, actor=CLI_ACTOR))


@account_app.command("enable")
def account_enable(account_id: Annotated[str, typer.Argument()]) -> None:
    """Enable a disabled account (it needs new tokens)."""
    with container_session() as container, refusals():
        show(container.access.enable(account_id, actor=CLI_ACTOR))


@account_app.command("roles")
def account_roles(
    account_id: Annotated[str, typer.Argument()], role: RolesOption, unit: UnitOption = None
) -> None:
    """Set an account's roles (and unit); its tokens acting with a role withdrawn end."""
    with container_session() as container, refusals():
        command = ChangeRoles(roles=tuple(role), unit_id=unit)
        show(container.access.change_roles(account_id, command, actor=CLI_ACTOR))
