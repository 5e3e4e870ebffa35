"""Given these account events, when this command, then these events (or this error): the account
stream's decider, with no database and a fixed clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from domain.access.commands import (
    AccessCommand,
    ChangeRoles,
    DisableAccount,
    EnableAccount,
    IssueToken,
    OpenAccount,
    RevokeToken,
    RotateToken,
)
from domain.access.decide import ACCOUNT_DECIDER, authorise, decide
from domain.access.events import (
    AccessEvent,
    AccountDisabled,
    AccountOpened,
    AccountRolesChanged,
    RevocationReason,
    TokenIssued,
    TokenRevoked,
    account_stream,
)
from domain.access.records import access_records
from domain.access.state import Account, evolve
from domain.shared.actors import Actor, Role
from domain.shared.errors import Forbidden, InvalidCommand, NotFound, RuleViolated
from domain.shared.handler import Decision

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
ADMIN = Actor(id="admin", role=Role.ADMINISTRATOR, name="Администратор")
PETROVA = Actor(id="a.petrova", role=Role.OPERATOR, name="А. Петрова")
STRANGER = Actor(id="b.ivanov", role=Role.OPERATOR, name="Б. Иванов")
STREAM = account_stream("a.petrova")
HASH = "ab" * 32
OPEN = OpenAccount(
    account_id="a.petrova",
    person_id="p-0012",
    name="А. Петрова",
    roles=(Role.OPERATOR, Role.EXECUTOR),
    unit_id="ugkh",
)
TOKEN = UUID("00000000-0000-4000-8000-000000000001")
ISSUE = IssueToken(
    token_id=TOKEN, name="ноутбук", role=Role.OPERATOR, lifetime_seconds=3600, secret_hash=HASH
)


def when(
    given: Sequence[AccessEvent], command: AccessCommand, actor: Actor = ADMIN, at: datetime = NOW
) -> list[AccessEvent]:
    state: Account | None = None
    for event in given:
        state = evolve(state, event)
    authorise(state, command, actor)
    return decide(
        state, command, Decision(stream_id=STREAM, version=len(given), actor=actor, now=at)
    )


def history(*commands: AccessCommand) -> list[AccessEvent]:
    events: list[AccessEvent] = []
    for command in commands:
        events += when(events, command)
    return events


def test_an_account_opens_with_its_person_roles_and_unit() -> None:
    [opened] = when([], OPEN)
    assert isinstance(opened, AccountOpened)
    assert (opened.person_id, opened.roles, opened.unit_id) == ("p-0012", OPEN.roles, "ugkh")
    assert opened.actor == ADMIN and opened.originator_id == STREAM


def test_an_account_is_opened_once() -> None:
    with pytest.raises(RuleViolated, match="already exists"):
        when(history(OPEN), OPEN)


def test_an_executor_account_must_name_its_unit() -> None:
    command = OpenAccount(account_id="x", name="X", roles=(Role.EXECUTOR,))
    with pytest.raises(InvalidCommand, match="unit"):
        when([], command)


def test_only_an_administrator_opens_and_disables_accounts() -> None:
    with pytest.raises(Forbidden):
        when([], OPEN, actor=PETROVA)
    with pytest.raises(Forbidden):
        when(history(OPEN), DisableAccount(reason="уволена"), actor=PETROVA)


def test_a_token_expires_after_its_lifetime_from_the_handlers_clock() -> None:
    [issued] = when(history(OPEN), ISSUE, actor=PETROVA)
    assert isinstance(issued, TokenIssued)
    assert issued.expires_at == NOW + timedelta(hours=1)
    assert issued.secret_hash == HASH and issued.role is Role.OPERATOR


def test_a_tokens_role_must_be_one_of_the_accounts_roles() -> None:
    wrong = IssueToken(
        token_id=uuid4(), name="x", role=Role.HEAD, lifetime_seconds=3600, secret_hash=HASH
    )
    with pytest.raises(InvalidCommand, match="one of the account's roles"):
        when(history(OPEN), wrong)


def test_an_account_manages_its_own_tokens_and_nobody_elses() -> None:
    with pytest.raises(Forbidden, match="the account itself"):
        when(history(OPEN), ISSUE, actor=STRANGER)


def test_a_disabled_account_gets_no_token() -> None:
    given = history(OPEN, DisableAccount(reason="уволена"))
    with pytest.raises(RuleViolated, match=r"the account a\.petrova is disabled"):
        when(given, ISSUE)


def test_disabling_ends_every_token_and_enabling_brings_none_back() -> None:
    given = history(OPEN, ISSUE, DisableAccount(reason="уволена"), EnableAccount())
    state = ACCOUNT_DECIDER.evolve(None, given[0])
    for event in given[1:]:
        state = evolve(state, event)
    assert not state.disabled
    assert all(t.revoked_at is not None for t in state.tokens)
    disabled = next(e for e in given if isinstance(e, AccountDisabled))
    assert access_records(state, [disabled]).disabled_at == disabled.timestamp


def test_a_token_is_revoked_once() -> None:
    given = history(OPEN, ISSUE, RevokeToken(token_id=TOKEN))
    with pytest.raises(RuleViolated, match="the token is already revoked"):
        when(given, RevokeToken(token_id=TOKEN))


def test_an_unknown_token_is_not_found() -> None:
    with pytest.raises(NotFound, match="no such token"):
        when(history(OPEN), RevokeToken(token_id=uuid4()))


def test_a_rotation_revokes_the_token_and_issues_one_with_its_name_role_and_lifetime() -> None:
    later = NOW + timedelta(minutes=10)
    rotate = RotateToken(token_id=TOKEN, new_token_id=uuid4(), secret_hash="cd" * 32)
    revoked, renewed = when(history(OPEN, ISSUE), rotate, actor=PETROVA, at=later)
    assert isinstance(revoked, TokenRevoked) and revoked.reason is RevocationReason.ROTATED
    assert isinstance(renewed, TokenIssued)
    assert (renewed.name, renewed.role) == ("ноутбук", Role.OPERATOR)
    assert renewed.expires_at == later + timedelta(hours=1)


def test_withdrawing_a_role_ends_the_tokens_acting_with_it() -> None:
    change = ChangeRoles(roles=(Role.EXECUTOR,), unit_id="ugkh")
    changed, revoked = when(history(OPEN, ISSUE), change)
    assert isinstance(changed, AccountRolesChanged) and changed.roles == (Role.EXECUTOR,)
    assert isinstance(revoked, TokenRevoked) and revoked.token_id == TOKEN
    assert revoked.reason is RevocationReason.ROLE_WITHDRAWN


def test_the_same_roles_again_record_nothing() -> None:
    assert when(history(OPEN), ChangeRoles(roles=OPEN.roles, unit_id="ugkh")) == []
