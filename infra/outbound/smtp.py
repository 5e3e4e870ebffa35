"""E-mail over SMTP: a relay from the settings (STARTTLS, login), one connection per message, and
a ``Message-ID`` made from the message's id, so that a repeat after a crash carries the same id
(the receiver and we can tell it)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from domain.outbox.sending import Accepted, Refused
from domain.outbox.state import Message


def message_id_header(message: Message, domain: str) -> str:
    return f"<{message.message_id}@{domain}>"


class SmtpSender:
    def __init__(
        self,
        host: str,
        port: int,
        mail_from: str,
        *,
        user: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self.mail_from = mail_from
        self.user = user
        self.password = password
        self.starttls = starttls
        self.timeout = timeout
        self.domain = mail_from.rpartition("@")[2] or "otklik.local"

    def email(self, message: Message) -> EmailMessage:
        assert message.recipient is not None
        mail = EmailMessage()
        mail["From"] = self.mail_from
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Message-ID"] = message_id_header(message, self.domain)
        mail["Date"] = formatdate(localtime=False, usegmt=True)
        mail["Auto-Submitted"] = "auto-generated"
        mail.set_content(message.body)
        for file in message.files:
            main, _, sub = file.media_type.partition("/")
            mail.add_attachment(file.content, maintype=main, subtype=sub, filename=file.name)
        return mail

    def send(self, message: Message) -> Accepted:
        mail = self.email(message)
        try:
            with smtplib.SMTP(
                self.host, self.port, local_hostname=self.domain, timeout=self.timeout
            ) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _text in error.recipients.values()})
            raise Refused(f"smtp {codes[0] if codes else '5xx'}: recipient refused") from None
        except smtplib.SMTPResponseException as error:
            raise Refused(f"smtp {error.smtp_code}", permanent=False) from None
        except (OSError, smtplib.SMTPException) as error:
            raise Refused(f"smtp connection: {type(error).__name__}") from None
        return Accepted(reference=str(mail["Message-ID"]))
