"""Sending e-mail through SMTP (the standard library), or to the server log when no SMTP host is
set, so `make run` works with no mail server.

Mail leaves in a background thread: the answer to a request must not take longer when a mail is
sent (a known address) than when none is (an unknown one), or its timing would tell who has an
account.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

log = logging.getLogger("elearn.mail")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str
    password: str
    starttls: bool
    use_ssl: bool
    timeout: float
    sender: str

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> SmtpSettings:
        use_ssl = bool(config["ELEARN_SMTP_SSL"])
        return cls(
            host=str(config["ELEARN_SMTP_HOST"]),
            port=int(config["ELEARN_SMTP_PORT"]) or (465 if use_ssl else 25),  # type: ignore[arg-type]
            username=str(config["ELEARN_SMTP_USERNAME"]),
            password=str(config["ELEARN_SMTP_PASSWORD"]),
            starttls=bool(config["ELEARN_SMTP_STARTTLS"]),
            use_ssl=use_ssl,
            timeout=float(config["ELEARN_SMTP_TIMEOUT"]),  # type: ignore[arg-type]
            sender=str(config["ELEARN_MAIL_FROM"]),
        )


def mail_configured(config: Mapping[str, object]) -> bool:
    return bool(config.get("ELEARN_SMTP_HOST"))


def paragraphs(parts: list[str]) -> str:
    """A plain-text body: paragraphs (a link is one) split by a blank line, ending in a line
    break. Every room's mails are laid out by this, so they all read alike."""
    return "\n\n".join(parts) + "\n"


def build_message(sender: str, to: str, subject: str, body: str, lang: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies
    message.set_content(body)  # text/plain; utf-8 (clears any Content-* header set before)
    message["Content-Language"] = lang
    return message


def send_mail(config: Mapping[str, object], to: str, subject: str, body: str, lang: str) -> None:
    """Queue one plain-text mail; without an SMTP host, write it to the log instead."""
    settings = SmtpSettings.from_config(config)
    if not settings.host:
        log.warning(
            "No ELEARN_SMTP_HOST: this mail to %s was not sent.\nSubject: %s\n\n%s",
            to,
            subject,
            body,
        )
        return
    message = build_message(settings.sender, to, subject, body, lang)
    threading.Thread(target=_deliver, args=(settings, message), daemon=True).start()


def _deliver(settings: SmtpSettings, message: EmailMessage) -> None:
    try:
        deliver(settings, message)
    except (OSError, smtplib.SMTPException):
        log.exception("Could not send mail to %s through %s", message["To"], settings.host)


def deliver(settings: SmtpSettings, message: EmailMessage) -> None:
    """Send now, in this thread (the background thread; also `flask elearn` commands)."""
    context = ssl.create_default_context()
    smtp_class = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
    kwargs = {"context": context} if settings.use_ssl else {}
    with smtp_class(settings.host, settings.port, timeout=settings.timeout, **kwargs) as smtp:
        if settings.starttls and not settings.use_ssl:
            smtp.starttls(context=context)
        if settings.username:
            smtp.login(settings.username, settings.password)
        smtp.send_message(message)
