"""The platform's own words, in bokmål, nynorsk and English, and choosing the learner's language.

Course texts come from the courses themselves. Interface strings are gettext messages with the
English text as msgid, in each room's catalogue (see `elearn.message_catalogues`), read through
Flask-Babel with elearn's own `Domain`: elearn's catalogues never mix with a host app's, and a
host keeps its own Flask-Babel settings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, g
from flask_babel import Babel, Domain, force_locale, refresh

from elearn.core.constants import LANGUAGES
from elearn.message_catalogues import N_, catalogue_dirs

__all__ = [
    "AUDIENCE_NAMES",
    "LANGUAGE_NAMES",
    "N_",
    "force_locale",
    "gettext",
    "install_babel",
    "negotiate_language",
    "ngettext",
    "speak",
]

LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}  # each in its own language


AUDIENCE_NAMES = {
    "teacher": N_("Teacher"),
    "school_leader": N_("School leader"),
    "health": N_("Health staff"),
    "adult_education": N_("Adult education"),
    "other": N_("Other"),
}

domain = Domain(translation_directories=[str(d) for d in catalogue_dirs()], domain="messages")
gettext: Callable[..., str] = domain.gettext
ngettext: Callable[..., str] = domain.ngettext


def _elearn_language() -> str | None:
    return g.get("elearn_lang")


def install_babel(app: Flask) -> None:
    """Flask-Babel on the app, speaking `g.elearn_lang` on elearn's pages.

    A host app that has Flask-Babel already keeps it: elearn's choice goes in front of the host's
    locale selector, which still decides on the host's own pages.
    """
    config = app.extensions.get("babel")
    if config is None:
        Babel(
            app,
            locale_selector=_elearn_language,
            default_locale=app.config["ELEARN_DEFAULT_LANGUAGE"],
        )
        return
    host_selector = config.locale_selector
    if host_selector is _elearn_language or getattr(host_selector, "elearn", False):
        return

    def elearn_then_host() -> Any:
        return _elearn_language() or (host_selector() if host_selector else None)

    elearn_then_host.elearn = True  # type: ignore[attr-defined]
    config.locale_selector = elearn_then_host


def speak(lang: str) -> None:
    """From here on this request speaks `lang` (after a choice that changed it)."""
    g.elearn_lang = lang
    refresh()  # Flask-Babel caches the request's locale


def negotiate_language(chosen: str | None, profile: str | None, accept: Any, default: str) -> str:
    """The language the learner chose here, then in the profile, then the browser's, then ours."""
    for lang in (chosen, profile):
        if lang in LANGUAGES:
            return lang
    if accept:
        # Browsers send "no" or "nb"/"nn"; "no" means bokmål in practice.
        best = accept.best_match(["nb", "nn", "en", "no", "nb-NO", "nn-NO", "no-NO"])
        if best:
            best = best.split("-")[0]
            return "nb" if best == "no" else best
    return default
