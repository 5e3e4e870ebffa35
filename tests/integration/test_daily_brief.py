"""The daily brief over a real SMTP server (aiosmtpd, started by the test): each working morning
a deputy head receives the hotline's topics and their sector's overdue list (another sector's
appeals not in it), with an XLSX that opens and holds the rows, and no citizen's data anywhere;
by the production calendar, a day off sends nothing, a Monday after a holiday weekend covers the
days since the last working day, and two ticks (or a restart) queue one brief per person."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime, time
from email.message import EmailMessage, Message
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
import openpyxl
import pytest

from domain.appeals import commands as cmd
from domain.appeals.vocabulary import Channel, Kind
from domain.organisation.commands import ChangeDirectory
from domain.outbox.events import Purpose
from infra.container import Container
from infra.database import ConnectionInfo
from infra.outbound.brief_wiring import build_brief
from projections.reactors.brief import brief_id
from tests.support.appeals import OPERATOR, receive
from tests.support.directory import LOADER
from tests.support.mail import Mailbox, smtp_server
from tests.support.outbox import outbox_container, outbox_database, settle

pytestmark = pytest.mark.integration
ZONE = ZoneInfo("Europe/Moscow")
DEPUTY, OTHER_DEPUTY, HEAD = (
    "deputy@test.example.ru",
    "deputy2@test.example.ru",
    "curator@test.example.ru",
)
CITIZEN = ("Петров", "+7 900 111-22-33", "Не горят фонари во дворе", "Жалоба на фонари")
OTHER_SECTOR = [
    {
        "op": "create-unit",
        "unit_id": "s-other",
        "kind": "sector",
        "name": "Другой блок",
        "parent_id": "city",
    },
    {
        "op": "create-unit",
        "unit_id": "drugoy",
        "kind": "unit",
        "name": "Другое управление",
        "parent_id": "s-other",
    },
    {"op": "register-person", "person_id": "deputy2", "name": "Заместитель Другов"},
    {"op": "appoint", "person_id": "deputy2", "unit_id": "s-other", "position": "deputy_head"},
    {"op": "set-email", "person_id": "deputy2", "email": OTHER_DEPUTY},
    # the test directory's people have no e-mail (a brief goes to no one without one)
    {"op": "set-email", "person_id": "deputy", "email": "deputy@test.example.ru"},
    {"op": "set-email", "person_id": "curator", "email": "curator@test.example.ru"},
]


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def overdue_appeal(container: Container, unit: str) -> str:
    """A letter received on 2 March 2026, assigned to ``unit``: its answer term long past by May."""
    app, at = container.appeals, local(date(2026, 3, 2), 10)
    contact = cmd.CitizenContactInput(full_name=CITIZEN[0], phone=CITIZEN[1])
    received = app.receive(
        receive(Kind.APPEAL, Channel.LETTER, citizen=contact, text=CITIZEN[2], occurred_at=at),
        actor=OPERATOR,
        idempotency=None,
    )
    appeal_id = received.state.id
    for command in (
        cmd.RegisterAppeal(occurred_at=at),
        cmd.CategoriseAppeal(topic="Освещение", essence=CITIZEN[3], occurred_at=at),
        cmd.AssignAppeal(department=unit, occurred_at=at),
    ):
        app.handle(appeal_id, command, actor=OPERATOR)
    number = app.state(appeal_id).registration_number
    assert number is not None
    return number


def call(container: Container, at: datetime, topic: str) -> UUID:
    app = container.appeals
    received = app.receive(
        receive(Kind.CALL, Channel.PHONE, text=CITIZEN[2], occurred_at=at),
        actor=OPERATOR,
        idempotency=None,
    )
    categorise = cmd.CategoriseAppeal(topic=topic, essence=CITIZEN[3], occurred_at=at)
    app.handle(received.state.id, categorise, actor=OPERATOR)
    return received.state.id


@pytest.fixture(scope="module")
def brief(db_server: ConnectionInfo) -> Iterator[tuple[Container, Mailbox, dict[str, str]]]:
    with smtp_server() as (mailbox, port), outbox_database(db_server) as info:
        env = {
            "OTKLIK_SMTP_HOST": "127.0.0.1",
            "OTKLIK_SMTP_PORT": str(port),
            "OTKLIK_MAIL_FROM": "mcu@ensk.example.org",
            "OTKLIK_OUTBOX_SEND_TIMEOUT": "5",
            "OTKLIK_BRIEF_HOUR": "8",
            "OTKLIK_BRIEF_HEAD": "curator",  # the test directory has no МЦУ unit
            "OTKLIK_TIMEZONE": "Europe/Moscow",
        }
        with outbox_container(info, **env) as container:
            changes = msgspec.convert(
                {"changes": OTHER_SECTOR, "effective": "2000-01-01"}, ChangeDirectory
            )
            container.directory.change(changes, actor=LOADER)
            numbers = {
                "mine": overdue_appeal(container, "ugkh"),
                "other": overdue_appeal(container, "drugoy"),
            }
            call(container, local(date(2026, 5, 2), 11), "Освещение")  # Saturday: covered
            call(container, local(date(2026, 5, 2), 12), "Освещение")
            call(container, local(date(2026, 4, 30), 15), "Ямы на дорогах")  # Thursday: covered
            call(container, local(date(2026, 4, 29), 15), "Вывоз ТКО")  # before: not covered
            settle(container)
            yield container, mailbox, numbers


def briefs(mailbox: Mailbox, address: str, day: date) -> list[Message]:
    return [m for m in mailbox.to(address) if f"на {day:%d.%m.%Y}" in str(m["Subject"])]


def text_of(message: Message) -> str:
    """The e-mail's plain-text body (the XLSX is an attachment beside it)."""
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    content = body.get_content()
    assert isinstance(content, str)
    return content


def workbook_of(message: Message) -> openpyxl.Workbook:
    assert isinstance(message, EmailMessage)
    (part,) = list(message.iter_attachments())
    assert part.get_filename() == "svodka-2026-05-04.xlsx"
    content = part.get_content()
    assert isinstance(content, bytes)
    return openpyxl.load_workbook(io.BytesIO(content))


def test_a_deputy_head_receives_their_sectors_overdue_list_and_the_hotlines_topics(
    brief: tuple[Container, Mailbox, dict[str, str]],
) -> None:
    container, mailbox, numbers = brief
    monday = date(2026, 5, 4)  # the first working day after the May holidays (1–3 May)
    assert container.brief.tick(local(monday, 9)) == 3  # two deputy heads and the head
    settle(container)

    (message,) = briefs(mailbox, DEPUTY, monday)
    assert message["Message-ID"] == f"<{brief_id(monday, 'deputy')}@ensk.example.org>"
    text = text_of(message)
    assert "Тестовый блок" in str(message["Subject"])
    assert "с 30.04.2026 по 03.05.2026" in text  # Thursday to Sunday: the holidays covered
    assert "- Освещение (M.92): 2" in text
    assert "- Ямы на дорогах (M.02): 1" in text
    assert "Вывоз ТКО" not in text  # received before the covered days
    assert numbers["mine"] in text and numbers["other"] not in text
    assert "Управление ЖКХ" in text and "Другое управление" not in text

    book = workbook_of(message)
    assert book.sheetnames == ["Темы", "Просрочено"]
    topics = [tuple(r) for r in book["Темы"].iter_rows(min_row=2, values_only=True)]
    assert ("Горячая линия", "Освещение", "M.92", 2) in topics
    overdue = [tuple(r) for r in book["Просрочено"].iter_rows(min_row=2, values_only=True)]
    assert [r[:4] for r in overdue] == [
        (numbers["mine"], "Управление ЖКХ", "Тестовый блок", "Освещение")
    ]
    assert isinstance(overdue[0][5], int) and overdue[0][5] > 20  # days overdue

    (other,) = briefs(mailbox, OTHER_DEPUTY, monday)
    assert numbers["other"] in text_of(other) and numbers["mine"] not in text_of(other)
    (whole,) = briefs(mailbox, HEAD, monday)  # the head: the whole municipality
    assert numbers["mine"] in text_of(whole) and numbers["other"] in text_of(whole)

    for each in (message, other, whole):  # no citizen's name, phone or text anywhere
        raw = each.as_bytes().decode("utf-8", "replace") + text_of(each)
        cells = [
            str(v)
            for sheet in workbook_of(each).worksheets
            for row in sheet.iter_rows(values_only=True)
            for v in row
        ]
        for secret in CITIZEN:
            assert secret not in raw
            assert not any(secret in c for c in cells)


def test_a_day_off_sends_nothing_and_two_ticks_or_a_restart_queue_one_brief_per_person(
    brief: tuple[Container, Mailbox, dict[str, str]],
) -> None:
    container, mailbox, _ = brief
    saturday, holiday, monday = date(2026, 5, 9), date(2026, 5, 11), date(2026, 5, 18)
    assert container.brief.tick(local(saturday, 9)) == 0
    assert container.brief.tick(local(holiday, 10)) == 0  # Monday 11 May: a day off
    assert container.brief.tick(local(monday, 7, 59)) == 0  # before the hour
    assert container.outbox.service.message(brief_id(holiday, "deputy")) is None

    assert container.brief.tick(local(monday, 8, 5)) == 3
    assert container.brief.tick(local(monday, 8, 10)) == 0  # the second tick: nothing
    restarted = build_brief(  # another process (or a restart) on the same morning
        container.settings.outbound,
        container.outbox,
        container.pool,
        directory=container.directory.directory,
        rubricator=container.rubricator.rubricator,
        calendar=lambda: container.sla_clock().calendar,
        timezone=container.settings.timezone,
    )
    assert restarted.tick(local(monday, 9)) == 0
    assert [q.queued for q in restarted.send(monday)] == [False, False, False]
    settle(container)

    for address in (DEPUTY, OTHER_DEPUTY, HEAD):
        assert briefs(mailbox, address, saturday) == briefs(mailbox, address, holiday) == []
        (message,) = briefs(mailbox, address, monday)
        assert "с 15.05.2026 по 17.05.2026" in text_of(message)  # Friday to Sunday
    queued = container.outbox.service.message(brief_id(monday, "deputy"))
    assert queued is not None and queued.purpose is Purpose.DAILY_BRIEF
