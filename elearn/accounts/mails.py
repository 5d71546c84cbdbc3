"""The mails the accounts room sends: plain text, in the learner's language, saying what the
link does, how long it works and what to do if they did not ask for it."""

from __future__ import annotations

from flask import current_app, request, url_for

from elearn.i18n import N_, force_locale, gettext, ngettext
from elearn.mail import paragraphs, send_mail

IGNORE_RESET = N_(
    "If you did not ask for this, you can ignore this e-mail: your password stays as it is, "
    "and nobody can use your account without it."
)


def _site() -> str:
    return request.host


def _valid_for(minutes: int) -> str:
    return ngettext(
        "The link works once, for %(num)s minute.",
        "The link works once, for %(num)s minutes.",
        minutes,
    )


def _send(to: str, lang: str, subject: str, parts: list[str]) -> None:
    send_mail(current_app.config, to, subject, paragraphs(parts), lang)


def _minutes() -> int:
    return int(current_app.config["ELEARN_MAIL_LINK_MINUTES"])


def send_reset(to: str, lang: str, token: str) -> None:
    link = url_for("elearn.accounts.reset_password", token=token, _external=True)
    with force_locale(lang):
        _send(
            to,
            lang,
            gettext("Choose a new password for %(site)s", site=_site()),
            [
                gettext(
                    "Someone, we hope you, asked to choose a new password for your account at "
                    "%(site)s. To choose one, open this link:",
                    site=_site(),
                ),
                link,
                _valid_for(_minutes()),
                gettext(IGNORE_RESET),
            ],
        )


def send_already_registered(to: str, lang: str, token: str) -> None:
    link = url_for("elearn.accounts.reset_password", token=token, _external=True)
    login = url_for("elearn.accounts.login", _external=True)
    with force_locale(lang):
        _send(
            to,
            lang,
            gettext("You already have an account at %(site)s", site=_site()),
            [
                gettext(
                    "Someone, we hope you, tried to create an account at %(site)s with this "
                    "e-mail address. You already have one, so no new account was made. "
                    "Log in here:",
                    site=_site(),
                ),
                login,
                gettext("If you have forgotten your password, choose a new one with this link:"),
                link,
                _valid_for(_minutes()),
                gettext(IGNORE_RESET),
            ],
        )


def send_finish_registration(to: str, lang: str, token: str) -> None:
    link = url_for("elearn.accounts.finish_registration", token=token, _external=True)
    with force_locale(lang):
        _send(
            to,
            lang,
            gettext("Confirm your new account at %(site)s", site=_site()),
            [
                gettext(
                    "Someone, we hope you, asked for an account at %(site)s with this e-mail "
                    "address. To confirm the address and create the account, open this link:",
                    site=_site(),
                ),
                link,
                _valid_for(_minutes()),
                gettext(
                    "If you did not ask for an account, you can ignore this e-mail: no account "
                    "is created without the link."
                ),
            ],
        )
