"""The rule-based finders of the masker: e-mails, Russian addresses, phones the library misses,
names written as a surname with initials, and where a name found by the model is not a person's."""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-zА-Яа-я]{2,}", re.UNICODE)

# A street's type, abbreviated or in full (in any case the sentence puts it in).
_TYPE = (
    r"(?:ул\.|ул(?=\s)|улиц[а-я]{0,2}|пр-к?т\.?|пр-д\.?|пр\.|просп\.|проспект[а-я]{0,2}|пер\."
    r"|переул[а-я]{0,3}|б-р\.?|бул\.|бульвар[а-я]{0,2}|ш\.|шоссе|наб\.|набережн[а-я]{0,3}|пл\."
    r"|площад[а-я]{0,2}|проезд[а-я]{0,2}|мкр\.?|мкрн\.?|микрорайон[а-я]{0,2}|туп\.|тупик[а-я]{0,2}"
    r"|алле[а-я]{1,2})"
)
# The street's name: up to four words (capitalised, numbered like «1-я», or «лет», «Октября»).
_NAME_WORD = r"(?:\d{1,3}-?(?:[а-я]{1,2})?|[А-ЯЁ][а-яё-]+|лет|им\.|имени)"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}"
# «ул. Ленина», «улице Садовой», «Московском шоссе», «Комсомольской ул.»
_STREET = rf"(?:(?<![\w-]){_TYPE}\s*{_NAME}|[А-ЯЁ][а-яё-]+\s+{_TYPE}(?![\w-]))"
_CITY = r"(?:(?:г\.|город[а-я]{0,2}|пос\.|с\.)\s*[А-ЯЁ][а-яё-]+,?\s*)"
# A house, its building, block, flat: «д. 5», «дом № 5а», «5/2», «14-22», «корп. 1», «кв. 12».
_NUMBER = r"\d{1,4}(?:\s?[а-яА-Я](?![а-яё]))?(?:[/-]\d{1,4})?(?!\d)"
_HOUSE = rf"(?:д\.|дом[а-я]{{0,2}}|д(?=\s\d))\s*(?:№\s*)?{_NUMBER}"
_FLAT = r"(?:кв\.|квартир[а-я]{0,2})\s*\d{1,4}(?!\d)"
_PART = (
    rf"(?:{_HOUSE}|{_FLAT}|{_NUMBER}"
    r"|(?:корп\.|корпус[а-я]{0,2}|к\.|стр\.|строени[а-я]|оф\.|под\.|подъезд[а-я]{0,2})\s*\d{1,4})"
)
_PARTS = rf"{_PART}(?:(?:\s*,\s*|\s+){_PART})*"
# «ул. Ленина, д. 5, кв. 12», «Весенней улице, 17», «дом 7 по улице Лесной», «кв. 15».
ADDRESS = re.compile(
    rf"(?:{_CITY}?{_STREET}[\s,]+{_PARTS}"
    rf"|(?<![\w-]){_HOUSE}(?:(?:\s*,\s*|\s+)(?:{_HOUSE}|{_FLAT}"
    r"|(?:корп\.|корпус[а-я]{0,2}|к\.|стр\.|подъезд[а-я]{0,2})\s*\d{1,4}))*"
    rf"(?:\s+(?:по|на)\s+{_STREET})?"
    rf"|(?<![\w-]){_FLAT})",
    re.UNICODE,
)
# A street named after someone: the name is the street's, not a person's.
STREET_BEFORE = re.compile(rf"(?:{_TYPE}|им\.|имени)\s*$", re.IGNORECASE)
# Phones the library cannot place (a local number with no area code), after a word that says so.
LOCAL_PHONE = re.compile(
    r"(?:тел\.?|телефон[а-я]{0,2}|т\.|моб\.?|сот\.?|домашн[а-я]{0,2}|номер[а-я]{0,2})[:\s]*"
    r"(\d{1,3}(?:[- ]\d{2}){2,3}|\d{5,7})(?![\d/-])",
    re.IGNORECASE,
)
# «Иванов И.И.», «Иванову И. И.», «И.И. Иванов»: a surname with initials.
INITIALS = re.compile(
    r"(?<![\w.])(?:[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ]\.\s?(?:[А-ЯЁ]\.)?"
    r"|[А-ЯЁ]\.\s?(?:[А-ЯЁ]\.\s?)?[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?)",
    re.UNICODE,
)
