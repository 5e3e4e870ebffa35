"""`otklik sessions report` and `otklik tasks overdue` on the demo quarter of the МЦУ (typer's
CliRunner on a database of its own): the execution report as a table, JSON and CSV, the overdue
tasks of all units and of one."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from typer.testing import CliRunner, Result

from infra.cli import app
from infra.container import Container
from infra.database import ConnectionInfo
from infra.demo.sessions import load_demo_sessions
from tests.conftest import own_database

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def quarter(db_server: ConnectionInfo) -> Iterator[tuple[Container, ConnectionInfo]]:
    with own_database(db_server, "sessionscli", demo=True) as built:
        container, _ = built
        load_demo_sessions(container, now=datetime.now(UTC))
        container.engine.catch_up_all()
        yield built


@pytest.fixture
def otklik(quarter: tuple[Container, ConnectionInfo], monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", quarter[1].url())
    monkeypatch.setenv("OTKLIK_LOG_LEVEL", "warning")
    return CliRunner()


def run(runner: CliRunner, *args: str, code: int = 0) -> Result:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def test_a_sessions_execution_report_as_a_table_json_and_csv(
    otklik: CliRunner, quarter: tuple[Container, ConnectionInfo]
) -> None:
    container, _ = quarter
    assert container.mcu is not None
    first = container.mcu.queries.sessions(since=date(2026, 9, 1))[-1]  # 3 September
    assert first.held_on == date(2026, 9, 3)
    sid = str(first.session_id)
    table = run(otklik, "sessions", "report", sid).stdout
    assert "Завершить опрессовку систем отопления" in table
    assert "Поручений: 5; исполнено: 5 (в срок: 4)" in table  # one done late
    body = json.loads(run(otklik, "sessions", "report", sid, "-f", "json").stdout)
    assert body["report"]["tasks"] == 5 and len(body["tasks"]) == 5
    assert [t["unit_id"] for t in body["report"]["late"]] == ["ugkh"]
    rows = list(
        csv.DictReader(io.StringIO(run(otklik, "sessions", "report", sid, "-f", "csv").stdout))
    )
    assert len(rows) == 5 and {r["status"] for r in rows} == {"done"}
    assert {r["unit_id"]: r["extensions"] for r in rows}["udh"] == "1"
    run(otklik, "sessions", "report", sid, "-f", "xml", code=2)
    run(otklik, "sessions", "report", "00000000-0000-4000-8000-000000000000", code=1)


def test_the_overdue_tasks_of_all_units_and_of_one(otklik: CliRunner) -> None:
    listed = json.loads(run(otklik, "tasks", "overdue", "-f", "json").stdout)
    units = {t["unit_id"] for t in listed}
    assert {"mbu-gorsvet", "udh"} <= units and all(t["overdue"] for t in listed)
    assert all(t["breaches"] == 1 for t in listed if t["unit_id"] == "mbu-gorsvet")
    one = json.loads(run(otklik, "tasks", "overdue", "--unit", "mbu-gorsvet", "-f", "json").stdout)
    assert [t["text"] for t in one] == ["Восстановить освещение в частном секторе"]
    table = run(otklik, "tasks", "overdue", "--unit", "mbu-gorsvet").stdout
    assert "Просроченные поручения" in table and "Просрочено: 1" in table
