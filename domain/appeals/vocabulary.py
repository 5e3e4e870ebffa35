"""The closed vocabularies of an appeal's life: kinds, channels, statuses, grounds and reasons."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    APPEAL = "appeal"  # обращение (59-ФЗ)
    MESSAGE = "message"  # сообщение на платформе обратной связи (ПОС)
    INCIDENT = "incident"  # инцидент в социальной сети или мессенджере
    CALL = "call"  # звонок или голосовое сообщение на горячую линию


class Channel(StrEnum):
    LETTER = "letter"  # письмо
    EMAIL = "email"
    GOSUSLUGI = "gosuslugi"  # форма на Госуслугах
    RECEPTION = "reception"  # личный приём
    POS = "pos"  # платформа обратной связи
    VK = "vk"
    TELEGRAM = "telegram"
    ODNOKLASSNIKI = "odnoklassniki"
    MAX = "max"
    OTHER_SOCIAL = "other_social"
    PHONE = "phone"
    VOICE_MESSAGE = "voice_message"
    OPEN311 = "open311"  # an Open311 GeoReport v2 client (a city app, a portal): issue 16


CHANNELS_BY_KIND: dict[Kind, frozenset[Channel]] = {
    Kind.APPEAL: frozenset({Channel.LETTER, Channel.EMAIL, Channel.GOSUSLUGI, Channel.RECEPTION}),
    Kind.MESSAGE: frozenset({Channel.POS, Channel.OPEN311}),
    Kind.INCIDENT: frozenset(
        {Channel.VK, Channel.TELEGRAM, Channel.ODNOKLASSNIKI, Channel.MAX, Channel.OTHER_SOCIAL}
    ),
    Kind.CALL: frozenset({Channel.PHONE, Channel.VOICE_MESSAGE}),
}


class Status(StrEnum):
    RECEIVED = "received"
    REGISTERED = "registered"
    ASSIGNED = "assigned"
    ANSWER_DRAFTED = "answer_drafted"
    ANSWER_APPROVED = "answer_approved"
    ANSWER_PUBLISHED = "answer_published"
    ANSWER_DELIVERED = "answer_delivered"
    CLOSED = "closed"


class Outcome(StrEnum):
    ANSWERED = "answered"  # ответ по существу дан и доставлен
    FORWARDED = "forwarded"  # переадресовано в другой орган
    DUPLICATE = "duplicate"  # дубликат открытого обращения
    LEFT_WITHOUT_ANSWER = "left_without_answer"  # ст. 11 59-ФЗ
    WITHDRAWN = "withdrawn"  # заявитель отозвал
    RETURNED = "returned"  # жалоба возвращена: направить некуда (ст.8 ч.7 59-ФЗ)


class ReworkReason(StrEnum):
    FORMAL_REPLY = "formal_reply"  # формальная отписка, не по существу
    NO_FIX_DATE = "no_fix_date"  # нет срока устранения
    NO_EVIDENCE = "no_evidence"  # нет подтверждения (фото, акт)
    CONTRADICTIONS = "contradictions"  # противоречия
    OTHER = "other"


class LegalGround(StrEnum):
    """Grounds on which an appeal may be left without an answer: 59-ФЗ ст. 11 for appeals, the
    ЕПГУ rules for ПОС messages (which grounds a kind allows: ``decisions.grounds``)."""

    NO_ADDRESS = "no_address"  # не указаны фамилия или почтовый адрес (ч. 1)
    OBSCENITY_OR_THREATS = "obscenity_or_threats"  # нецензурные выражения, угрозы (ч. 3)
    UNREADABLE = "unreadable"  # текст не поддаётся прочтению (ч. 4)
    ESSENCE_UNCLEAR = "essence_unclear"  # невозможно установить суть (ч. 4.1)
    REPEATED_NO_NEW_ARGUMENTS = "repeated_no_new_arguments"  # повторное без новых доводов (ч. 5)
    COURT_DECISION = "court_decision"  # есть вступившее в силу решение суда (ч. 2)
    # ответ размещён на официальном сайте (ч. 5.1; this comment said ч. 4 until issue 14: the
    # stored value keeps its meaning, only its label was wrong)
    ANSWER_ALREADY_PUBLISHED = "answer_already_published"
    # --- issue 14: ст.11 ч.6 59-ФЗ and the ЕПГУ rules' grounds for ПОС messages ---
    PROTECTED_INFORMATION = (
        "protected_information"  # ответ раскрыл бы охраняемую законом тайну (ч. 6)
    )
    NO_PROBLEM_OR_PLACE = "no_problem_or_place"  # ПОС: нет описания проблемы или её места
    THIRD_PARTY_PERSONAL_DATA = "third_party_personal_data"  # ПОС: персональные данные третьих лиц
    ADVERTISING_OR_SPAM = "advertising_or_spam"  # ПОС: реклама, спам


class Deadline(StrEnum):
    REGISTER = "register"
    FORWARD = "forward"
    FIRST_REACTION = "first_reaction"
    ANSWER = "answer"
    NOTICE = "notice"  # the citizen's notice of a decision under 59-ФЗ ст. 11 (issue 14)
    # ст.10 ч.2 59-ФЗ: the other body's reply to our request for information (15 days)
    INFORMATION_REPLY = "information_reply"


class EscalationTarget(StrEnum):
    SECTOR_HEAD = "sector_head"  # руководитель отраслевого блока
    CURATOR = "curator"
    HEAD = "head"


class ReopenedBy(StrEnum):
    CITIZEN = "citizen"
    CONTROL_CENTRE = "control_centre"


# --- issue 14: the decisions of 59-ФЗ ст. 11, by part ---
class Article11Part(StrEnum):
    """The part of 59-ФЗ ст. 11 a decision not to answer on the merits rests on."""

    PART_1 = "1"  # нет фамилии или адреса для ответа
    PART_2 = "2"  # обжалуется судебное решение: возврат с разъяснением порядка обжалования
    PART_3 = "3"  # нецензурные или оскорбительные выражения, угрозы
    PART_4 = "4"  # текст не поддаётся прочтению
    PART_4_1 = "4.1"  # по тексту нельзя определить суть
    PART_5 = "5"  # повторное без новых доводов: руководитель прекращает переписку
    PART_5_1 = "5.1"  # ответ уже размещён на официальном сайте
    PART_6 = "6"  # ответ раскрыл бы охраняемую законом тайну


class NoticeRecipient(StrEnum):
    """To whom a notice goes (the address is the one the citizen gave: ``CitizenContact``)."""

    CITIZEN = "citizen"  # заявитель
    REPRESENTATIVE = "representative"  # представитель заявителя


# --- ст.12 ч.2 59-ФЗ: extensions --------------------------------------------------------------
class ExtensionGround(StrEnum):
    """59-ФЗ ст.12 ч.2: the only grounds on which the answer term may be extended."""

    EXCEPTIONAL_CASE = "exceptional_case"  # в исключительных случаях
    INFORMATION_REQUESTED = "information_requested"  # направлен запрос по ст.10 ч.2
