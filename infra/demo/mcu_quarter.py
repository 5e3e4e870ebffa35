"""The demo quarter of the МЦУ's sessions as data (``infra/demo/sessions.py`` loads it): the
composition, six sittings with their agenda, votes and the tasks their decisions set (each with
its fate), two polls of the ПОС."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.sessions import feedback
from domain.sessions.events import Format
from domain.shared.actors import Actor, Role

SECRETARY = Actor(id="demo-mcu-secretary", role=Role.OPERATOR, name="Белова А. С. (секретарь МЦУ)")
CURATOR = Actor(id="demo-curator", role=Role.CURATOR, name="Смирнова Е. В. (куратор МЦУ)")
HEAD, DEPUTY, SECRETARY_ID = "p-0010", "p-0002", "p-0011"
MEMBERS = ("p-0012", "p-0013", "p-0014", "p-0003")
EVERYONE = (HEAD, DEPUTY, SECRETARY_ID, *MEMBERS)
Task = tuple[str, str, int, str]  # text, unit, working days, fate
# fate: on_time, late (breached, then done), returned (then done), extended (then done),
# overdue (breached, still open), open (not due yet)


@dataclass(frozen=True)
class Item:
    title: str
    proposal: str
    hot_topic: str | None
    votes: str  # for | tie | against
    tasks: tuple[Task, ...] = ()
    cites_poll: bool = False


@dataclass(frozen=True)
class Sitting:
    held_on: date
    format: Format
    taking_part: tuple[str, ...]
    items: tuple[Item, ...]
    head_instructs_deputy: bool = False


POLLS = (
    feedback.ImportPoll(
        platform="ПОС",
        external_id="poll-2026-08-heat",
        title="Готов ли ваш дом к отопительному сезону?",
        area="г. Ишим",
        period_from=date(2026, 8, 10),
        period_to=date(2026, 8, 24),
        hot_topic="Подготовка к отопительному сезону",
        questions=(
            feedback.QuestionInput(
                text="Проводились ли в вашем доме летом работы на системе отопления?",
                options=(
                    feedback.OptionInput(text="Да", count=412),
                    feedback.OptionInput(text="Нет", count=655),
                    feedback.OptionInput(text="Не знаю", count=233),
                ),
            ),
        ),
    ),
    feedback.ImportPoll(
        platform="ПОС",
        external_id="poll-2026-10-light",
        title="Где в городе не хватает уличного освещения?",
        area="г. Ишим",
        period_from=date(2026, 10, 1),
        period_to=date(2026, 10, 20),
        hot_topic="Уличное освещение",
        questions=(
            feedback.QuestionInput(
                text="Где вы чаще всего идёте по неосвещённой улице?",
                options=(
                    feedback.OptionInput(text="Частный сектор", count=524),
                    feedback.OptionInput(text="Пешеходные переходы у школ", count=301),
                    feedback.OptionInput(text="Остановки общественного транспорта", count=277),
                ),
            ),
        ),
    ),
)

QUARTER = (
    Sitting(
        date(2026, 9, 3),
        Format.IN_PERSON,
        EVERYONE,
        (
            Item(
                "Подготовка к отопительному сезону",
                "Поручить управлению ЖКХ и МУП «Тепловые сети» завершить опрессовку и промывку",
                "Подготовка к отопительному сезону",
                "for",
                (
                    ("Завершить опрессовку систем отопления", "mup-teploset", 10, "on_time"),
                    ("Представить график подключения домов", "ugkh", 5, "late"),
                    ("Проверить готовность котельных школ", "uobr", 8, "on_time"),
                ),
                cites_poll=True,
            ),
            Item(
                "Повторные обращения о ямах на дорогах",
                "Поручить управлению дорожного хозяйства ямочный ремонт до заморозков",
                "Ремонт дорог",
                "for",
                (
                    ("Выполнить ямочный ремонт по списку обращений", "udh", 15, "extended"),
                    ("Восстановить разметку у школ", "mbu-dorremstroy", 10, "on_time"),
                ),
            ),
        ),
    ),
    Sitting(  # the head away: the deputy chairs (§5.1)
        date(2026, 9, 17),
        Format.REMOTE,
        (DEPUTY, SECRETARY_ID, "p-0012", "p-0013", "p-0003"),
        (
            Item(
                "Вывоз ТКО в частном секторе",
                "Поручить МБУ «Спецавтохозяйство» изменить график вывоза",
                "Вывоз мусора",
                "for",
                (
                    ("Утвердить новый график вывоза ТКО", "mbu-sah", 5, "returned"),
                    ("Установить контейнерные площадки", "ublag", 12, "late"),
                ),
            ),
            Item(
                "Перенос остановки на ул. Ленина",
                "Перенести остановку общественного транспорта к поликлинике",
                None,
                "against",
            ),
        ),
    ),
    Sitting(  # in absentia, a tie the chair's vote decides (§5.5)
        date(2026, 10, 1),
        Format.IN_ABSENTIA,
        (HEAD, SECRETARY_ID, "p-0012", "p-0013"),
        (
            Item(
                "Школьные автобусы в отдалённых микрорайонах",
                "Поручить управлению образования и управлению транспорта продлить маршрут",
                "Школьный транспорт",
                "tie",
                (
                    ("Продлить маршрут школьного автобуса", "utrans", 7, "on_time"),
                    ("Согласовать расписание со школами", "uobr", 5, "late"),
                ),
            ),
        ),
    ),
    Sitting(  # the head present, the deputy chairs on the head's instruction (§5.1)
        date(2026, 10, 15),
        Format.IN_PERSON,
        EVERYONE[:-1],
        (
            Item(
                "Уличное освещение",
                "Поручить МБУ «Горсвет» восстановить освещение по результатам опроса",
                "Уличное освещение",
                "for",
                (
                    ("Восстановить освещение в частном секторе", "mbu-gorsvet", 10, "overdue"),
                    ("Осветить пешеходные переходы у школ", "mbu-gorsvet", 8, "on_time"),
                    ("Включить остановки в план освещения", "udh", 10, "returned"),
                ),
                cites_poll=True,
            ),
            Item(
                "Очереди в поликлиниках",
                "Поручить управлению здравоохранения организовать запись через Госуслуги",
                "Запись к врачу",
                "for",
                (
                    ("Открыть запись к терапевтам через Госуслуги", "uzdrav", 10, "late"),
                    ("Разместить разъяснение для жителей", "mcu", 3, "on_time"),
                ),
            ),
        ),
        head_instructs_deputy=True,
    ),
    Sitting(
        date(2026, 10, 29),
        Format.REMOTE,
        (HEAD, DEPUTY, SECRETARY_ID, "p-0012", "p-0014"),
        (
            Item(
                "Подготовка к зиме: уборка снега",
                "Поручить управлению благоустройства утвердить план зимнего содержания",
                "Уборка снега",
                "for",
                (
                    ("Утвердить план зимнего содержания дорог", "ublag", 5, "on_time"),
                    ("Заключить контракты на вывоз снега", "udh", 10, "overdue"),
                    ("Проверить готовность техники", "mbu-dorremstroy", 7, "on_time"),
                ),
            ),
        ),
    ),
    Sitting(
        date(2026, 11, 12),
        Format.IN_PERSON,
        EVERYONE,
        (
            Item(
                "Отключения холодной воды",
                "Поручить МУП «Водоканал» сократить сроки аварийных отключений",
                "Отключения воды",
                "for",
                (
                    ("Информировать жителей об отключениях за сутки", "mup-vodokanal", 5, "late"),
                    ("Представить план замены сетей", "mup-vodokanal", 25, "open"),
                    ("Проверить подвоз воды в частный сектор", "ugochs", 20, "open"),
                ),
            ),
        ),
    ),
)
