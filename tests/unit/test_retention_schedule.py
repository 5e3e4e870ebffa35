"""The retention schedule: periods count from the 1st of January after closing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from domain.appeals.vocabulary import Kind
from infra.retention.schedule import ScheduleError, load_schedule


def test_the_bundled_schedule_keeps_every_kind_five_years_under_article_154() -> None:
    schedule = load_schedule()
    for kind in Kind:
        assert schedule.rule(kind).years == 5
        assert "236" in schedule.rule(kind).basis


@pytest.mark.parametrize(
    ("closed", "expires"),
    [
        (date(2026, 3, 3), date(2032, 1, 1)),
        (date(2026, 12, 31), date(2032, 1, 1)),
        (date(2027, 1, 1), date(2033, 1, 1)),
    ],
)
def test_a_period_counts_from_the_first_of_january_after_closing(
    closed: date, expires: date
) -> None:
    schedule = load_schedule()
    assert schedule.expires_on(Kind.APPEAL, closed) == expires


@pytest.mark.parametrize("today", [date(2031, 12, 31), date(2032, 1, 1), date(2032, 7, 9)])
def test_closed_before_is_the_inverse_of_expires_on(today: date) -> None:
    schedule = load_schedule()
    bound = schedule.closed_before(Kind.CALL, today)
    for closed in (date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 1), date(2025, 6, 1)):
        assert (closed < bound) == (schedule.expires_on(Kind.CALL, closed) <= today)


def test_a_kind_without_a_rule_takes_the_default(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('[default]\nyears = 3\nbasis = "b"\n[kinds.call]\nyears = 1\nbasis = "c"\n')
    schedule = load_schedule(path)
    assert schedule.rule(Kind.CALL).years == 1
    assert schedule.rule(Kind.APPEAL).years == 3


@pytest.mark.parametrize(
    "text",
    [
        "[default]\nyears = 0\nbasis = 'b'\n",
        "[default]\nyears = '5'\nbasis = 'b'\n",
        "[default]\nyears = 5\n",
        "[default]\nyears = 5\nbasis = 'b'\n[kinds.parcel]\nyears = 1\nbasis = 'x'\n",
        "[default\n",
    ],
)
def test_a_broken_schedule_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(ScheduleError):
        load_schedule(path)


def test_a_schedule_may_count_from_the_day_of_closing(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('[default]\nyears = 5\nbasis = "b"\ncounts_from = "closing"\n')
    schedule = load_schedule(path)
    assert schedule.expires_on(Kind.APPEAL, date(2026, 3, 3)) == date(2031, 3, 3)
    assert schedule.expires_on(Kind.APPEAL, date(2024, 2, 29)) == date(2029, 3, 1)


@pytest.mark.parametrize("counts_from", ["closing", "next_january"])
def test_closed_before_is_the_inverse_for_every_day_of_two_years(
    tmp_path: Path, counts_from: str
) -> None:
    path = tmp_path / "s.toml"
    path.write_text(f'[default]\nyears = 3\nbasis = "b"\ncounts_from = "{counts_from}"\n')
    rule = load_schedule(path).rule(Kind.INCIDENT)
    closings = [date(2023, 1, 1) + timedelta(days=n) for n in range(0, 731, 1)]
    for today in (date(2027, 2, 28), date(2027, 3, 1), date(2028, 2, 29), date(2026, 12, 31)):
        bound = rule.closed_before(today)
        for closed in closings:
            assert (closed < bound) == (rule.expires_on(closed) <= today), (today, closed)
