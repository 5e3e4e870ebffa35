"""The redacted copy is recorded, not recomputed: given an appeal whose texts carry a name, a
phone, an e-mail and an address, the reactor records one ``TextRedacted`` per text in the
appeal's redaction stream, the view of redacted texts holds the copies and never a phone of the
original, a batch handed over again (or a new build reading the whole log, an imported history
included) records nothing twice, and a rebuilt view is identical."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID, uuid4

import psycopg
import pytest

from domain.appeals import commands as cmd
from domain.appeals.application import AppealsApplication
from domain.redaction.events import TextRedacted
from domain.shared.actors import IMPORT_PREFIX, Actor, Role
from infra.container import Container
from projections.engine.reactor import ReactorBatch
from projections.reactors.redaction import RedactionReactor
from tests.support.appeals import ASSIGN, OPERATOR, receive
from tests.support.engines import engine_for

pytestmark = pytest.mark.integration
Conn = psycopg.Connection[tuple[object, ...]]

TEXT = (
    "Во дворе дома 7 по улице Лесной прорвало трубу. Петрова Анна Сергеевна,"
    " тел. +7 (912) 345-67-89, почта anna.petrova@mail.ru"
)
ANSWER = "Уважаемая Анна Сергеевна! Трубу заменят до пятницы, мастер позвонит на 8 912 345 67 89."
PHONE_DIGITS = ("345-67-89", "345 67 89", "3456789")


def appeal_with_texts(app: AppealsApplication) -> UUID:
    r = app.receive(receive(text=TEXT), actor=OPERATOR, idempotency=None)
    appeal_id = r.state.id
    for command in (
        cmd.RegisterAppeal(),
        ASSIGN,
        cmd.DraftAnswer(text=ANSWER),
    ):
        app.handle(appeal_id, command, actor=OPERATOR)
    return appeal_id


def caught_up(container: Container) -> None:
    """The reactor records the copies after the views' round; the view reads them next round."""
    container.engine.catch_up_all()


def test_each_text_gets_one_redacted_copy_and_the_view_never_holds_the_phone(
    app: AppealsApplication, container: Container, sql: Conn
) -> None:
    appeal_id = appeal_with_texts(app)
    caught_up(container)
    assert container.redaction is not None and container.redacted_texts is not None
    copies = container.redaction.service.copies(appeal_id)
    assert [(c.source_type, c.field) for c in copies] == [
        ("AppealReceived", "text"),
        ("AnswerDrafted", "text"),
    ]
    received = copies[0]
    assert isinstance(received, TextRedacted) and received.source_version == 1
    assert "[ТЕЛЕФОН]" in received.text and "[EMAIL]" in received.text
    assert "[ИМЯ]" in received.text and "[АДРЕС]" in received.text
    assert "прорвало трубу" in received.text  # what the appeal is about stays readable
    rows = container.redacted_texts.of_appeal(appeal_id)
    assert [(r.source_version, r.field, r.text) for r in rows] == [
        (c.source_version, c.field, c.text) for c in copies
    ]
    stored = sql.execute(
        "SELECT string_agg(text, ' ') FROM redacted_texts WHERE appeal_id = %s", (appeal_id,)
    ).fetchone()
    assert stored is not None and isinstance(stored[0], str)
    assert not any(digits in stored[0] for digits in PHONE_DIGITS)
    assert "anna.petrova" not in stored[0] and "Петрова" not in stored[0]
    assert [r.appeal_id for r in container.redacted_texts.search("прорвало трубу")].count(
        appeal_id
    ) == 1


def test_a_batch_handed_over_again_records_no_copy_twice(
    app: AppealsApplication, container: Container, sql: Conn
) -> None:
    appeal_id = appeal_with_texts(app)
    caught_up(container)
    head = container.engine.head()
    (position,) = sql.execute(
        "SELECT position FROM projection_builds WHERE name = 'redaction' AND active"
    ).fetchone() or (None,)
    assert position is not None
    # a crash after the copies, before the position was tracked: everything comes again
    sql.execute("UPDATE projection_builds SET position = 0 WHERE name = 'redaction' AND active")
    caught_up(container)
    assert container.engine.head() == head
    assert container.redaction is not None
    assert len(container.redaction.service.copies(appeal_id)) == 2


def test_the_view_rebuilt_from_the_copies_is_identical(
    app: AppealsApplication, container: Container
) -> None:
    appeal_with_texts(app)
    caught_up(container)
    engine = container.engine
    before = engine.checksums(engine.active("redacted_texts"))  # type: ignore[arg-type]
    (build,), _ = engine.rebuild(["redacted_texts"])
    engine.catch_up_all()
    assert engine.active("redacted_texts") == build
    assert engine.checksums(build) == before


def test_an_imported_history_gets_its_copies(app: AppealsApplication, container: Container) -> None:
    importer = Actor(id=f"{IMPORT_PREFIX}pos", role=Role.OPERATOR, name="Импорт ПОС")
    r = app.receive(receive(text=TEXT), actor=importer, idempotency=None)
    caught_up(container)
    assert container.redaction is not None
    (copy,) = container.redaction.service.copies(r.state.id)
    assert "[ТЕЛЕФОН]" in copy.text and copy.source_type == "AppealReceived"


def test_a_new_build_reads_the_whole_log_and_appends_nothing_copied_already(
    app: AppealsApplication, container: Container
) -> None:
    appeal_id = appeal_with_texts(app)
    caught_up(container)
    assert container.redaction is not None
    head = container.engine.head()

    class Newer(RedactionReactor):  # a build of its own (the session's own stays active)
        name = f"redaction_{uuid4().hex[:8]}"
        seen: ClassVar[set[UUID]] = set()

        def react(self, batch: ReactorBatch) -> None:
            self.seen.update(item.event.originator_id for item in batch.events)
            super().react(batch)

    reactor = container.redaction.reactor
    newer = Newer(reactor.service, reactor.mask, reactor.masker)
    engine = engine_for(container, projections=[], reactors=[newer])
    engine.catch_up_all()
    build = engine.active(newer.name)
    assert build is not None and appeal_id in Newer.seen  # it read the log from its start …
    assert engine.positions([build])[build] >= head
    assert container.engine.head() == head  # … and every text had its copy already
    assert len(container.redaction.service.copies(appeal_id)) == 2


def test_no_read_model_analytics_read_holds_the_originals_phone_or_name(
    app: AppealsApplication, container: Container, sql: Conn
) -> None:
    appeal_with_texts(app)
    caught_up(container)
    # the outbox sends the original answer to the citizen: it is theirs, and not analytics'
    tables = [
        table
        for name, projection in container.engine.projections.items()
        if name != "outbox_messages"
        for table in projection.tables
    ]
    assert "redacted_texts" in tables and "appeals" in tables
    for table in tables:
        found = sql.execute(
            f"SELECT count(*) FROM {table} t WHERE t::text ~ %s",
            ("345.?67.?89|anna\\.petrova|Петрова Анна",),
        ).fetchone()
        assert found == (0,), table
