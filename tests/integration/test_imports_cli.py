"""`otklik import` on a real database (typer's CliRunner): an XLSX and a cp1251 CSV import with
a summary, the error report beside the file, a refused profile, and a dry run."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from domain.appeals.application import AppealsApplication
from infra.cli import app as cli
from infra.database import ConnectionInfo
from infra.demo.pos_export import pos_rows, to_csv

pytestmark = pytest.mark.integration
START = datetime(2025, 4, 7, 9, 0)


@pytest.fixture
def otklik(db: ConnectionInfo, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", db.url())
    monkeypatch.setenv("OTKLIK_LOG_LEVEL", "warning")
    return CliRunner()


def test_an_xlsx_export_imports_with_a_summary(
    otklik: CliRunner, tmp_path: Path, app: AppealsApplication
) -> None:
    rows = pos_rows(f"X{uuid.uuid4().hex[:6]}", 12, START)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    path = tmp_path / "pos.xlsx"
    book.save(path)
    result = otklik.invoke(cli, ["import", str(path), "--profile", "pos"])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "12 received, 0 updated, 0 unchanged, 0 with errors" in result.stdout
    again = otklik.invoke(cli, ["import", str(path), "--profile", "pos"])
    assert "0 received, 0 updated, 12 unchanged, 0 with errors; 0 events" in again.stdout


def test_broken_rows_go_to_the_report_beside_a_cp1251_file_and_exit_1(
    otklik: CliRunner, tmp_path: Path
) -> None:
    rows = pos_rows(f"W{uuid.uuid4().hex[:6]}", 4, START)
    rows[2]["Широта"] = "123"
    path = tmp_path / "pos.csv"
    path.write_bytes(to_csv(rows, delimiter=";", encoding="cp1251"))
    result = otklik.invoke(cli, ["import", str(path), "--profile", "pos"])
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert "3 received, 0 updated, 0 unchanged, 1 with errors" in result.stdout
    report = (tmp_path / "pos.errors.csv").read_text("utf-8")
    assert report == "file,row,column,rule\npos.csv,4,Широта,a number from -90 to 90\n"


def test_an_unknown_profile_is_refused_with_the_shipped_ones(
    otklik: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    result = otklik.invoke(cli, ["import", str(path), "--profile", "nope"])
    assert result.exit_code == 2
    assert "generic-311, incident-management, pos" in result.stderr


def test_a_dry_run_reports_and_saves_nothing(
    otklik: CliRunner, tmp_path: Path, app: AppealsApplication
) -> None:
    prefix = f"Y{uuid.uuid4().hex[:6]}"
    path = tmp_path / "pos.csv"
    path.write_bytes(to_csv(pos_rows(prefix, 3, START), delimiter=","))
    result = otklik.invoke(cli, ["import", str(path), "--profile", "pos", "--dry-run"])
    assert result.exit_code == 0 and result.stdout.startswith("dry run: 3 rows")
    assert app.recorder.find_idempotency("intake:pos", f"{prefix}0000000") is None  # type: ignore[attr-defined]
