"""The outbox over a real SMTP server (aiosmtpd, started by the test): the extension notice and
the answer reach the citizen's e-mail with the right text, recipient and a Message-ID made from
the message's id; the answer's acceptance records AnswerDelivered on the appeal; a recipient the
server refuses (550) is retried, given up as a dead letter, and sent again on an operator's
retry."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime

import docx
import pytest

from domain.appeals import commands as cmd
from domain.appeals.vocabulary import Channel, Kind, Status
from domain.outbox.events import MessageEvent, MessageGaveUp, Purpose, message_stream
from domain.outbox.state import MessageStatus
from domain.shared.actors import Actor, Role
from infra.container import Container
from infra.database import ConnectionInfo
from infra.outbound.letters import letter_docx
from tests.support.appeals import ASSIGN, CATEGORISE, receive
from tests.support.mail import Mailbox, smtp_server, text_of
from tests.support.outbox import (
    answer,
    appeal_by_email,
    extend,
    outbox_container,
    outbox_database,
    settle,
)

pytestmark = pytest.mark.integration
OPERATOR = Actor(id="op-outbox", role=Role.OPERATOR, name="Оператор")
FROM = "mcu@ensk.example.org"


@pytest.fixture(scope="module")
def mail(db_server: ConnectionInfo) -> Iterator[tuple[Container, Mailbox]]:
    with smtp_server() as (mailbox, port), outbox_database(db_server) as info:
        env = {
            "OTKLIK_SMTP_HOST": "127.0.0.1",
            "OTKLIK_SMTP_PORT": str(port),
            "OTKLIK_MAIL_FROM": FROM,
            "OTKLIK_OUTBOX_MAX_ATTEMPTS": "3",
            "OTKLIK_OUTBOX_BACKOFF": "0",
            "OTKLIK_OUTBOX_SEND_TIMEOUT": "5",
        }
        with outbox_container(info, **env) as container:
            yield container, mailbox


def test_the_extension_notice_and_the_answer_reach_the_citizen_by_smtp(
    mail: tuple[Container, Mailbox],
) -> None:
    container, mailbox = mail
    app = container.appeals
    appeal_id = appeal_by_email(app, "petrov@example.org")
    extended = extend(app, appeal_id)
    published = answer(app, appeal_id, "Фонари во дворе отремонтированы 5 марта.")
    settle(container)

    received = mailbox.to("petrov@example.org")
    subjects = [str(m["Subject"]) for m in received]
    number = app.state(appeal_id).registration_number
    assert subjects == [
        f"Ваше обращение зарегистрировано: {number}",
        f"Срок рассмотрения обращения {number} продлён",
        f"Ответ на обращение {number}",
    ]
    notice, reply = received[1], received[2]
    notice_id = message_stream(appeal_id, extended, Purpose.EXTENSION_NOTICE)
    assert notice["Message-ID"] == f"<{notice_id}@ensk.example.org>"
    assert notice["From"] == FROM
    text = text_of(notice)
    assert "ст.12 ч.2 59-ФЗ" in text
    assert "на 10 дн." in text
    assert "Требуется выезд комиссии на место" in text
    assert "Администрация муниципального образования" in text  # the administration's details
    reply_id = message_stream(appeal_id, published, Purpose.ANSWER)
    assert reply["Message-ID"] == f"<{reply_id}@{FROM.partition('@')[2]}>"
    assert "Фонари во дворе отремонтированы 5 марта." in text_of(reply)
    assert "ст.10 ч.1 п.4 59-ФЗ" in text_of(reply)

    # the SMTP acceptance is the delivery the appeal records (and the ratings count)
    state = app.state(appeal_id)
    assert state.status is Status.ANSWER_DELIVERED
    delivered = [e for e in app.events_of(appeal_id) if type(e).__name__ == "AnswerDelivered"]
    assert len(delivered) == 1
    assert delivered[0].delivery_reference == reply["Message-ID"]  # type: ignore[attr-defined]
    rows = container.outbox.queries.list(appeal_id=appeal_id)
    assert {r.status for r in rows} == {MessageStatus.DELIVERED.value}
    assert len(rows) == 3


def test_a_refused_recipient_is_retried_then_dead_lettered_then_resent_on_retry(
    mail: tuple[Container, Mailbox],
) -> None:
    container, mailbox = mail
    app, outbox = container.appeals, container.outbox
    address = "nobody@example.org"
    mailbox.refuse.add(address)
    appeal_id = appeal_by_email(app, address)
    extended = extend(app, appeal_id)
    message_id = message_stream(appeal_id, extended, Purpose.EXTENSION_NOTICE)
    settle(container)  # the first attempts, at once
    for _ in range(5):  # the timer's retries (backoff 0 here: due at once)
        outbox.delivery.tick(datetime.now(UTC))
        settle(container)
    message = outbox.service.message(message_id)
    assert message is not None
    assert message.status is MessageStatus.DEAD
    assert message.attempts == 3
    assert message.last_reason == "smtp 550: recipient refused"  # no address in the reason
    assert mailbox.refused.count(address) == 6  # 3 attempts each of two messages
    events = [r.event for r in outbox.service.handler.read(MessageEvent, message_id)]
    gave_up = [e for e in events if isinstance(e, MessageGaveUp)]
    assert len(gave_up) == 1
    (row,) = [r for r in outbox.queries.list(status="dead") if r.message_id == message_id]
    assert row.attempts == 3

    mailbox.refuse.discard(address)  # the citizen's mailbox works again
    outbox.service.retry(message_id, actor=OPERATOR, comment="Адрес проверен")
    settle(container)
    again = outbox.service.message(message_id)
    assert again is not None
    assert again.status is MessageStatus.DELIVERED
    assert again.attempts == 4
    assert [str(m["Subject"]) for m in mailbox.to(address)] == [
        f"Срок рассмотрения обращения {app.state(appeal_id).registration_number} продлён"
    ]


def test_a_letter_born_appeal_gets_a_printable_letter_and_its_posting_records_the_delivery(
    mail: tuple[Container, Mailbox],
) -> None:
    container, mailbox = mail
    app, outbox = container.appeals, container.outbox
    contact = cmd.CitizenContactInput(
        full_name="Иванова И. И.", postal_address="г. Энск, ул. Мира, д. 3, кв. 7"
    )
    received = app.receive(
        receive(Kind.APPEAL, Channel.LETTER, citizen=contact), actor=OPERATOR, idempotency=None
    )
    appeal_id = received.state.id
    for command in (cmd.RegisterAppeal(), CATEGORISE, ASSIGN):
        app.handle(appeal_id, command, actor=OPERATOR)
    published = answer(app, appeal_id, "Освещение восстановлено.")
    settle(container)
    message_id = message_stream(appeal_id, published, Purpose.ANSWER)
    message = outbox.service.message(message_id)
    assert message is not None
    assert message.status is MessageStatus.AWAITING_PRINT  # never sent: printed by operators
    letter = docx.Document(io.BytesIO(letter_docx(message, outbox.renderer.municipality, "UTC")))
    lines = [p.text for p in letter.paragraphs]
    assert lines[0].startswith("Администрация")
    assert "г. Энск, ул. Мира, д. 3, кв. 7" in lines
    assert "Освещение восстановлено." in lines
    outbox.service.printed(message_id, actor=OPERATOR)
    assert app.state(appeal_id).status is Status.ANSWER_DELIVERED
    assert not mailbox.to("г. Энск, ул. Мира, д. 3, кв. 7")
