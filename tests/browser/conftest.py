"""The browser tests' server: `otklik serve` in a subprocess on the test database, signing rating
links with a secret the tests share, and the Debian Chromium that ``make test-browser`` installs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.shared.actors import Role
from infra.container import Container
from infra.database import ConnectionInfo
from infra.server_process import server_process

RATING_SECRET = "browser-rating-secret-0123456789"
CHROMIUM = os.environ.get("OTKLIK_CHROMIUM", "/usr/bin/chromium")
# Chromium as the Debian package ships it, headless, quiet, never calling home
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test-browser`, which installs it")
    return CHROMIUM


@pytest.fixture(scope="session")
def base_url(db: ConnectionInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("server") / "server.log"
    env = {"OTKLIK_RATING_SECRET": RATING_SECRET, "OTKLIK_POOL_SIZE": "4"}
    with server_process(db, log=log, env=env) as url:
        yield url


@pytest.fixture(scope="session")
def operator_token(container: Container) -> str:
    secret, _ = container.tokens.create(role=Role.OPERATOR, name="Браузерный тест")
    return secret
