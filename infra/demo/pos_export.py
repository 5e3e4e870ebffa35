"""Generated ПОС exports (the import tests, ``bench/imports.py``): rows in the shipped profile's
columns, every name and number fictional, written as CSV."""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta

POS_COLUMNS = (
    "Номер сообщения",
    "Дата поступления",
    "Дата регистрации",
    "Дата назначения",
    "Дата ответа",
    "Дата закрытия",
    "Срок ответа",
    "Статус",
    "Ответственный",
    "Категория",
    "Подкатегория",
    "Текст сообщения",
    "Текст ответа",
    "Заявитель",
    "Телефон",
    "Электронная почта",
    "Адрес",
    "Широта",
    "Долгота",
)
FMT = "%d.%m.%Y %H:%M"


def pos_row(
    external_id: str,
    received: datetime,
    stage: str = "closed",
    unit: str = "ugkh",
    topic: str = "M.90",
) -> dict[str, str]:
    """A ПОС message received at ``received`` (Moscow time, written without an offset), taken
    as far as ``stage`` (open, assigned, answered, closed) a few hours apart."""
    assigned = received + timedelta(hours=2)
    answered = received + timedelta(days=3)
    closed = answered + timedelta(hours=1)
    far = {"open": 0, "assigned": 1, "answered": 2, "closed": 3}[stage]
    status = {0: "В работе", 1: "В работе", 2: "Ответ дан", 3: "Закрыто"}[far]
    return {
        "Номер сообщения": external_id,
        "Дата поступления": received.strftime(FMT),
        "Дата регистрации": received.strftime(FMT),
        "Дата назначения": assigned.strftime(FMT) if far >= 1 else "",
        "Дата ответа": answered.strftime(FMT) if far >= 2 else "",
        "Дата закрытия": closed.strftime(FMT) if far >= 3 else "",
        "Срок ответа": "",
        "Статус": status,
        "Ответственный": unit if far >= 1 else "",
        "Категория": topic,
        "Подкатегория": "",
        "Текст сообщения": f"Не убирают мусор во дворе, сообщение {external_id}",
        "Текст ответа": "Мусор вывезен." if far >= 2 else "",
        "Заявитель": "Иванова Анна Петровна",
        "Телефон": "+7 900 000-00-00",
        "Электронная почта": "",
        "Адрес": "г. Энск, ул. Садовая, д. 1",
        "Широта": "55.75",
        "Долгота": "37.61",
    }


def pos_rows(
    prefix: str,
    n: int,
    start: datetime,
    seed: int = 16,
    topic: str = "M.90",
    every: int = 7,
) -> list[dict[str, str]]:
    """``n`` messages ``every`` minutes or so apart from ``start``, most of them closed."""
    rng = random.Random(seed)
    stages = ["closed"] * 6 + ["answered"] * 2 + ["assigned", "open"]
    return [
        pos_row(
            f"{prefix}{i:07d}",
            start + timedelta(minutes=every * i + rng.randrange(every)),
            rng.choice(stages),
            topic=topic,
        )
        for i in range(n)
    ]


def to_csv(rows: list[dict[str, str]], delimiter: str = ";", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)
