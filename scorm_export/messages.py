"""The package player's interface strings, taken from the platform's gettext catalogues.

`player.js` asks for messages by their English msgid (`_()`, `ngettext()`, `N_()`), as the
platform's templates do. When a package is built, the messages it uses are found by extracting
them from `player.js` with Babel's JavaScript extractor (what `pybabel extract` does), looked up
in the compiled catalogues of every room (the same `.mo` files Flask-Babel reads) and written
into the package's `course.js` for the course's languages. Nothing is copied by hand.
"""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import read_mo

from elearn.message_catalogues import catalogue_dirs
from scorm_export.formats import ExportError

# The Plural-Forms expressions player.js knows (its PLURALS table); nb, nn and en use the first.
PLURAL_RULES = ("(n != 1)",)


@lru_cache(maxsize=1)
def player_msgids() -> tuple[str, ...]:
    """Every msgid player.js uses (a plural message by its singular)."""
    source = resources.files("scorm_export").joinpath("runtime", "player.js").read_bytes()
    found = {
        message if isinstance(message, str) else message[0]
        for _line, message, _comments, _context in extract("javascript", io.BytesIO(source))
    }
    return tuple(sorted(found))


def _catalogue(lang: str) -> Catalog:
    """Every room's compiled catalogue for `lang`, merged (each message lives in one of them)."""
    merged = Catalog(locale=lang)
    for folder in catalogue_dirs():
        mo = folder / lang / "LC_MESSAGES" / "messages.mo"
        if mo.is_file():
            with mo.open("rb") as f:
                catalog = read_mo(f)
            merged.mime_headers = catalog.mime_headers
            for message in catalog:
                if message.id:
                    merged[message.id] = message
    return merged


@lru_cache(maxsize=16)
def _language(lang: str) -> dict[str, Any]:
    catalog = _catalogue(lang)
    if catalog.plural_expr not in PLURAL_RULES:
        raise ExportError(
            f"the {lang!r} catalogues' plural rule {catalog.plural_expr!r} is not one player.js "
            "knows: add it to PLURALS in player.js and PLURAL_RULES in scorm_export/messages.py"
        )
    messages: dict[str, str | list[str]] = {}
    for msgid in player_msgids():
        message = catalog.get(msgid)
        if message is not None and message.string:
            text = message.string
            messages[msgid] = list(text) if isinstance(text, tuple) else text
    return {"plural": catalog.plural_expr, "messages": messages}


def player_messages(languages: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """For each language: its plural rule and {msgid: text, or the plural forms}, for course.js.

    A message missing from a catalogue is left out and player.js shows the English msgid; the
    catalogue test keeps that from happening.
    """
    return {lang: _language(lang) for lang in sorted(set(languages))}
