"""The mails the organisations room sends: an invitation, a note that someone was added to a
unit, and a reminder of a course due soon. Plain text, in the person's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from babel.dates import format_date
from flask import current_app, request, url_for

from elearn.i18n import force_locale, gettext, ngettext
from elearn.mail import SmtpSettings, build_message, deliver, paragraphs, send_mail

BABEL_LOCALES = {"nb": "nb", "nn": "nn", "en": "en_GB"}


def long_date(day: dt.date, lang: str) -> str:
    return format_date(day, format="long", locale=BABEL_LOCALES.get(lang, "nb"))


def send_invitation(to: str, lang: str, unit_name: str, token: str, days: int) -> None:
    link = url_for("elearn.organisations.invitation", token=token, _external=True)
    with force_locale(lang):
        subject = gettext("You are invited to courses at %(site)s", site=request.host)
        body = paragraphs(
            [
                gettext(
                    "%(unit)s has given you an account at %(site)s, where you take courses "
                    "for your work.",
                    unit=unit_name,
                    site=request.host,
                ),
                gettext("To choose your password and log in, open this link:"),
                link,
                ngettext(
                    "The link works once, for %(num)s day.",
                    "The link works once, for %(num)s days.",
                    days,
                ),
                gettext(
                    "If you did not expect this, you can ignore this e-mail: nobody can use the "
                    "account without a password."
                ),
            ]
        )
    send_mail(current_app.config, to, subject, body, lang)


def send_added(to: str, lang: str, unit_name: str) -> None:
    login = url_for("elearn.accounts.login", _external=True)
    with force_locale(lang):
        subject = gettext("You have been added to %(unit)s", unit=unit_name)
        body = paragraphs(
            [
                gettext(
                    "You have been added to %(unit)s at %(site)s. Log in with your account "
                    "as before:",
                    unit=unit_name,
                    site=request.host,
                ),
                login,
            ]
        )
    send_mail(current_app.config, to, subject, body, lang)


def reminder_message(
    config: Mapping[str, object],
    lang: str,
    course_title: str,
    due: dt.date,
    days_left: int,
    link: str,
) -> tuple[str, str]:
    """(subject, body) of a reminder, in `lang`."""
    with force_locale(lang):
        subject = gettext(
            "Reminder: “%(course)s” is due %(date)s", course=course_title, date=long_date(due, lang)
        )
        body = paragraphs(
            [
                ngettext(
                    "The course “%(course)s” has been assigned to you, due in %(num)s day "
                    "(%(date)s).",
                    "The course “%(course)s” has been assigned to you, due in %(num)s days "
                    "(%(date)s).",
                    days_left,
                    course=course_title,
                    date=long_date(due, lang),
                )
                if days_left
                else gettext(
                    "The course “%(course)s” has been assigned to you, due today.",
                    course=course_title,
                ),
                gettext("Open the course here:"),
                link,
            ]
        )
    return subject, body


def deliver_now(config: Mapping[str, object], to: str, subject: str, body: str, lang: str) -> bool:
    """Send in this thread (a command that must know it went); without an SMTP host the mail
    goes to the log, as the web's mails do. True if it was handed to the server (or logged)."""
    settings = SmtpSettings.from_config(config)
    if not settings.host:
        send_mail(config, to, subject, body, lang)
        return True
    deliver(settings, build_message(settings.sender, to, subject, body, lang))
    return True
