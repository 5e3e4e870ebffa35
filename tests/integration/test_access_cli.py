"""The command line's accounts and tokens on a real database (typer's CliRunner), and what
authentication makes of a token: its account's name and unit, its last use at most once a minute,
the tokens made before accounts."""

from __future__ import annotations

import uuid
from datetime import timedelta

import psycopg
import pytest
from typer.testing import CliRunner, Result

from domain.access.service import new_secret, secret_hash
from domain.shared.actors import Role
from infra.calendar_clock import utc_now
from infra.cli import app
from infra.container import Container
from infra.database import ConnectionInfo
from infra.tokens import CLI_ACTOR, TokenStore, service_account_id

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]


@pytest.fixture
def otklik(db: ConnectionInfo, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", db.url())
    monkeypatch.setenv("OTKLIK_LOG_LEVEL", "warning")
    return CliRunner()


def run(runner: CliRunner, *args: str, code: int = 0) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def test_token_create_makes_a_service_account_for_the_name_and_prints_the_secret_once(
    otklik: CliRunner, container: Container
) -> None:
    name = f"Интеграция {uuid.uuid4().hex[:6]}"
    first = run(otklik, "token", "create", "--role", "operator", "--name", name)
    second = run(otklik, "token", "create", "--role", "analyst", "--name", name, "--days", "7")
    account = container.access.account(service_account_id(name))
    assert account is not None and account.roles == (Role.OPERATOR, Role.ANALYST)
    assert len(account.tokens) == 2 and account.tokens[1].lifetime == timedelta(days=7)
    secret = first.stdout.strip()
    assert secret.startswith("otk_") and secret != second.stdout.strip()
    actor = container.tokens.authenticate(secret)
    assert actor is not None and (actor.id, actor.name) == (account.account_id, name)
    listed = run(otklik, "token", "list", "--account", account.account_id).stdout
    assert str(account.tokens[0].token_id) in listed and secret not in listed


def test_an_executors_token_needs_a_unit_and_acts_for_it(
    otklik: CliRunner, container: Container
) -> None:
    name = f"Исполнитель {uuid.uuid4().hex[:6]}"
    refused = run(otklik, "token", "create", "--role", "executor", "--name", name, code=1)
    assert "unit" in refused.stderr
    made = run(otklik, "token", "create", "--role", "executor", "--name", name, "--unit", "ugkh")
    actor = container.tokens.authenticate(made.stdout.strip())
    assert actor is not None and actor.department == "ugkh"


def test_the_directorys_executor_unit_comes_before_the_accounts(
    otklik: CliRunner, container: Container
) -> None:
    account_id = f"e.{uuid.uuid4().hex[:8]}"
    run(otklik, "account", "create", account_id, "--name", "Е. Е.", "--role", "executor",
        "--person", "p-0042", "--unit", "ugkh")  # fmt: skip
    secret = _issue(container, account_id, Role.EXECUTOR)
    units = {"p-0042": "mbu-gorsvet"}
    directory = TokenStore(
        container.pool,
        container.access,
        utc_now,
        container.settings.timezone,
        executor_unit=lambda person, _at: units.get(person),
    )
    moved = directory.authenticate(secret)
    assert moved is not None and moved.department == "mbu-gorsvet"
    units.clear()  # no position in the directory: the unit the account is bound to
    recorded = directory.authenticate(secret)
    assert recorded is not None and recorded.department == "ugkh"


def _issue(container: Container, account_id: str, role: Role) -> str:
    return container.access.issue(account_id, name="t", role=role, actor=CLI_ACTOR).secret


def test_account_commands_disable_enable_and_change_roles(
    otklik: CliRunner, container: Container
) -> None:
    account_id = f"a.{uuid.uuid4().hex[:8]}"
    run(otklik, "account", "create", account_id, "--name", "А. А.", "--role", "operator")
    secret = _issue(container, account_id, Role.OPERATOR)
    assert account_id in run(otklik, "account", "list").stdout
    assert "disabled" in run(otklik, "account", "disable", account_id, "--reason", "x").stdout
    assert container.tokens.authenticate(secret) is None
    again = run(otklik, "account", "disable", account_id, "--reason", "x", code=1)
    assert "already disabled" in again.stderr
    assert "enabled" in run(otklik, "account", "enable", account_id).stdout
    assert container.tokens.authenticate(secret) is None  # enabling brings no token back
    changed = run(otklik, "account", "roles", account_id, "--role", "analyst", "--role", "head")
    assert "roles analyst,head" in changed.stdout


def test_token_revoke_and_rotate_end_the_token_on_its_next_use(
    otklik: CliRunner, container: Container
) -> None:
    issued = container.tokens.issue(role=Role.CURATOR, name=f"Куратор {uuid.uuid4().hex[:6]}")
    token_id = str(issued.token.token_id)
    rotated = run(otklik, "token", "rotate", token_id)
    assert container.tokens.authenticate(issued.secret) is None
    successor = rotated.stdout.strip()
    actor = container.tokens.authenticate(successor)
    assert actor is not None and actor.role is Role.CURATOR
    new_id = container.access_queries.tokens(issued.account.account_id)[0].token_id
    run(otklik, "token", "revoke", str(new_id))
    assert container.tokens.authenticate(successor) is None
    assert "no such live token" in run(otklik, "token", "revoke", str(new_id), code=1).stderr


def test_last_use_is_written_at_most_once_a_minute(container: Container, sql: Conn) -> None:
    issued = container.tokens.issue(role=Role.AUDITOR, name=f"Аудитор {uuid.uuid4().hex[:6]}")
    token_id = issued.token.token_id
    container.tokens.authenticate(issued.secret)
    first = sql.execute("SELECT last_used_at FROM api_tokens WHERE id = %s", (token_id,)).fetchone()
    container.tokens.authenticate(issued.secret)
    second = sql.execute(
        "SELECT last_used_at FROM api_tokens WHERE id = %s", (token_id,)
    ).fetchone()
    assert first is not None and first[0] is not None and second == first


def test_a_token_made_before_accounts_acts_as_it_did_until_revoked(
    otklik: CliRunner, container: Container, sql: Conn
) -> None:
    """A row as ``otklik token create`` wrote it before migration 0007 (and the migration's
    grace: 90 days)."""
    secret, token_id = new_secret(), uuid.uuid4()
    sql.execute(
        "INSERT INTO api_tokens (id, name, role, department, token_hash, expires_at)"
        " VALUES (%s, 'Старый', 'executor', 'Управление ЖКХ', %s, now() + interval '90 days')",
        (token_id, bytes.fromhex(secret_hash(secret))),
    )
    actor = container.tokens.authenticate(secret)
    assert actor is not None
    assert (actor.id, actor.name, actor.department) == (str(token_id), "Старый", "Управление ЖКХ")
    assert str(token_id) in run(otklik, "token", "list", "--legacy").stdout
    run(otklik, "token", "revoke", str(token_id))
    assert container.tokens.authenticate(secret) is None
