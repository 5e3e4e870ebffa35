"""The case file's history for people (history.pdf, reportlab, a Cyrillic TrueType font): the
case card, the deadlines with their provenance, the chronology of acts, the answer and notices."""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from domain.sla.policy import ComputedDeadline
from infra.archive import labels
from infra.archive.collect import Case
from infra.archive.format import CaseAttachment

FONT, BOLD = "OtklikSans", "OtklikSans-Bold"
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu (fonts-dejavu-core)
    Path("/usr/share/fonts/dejavu-sans-fonts"),  # Fedora
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),  # Arch
)


class FontMissing(LookupError):
    """No Cyrillic TrueType font was found (give one with ``--font``)."""


def find_font(given: Path | None = None) -> tuple[Path, Path]:
    """The regular and bold TrueType fonts with Cyrillic the PDF embeds: ``given`` (for both, or
    its ``-Bold`` sibling), else DejaVu Sans where distributions install it."""
    if given is not None:
        if not given.is_file():
            raise FontMissing(f"the font {given} does not exist")
        bold = given.with_name(f"{given.stem}-Bold{given.suffix}")
        return given, bold if bold.is_file() else given
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file():
            return regular, bold if bold.is_file() else regular
    raise FontMissing(
        "no Cyrillic TrueType font found (DejaVu Sans: the package fonts-dejavu-core);"
        " give one with --font PATH.ttf"
    )


@functools.cache  # parsing a TrueType font costs about 0.1 s: once per process
def _register(fonts: tuple[Path, Path]) -> None:
    pdfmetrics.registerFont(TTFont(FONT, str(fonts[0])))
    pdfmetrics.registerFont(TTFont(BOLD, str(fonts[1])))


_BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5)
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=7.5, leading=9.5, textColor=colors.grey)
_H1 = ParagraphStyle("h1", parent=_BODY, fontName=BOLD, fontSize=14, leading=18, spaceAfter=6)
_H2 = ParagraphStyle("h2", parent=_BODY, fontName=BOLD, fontSize=11, leading=14, spaceBefore=8)
_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
    ]
)
_CHRONOLOGY = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
    ]
)


def _p(text: object, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


class _Clock:
    def __init__(self, zone: str) -> None:
        self.zone = ZoneInfo(zone)

    def at(self, moment: datetime | str | None) -> str:
        if moment is None:
            return "—"
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        return f"{moment.astimezone(self.zone):%d.%m.%Y %H:%M}"

    def due(self, moment: datetime | None) -> str:
        """A deadline (met by an act strictly before it): one at local midnight reads as the
        end of the day before, as the law counts days."""
        if moment is None:
            return "—"
        local = moment.astimezone(self.zone)
        if (local.hour, local.minute) == (0, 0):
            return f"до конца дня {local - timedelta(days=1):%d.%m.%Y}"
        return f"до {local:%d.%m.%Y %H:%M}"


def _value(clock: _Clock, value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_value(clock, v) for v in value)
    if isinstance(value, str):
        if len(value) >= 19 and value[4] == "-" and value[10] == "T":
            with contextlib.suppress(ValueError):  # shaped like a time but not one: as text
                return clock.at(value)
        text = labels.VALUES.get(value, value)
        return text if len(text) <= 200 else text[:199] + "…"
    return str(value)


_DUES = frozenset({"answer_due", "new_due", "due"})


def _details(clock: _Clock, data: dict[str, Any]) -> str:
    parts = []
    for key, label in labels.DETAILS.items():
        value = data.get(key)
        if value in (None, "", [], ()):
            continue
        shown = clock.due(datetime.fromisoformat(value)) if key in _DUES else _value(clock, value)
        parts.append(f"{label}: {shown}")
    return "; ".join(parts)


def _card(case: Case, clock: _Clock) -> list[list[Paragraph]]:
    s = case.state
    received = case.appeal_events[0][1]
    citizen = getattr(received, "citizen", None)
    who = [
        str(getattr(citizen, name))
        for name in ("full_name", "postal_address", "email", "phone")
        if getattr(citizen, name, None)
    ]
    assigned = [e for _p, e in case.appeal_events if type(e).__name__ == "AppealAssigned"]
    unit = getattr(assigned[-1], "department", None) if assigned else None
    person = getattr(assigned[-1], "executor", None) if assigned else None
    rows = [
        ("Регистрационный номер", s.registration_number or "не зарегистрировано"),
        ("Идентификатор", str(s.id)),
        ("Вид, канал", f"{labels.KINDS.get(s.kind, s.kind)}, {labels.CHANNELS.get(s.channel)}"),
        ("Заявитель", "; ".join(who) or "—"),
        ("Поступило", clock.at(s.received_at)),
        ("Зарегистрировано", clock.at(s.registered_at)),
        ("Тематика", " / ".join(t for t in (s.topic, s.subtopic) if t) or "—"),
        ("Подразделение", unit or s.department or "—"),  # the names as recorded that day
        ("Исполнитель", person or s.executor or "—"),
        ("Статус", labels.STATUSES.get(s.status, s.status)),
        ("Срок ответа", clock.due(s.answer_due)),
        ("Продления", f"{s.extensions} (всего дней: {s.extension_days})"),
        ("Итог", labels.OUTCOMES.get(s.outcome, s.outcome) if s.outcome else "—"),
        ("Закрыто", clock.at(s.closed_at)),
    ]
    return [[_p(k), _p(v)] for k, v in rows]


def _deadlines(case: Case, clock: _Clock) -> list[Flowable]:
    latest: dict[str, ComputedDeadline] = {}
    for _position, event in case.appeal_events:
        for computed in getattr(event, "deadlines", ()):
            latest[computed.deadline] = computed
    out: list[Flowable] = []
    for computed in latest.values():
        p = computed.provenance
        out.append(
            _p(
                f"{labels.DEADLINES.get(computed.deadline, computed.deadline)}:"
                f" {clock.due(computed.due)} — политика {p.policy_id}/{p.policy_version},"
                f" календарь {p.calendar_id}/{p.calendar_version}, зона {p.timezone};"
                f" правило: {p.rule}"
            )
        )
        out.extend(_p(step, _SMALL) for step in p.steps)
    return out or [_p("Сроки не вычислялись.")]


def _chronology(case: Case, clock: _Clock) -> Table:
    rows = [[_p(h) for h in ("Поз.", "Дата, время", "Действие", "Кто", "Подробности")]]
    for e in case.events:
        who = f"{e.actor_name} ({labels.ROLES.get(e.role, e.role)})"
        rows.append(
            [
                _p(e.position, _SMALL),
                _p(clock.at(e.occurred_at)),
                _p(labels.act(e.type)),
                _p(who),
                _p(_details(clock, e.data), _SMALL),
            ]
        )
    table = Table(rows, colWidths=[14 * mm, 27 * mm, 40 * mm, 37 * mm, 62 * mm], repeatRows=1)
    table.setStyle(_CHRONOLOGY)
    return table


def _answers(case: Case, clock: _Clock) -> Iterable[Flowable]:
    for position, event in case.appeal_events:
        name = type(event).__name__
        if name in ("InterimAnswerGiven", "AnswerDrafted", "AnswerGivenAtSource"):
            yield _p(
                f"{labels.act(name)} — {clock.at(event.occurred_at)} (позиция {position})", _H2
            )
            yield _p(getattr(event, "text", ""))


def _notices(case: Case, clock: _Clock) -> Iterable[Flowable]:
    for m in case.messages:
        yield _p(f"{labels.PURPOSES.get(m.purpose, m.purpose)}: {m.subject}", _H2)
        yield _p(
            f"Канал: {labels.CHANNELS.get(m.channel, m.channel)}; адресат: {m.recipient or '—'};"
            f" статус: {labels.STATUSES.get(m.status, m.status)}; подготовлено"
            f" {clock.at(m.queued_at)}; доставлено {clock.at(m.delivered_at or m.printed_at)}",
            _SMALL,
        )
        yield _p(m.body)


def _files(files: list[CaseAttachment]) -> list[Flowable]:
    return [
        _p(
            f"{labels.FILES.get(f.kind, f.kind)}, {f.media_type}, {f.size} байт: "
            + (f.file or f"нет в деле — {f.note}")
        )
        for f in files
    ] or [_p("Файлов нет.")]


def render(
    case: Case,
    files: list[CaseAttachment],
    timezone: str,
    fonts: tuple[Path, Path],
    exported_at: datetime,
) -> bytes:
    """The PDF of ``case`` (its ``files`` as the case file holds them), times in ``timezone``."""
    _register(fonts)
    clock = _Clock(case.state.timezone or timezone)
    number = case.state.registration_number or str(case.appeal_id)
    card = Table(_card(case, clock), colWidths=[50 * mm, 130 * mm])
    card.setStyle(_GRID)
    story: list[Flowable] = [
        _p(f"Дело по обращению № {number}", _H1),
        _p(
            f"Выгружено {clock.at(exported_at)} ({clock.zone.key}). Подлинность событий"
            " подтверждается файлом proof.json: otklik audit verify --case.",
            _SMALL,
        ),
        Spacer(0, 4 * mm),
        card,
        _p("Текст обращения", _H2),
        _p(case.state.text),
        _p("Сроки и их основания", _H2),
        *_deadlines(case, clock),
        _p("Ход рассмотрения", _H2),
        _chronology(case, clock),
        _p("Приложения", _H2),
        *_files(files),
        _p("Ответы", _H2),
        *(list(_answers(case, clock)) or [_p("Ответ не давался.")]),
        _p("Уведомления и письма заявителю", _H2),
        *(list(_notices(case, clock)) or [_p("Сообщений не было.")]),
    ]

    def footer(canvas: Canvas, doc: Any) -> None:
        canvas.setFont(FONT, 7)
        canvas.drawString(15 * mm, 10 * mm, f"Дело № {number} — стр. {doc.page}")

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Дело № {number}",
        author="Otklik",
        invariant=1,  # the same case gives the same bytes (no random ids, no creation time)
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
