"""The daily brief's XLSX (openpyxl): a sheet of topics by count and a sheet of the overdue
appeals (registration number, unit, sector, topic, due date, days overdue), headed in Russian."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from projections.reactors.brief_content import Brief

KINDS = {
    "call": "Горячая линия",
    "appeal": "Обращение",
    "message": "Сообщение ПОС",
    "incident": "Инцидент",
}
TOPIC_HEADINGS = ("Канал", "Тема", "Код рубрикатора", "Количество")
OVERDUE_HEADINGS = (
    "Рег. номер",
    "Подразделение",
    "Блок",
    "Тема",
    "Срок ответа",
    "Дней просрочки",
)


def brief_workbook(brief: Brief) -> bytes:
    book = Workbook()
    topics = book.active
    assert topics is not None
    topics.title = "Темы"
    topics.append(TOPIC_HEADINGS)
    for row in [*brief.hotline, *brief.other]:
        topics.append((KINDS.get(row.kind, row.kind), row.topic, row.code or "", row.count))
    overdue = book.create_sheet("Просрочено")
    overdue.append(OVERDUE_HEADINGS)
    for item in brief.overdue:
        overdue.append(
            (
                item.registration_number,
                item.unit,
                item.sector,
                item.topic,
                item.due,
                item.days_overdue,
            )
        )
        overdue.cell(row=overdue.max_row, column=5).number_format = "DD.MM.YYYY"
    for sheet in (topics, overdue):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
