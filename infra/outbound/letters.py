"""Printable letters (DOCX, python-docx) for the messages that can only go by post: the
administration's header, the addressee, the date and the message's text, ready to print, post
and file in the document system."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from domain.outbox.state import Message
from infra.outbound.rendering import Municipality


def letter_docx(message: Message, municipality: Municipality, timezone: str) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    header = document.add_paragraph()
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    header.add_run(municipality.name).bold = True
    details = f"{municipality.address}, тел. {municipality.phone}"
    if municipality.email:
        details += f", {municipality.email}"
    document.add_paragraph(details).alignment = WD_ALIGN_PARAGRAPH.CENTER
    day = message.queued_at.astimezone(ZoneInfo(timezone))
    document.add_paragraph(f"{day:%d.%m.%Y}  № {str(message.message_id)[:8]}")
    addressee = document.add_paragraph(message.recipient or "")
    addressee.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph().add_run(message.subject).bold = True
    for line in message.body.splitlines():
        document.add_paragraph(line)
    if municipality.signatory:
        document.add_paragraph(municipality.signatory)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
