"""The authentication cache: a revocation reaches it at once (in the process that revoked, before
the request answers; in every other serving process with the revocation's NOTIFY), an expired
token is never answered from it, and a process that is not listening keeps nothing."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.shared.actors import Role
from infra.container import Container
from infra.token_cache import SharedGeneration, TokenCache

pytestmark = pytest.mark.integration


def _listening(cache: TokenCache, secret: str) -> None:
    """Authenticate until the cache keeps the token (its listener has connected)."""
    deadline = time.monotonic() + 10
    while cache.cached(secret) is None:
        assert cache.authenticate(secret) is not None
        assert time.monotonic() < deadline, "the cache never started listening"
        time.sleep(0.01)


def _issued(container: Container) -> tuple[str, str, uuid.UUID]:  # secret, account, token
    issued = container.tokens.issue(role=Role.OPERATOR, name=f"Кэш {uuid.uuid4().hex[:6]}")
    return issued.secret, issued.account.account_id, issued.token.token_id


def test_a_revoked_token_is_refused_by_the_next_request_of_the_revoking_process(
    container: Container,
) -> None:
    services = container.services()
    cache = container.token_cache
    assert cache is not None and services.cached_actor is not None
    secret, _, token_id = _issued(container)
    _listening(cache, secret)
    assert container.tokens.revoke(token_id)
    assert services.cached_actor(secret) is None  # forgotten before revoke returned
    assert services.authenticate(secret) is None


def _cache(container: Container, folder: Path, conninfo: str | None = None) -> TokenCache:
    """A cache as another process would hold it (its own generation file unless shared)."""
    shared = SharedGeneration(folder / "access.generation")
    info = conninfo or container.info.conninfo
    return TokenCache(container.tokens.lookup, info, lambda: datetime.now(UTC), shared)


def test_another_process_forgets_with_the_revocations_notify(
    container: Container, tmp_path: Path
) -> None:
    other = _cache(container, tmp_path)
    try:
        secret, _, token_id = _issued(container)
        _listening(other, secret)
        assert container.tokens.revoke(token_id)
        deadline = time.monotonic() + 5
        while other.cached(secret) is not None:
            assert time.monotonic() < deadline, "the revocation's NOTIFY never came"
            time.sleep(0.005)
        assert other.authenticate(secret) is None
    finally:
        other.close()


def test_a_sibling_process_forgets_before_the_change_answers(
    container: Container, tmp_path: Path
) -> None:
    changing, sibling = _cache(container, tmp_path), _cache(container, tmp_path)
    try:
        secret, _, _ = _issued(container)
        _listening(sibling, secret)
        changing.changed()  # what the revoking worker does once its transaction committed
        assert sibling.cached(secret) is None  # no NOTIFY needed: the shared generation moved
    finally:
        changing.close()
        sibling.close()


def test_a_token_is_never_answered_from_the_cache_past_its_expiry(
    container: Container, tmp_path: Path
) -> None:
    now = [datetime.now(UTC)]
    shared = SharedGeneration(tmp_path / "access.generation")
    cache = TokenCache(container.tokens.lookup, container.info.conninfo, lambda: now[0], shared)
    try:
        issued = container.tokens.issue(
            role=Role.OPERATOR, name=f"Срок {uuid.uuid4().hex[:6]}", lifetime_seconds=3600
        )
        _listening(cache, issued.secret)
        now[0] += timedelta(hours=2)
        assert cache.cached(issued.secret) is None
    finally:
        cache.close()


def test_a_cache_that_cannot_listen_keeps_nothing(container: Container, tmp_path: Path) -> None:
    unreachable = container.info.with_dbname(f"missing_{uuid.uuid4().hex[:6]}").conninfo
    cache = _cache(container, tmp_path, unreachable)
    try:
        secret, _, _ = _issued(container)
        for _ in range(3):
            assert cache.authenticate(secret) is not None
            time.sleep(0.05)
        assert cache.cached(secret) is None
    finally:
        cache.close()
