"""Messages rendered from templates kept as data: Jinja2 files in Russian (``templates/``), each
with a ``subject`` and a ``body`` block, and the administration's details from a small TOML."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import msgspec

TEMPLATES = Path(__file__).resolve().parent / "templates"
DETAILS = Path(__file__).resolve().parent / "municipality.toml"


class Municipality(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    short_name: str
    centre: str
    address: str
    phone: str
    email: str | None = None
    website: str | None = None
    signatory: str | None = None


class Rendered(msgspec.Struct, frozen=True, kw_only=True):
    subject: str
    body: str


def load_municipality(path: Path = DETAILS) -> Municipality:
    return msgspec.convert(tomllib.loads(path.read_text(encoding="utf-8")), Municipality)


class Renderer:
    """Renders ``<template>.j2`` with the administration's details and the message's variables;
    an undefined variable is an error (a template and its data must agree)."""

    def __init__(self, municipality: Municipality, folder: Path = TEMPLATES) -> None:
        self.municipality = municipality
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folder),
            autoescape=False,  # noqa: S701 (plain text messages, never HTML)
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=False,
            trim_blocks=True,
        )

    def __call__(self, template: str, variables: Mapping[str, Any]) -> Rendered:
        loaded = self.env.get_template(f"{template}.j2")
        context = loaded.new_context(
            {"municipality": msgspec.structs.asdict(self.municipality), **variables}
        )
        subject = "".join(loaded.blocks["subject"](context)).strip()
        body = "".join(loaded.blocks["body"](context)).strip()
        return Rendered(subject=" ".join(subject.split()), body=_tidy(body))


def _tidy(body: str) -> str:
    """At most one empty line in a row (the templates' optional parts leave gaps)."""
    lines: list[str] = []
    for line in body.splitlines():
        line = line.rstrip()
        if not line and lines and not lines[-1]:
            continue
        lines.append(line)
    return "\n".join(lines) + "\n"
