"""Where the interface strings live, and keeping the gettext catalogues in step with the code.

Each room keeps the messages only it uses in `elearn/<room>/translations/<lang>/LC_MESSAGES/
messages.po`; a message two or more rooms use (or the front door's templates and modules) lives
once, in `elearn/translations/`. The package player (`scorm_export/runtime/player.js`) borrows
the platform's messages and keeps the ones only it uses in `scorm_export/translations/`. So each
message is translated in exactly one place.

Pure (Babel, no Flask): the platform (through Flask-Babel) and the package builder read the same
compiled catalogues. `make translations` runs `update()`; `tests/test_i18n.py` runs `problems()`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from elearn.core.constants import LANGUAGES

PACKAGE_ROOT = Path(__file__).resolve().parent  # elearn/
SOURCE_ROOT = (
    PACKAGE_ROOT.parent
)  # the checkout (or site-packages, where elearn sits beside scorm_export)
ROOMS = (
    "accounts",
    "authoring",
    "catalogue",
    "content",
    "player",
    "tracking",
    "lrs",
    "export",
    "organisations",
    "sso",
    "certificates",
    "privacy",
    "live",
    "reports",
)
FRONT_DOOR = "elearn"  # the shared catalogue
PACKAGE_PLAYER = "package"  # scorm_export/runtime/player.js
SCOPES = (*ROOMS, FRONT_DOOR, PACKAGE_PLAYER)
SOURCE_DIRS = ("elearn", "scorm_export")  # what babel.cfg's patterns are relative to
COMMENT_TAGS = ("Translators:",)
PO_WIDTH = 100
HEADER = (
    "# elearn's interface strings. How to add or change one: docs/translating.md.\n"
    "# Edit msgstr only; `make translations` rewrites the rest from the code."
)

Key = tuple[str | None, str]  # (msgctxt, msgid) as Babel's Catalog keys them


def N_(message: str) -> str:
    """Marks a message for `pybabel extract` where it is defined; it is translated where shown."""
    return message


def catalogue_dir(scope: str, root: Path = SOURCE_ROOT) -> Path:
    if scope == FRONT_DOOR:
        return root / "elearn" / "translations"
    if scope == PACKAGE_PLAYER:
        return root / "scorm_export" / "translations"
    return root / "elearn" / scope / "translations"


def catalogue_dirs() -> list[Path]:
    """Every scope's translations folder that exists: what Flask-Babel and the builder read."""
    return [catalogue_dir(scope) for scope in SCOPES if catalogue_dir(scope).is_dir()]


def po_path(scope: str, lang: str, root: Path = SOURCE_ROOT) -> Path:
    return catalogue_dir(scope, root) / lang / "LC_MESSAGES" / "messages.po"


def scope_of(path: str) -> str:
    """'elearn/player/views.py' → 'player'; 'elearn/templates/…' → the front door."""
    parts = path.split("/")
    if parts[0] == "scorm_export":
        return PACKAGE_PLAYER
    if len(parts) > 2 and parts[1] in ROOMS:
        return parts[1]
    return FRONT_DOOR


def owner(scopes: set[str]) -> str:
    """The catalogue a message belongs in, given every scope that uses it."""
    platform = scopes - {PACKAGE_PLAYER}
    if not platform:
        return PACKAGE_PLAYER
    return next(iter(platform)) if len(platform) == 1 else FRONT_DOOR


@dataclass
class _Found:
    message: str | tuple[str, ...]
    context: str | None
    locations: list[tuple[str, int]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    scopes: set[str] = field(default_factory=set)


def _extracted(
    source_root: Path,
) -> Iterator[tuple[str, int, str | tuple[str, ...], list[str], str | None]]:
    """`pybabel extract -F babel.cfg elearn scorm_export`, as Babel's API."""
    with (source_root / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    for top in SOURCE_DIRS:
        for filename, lineno, message, comments, context in extract_from_dir(
            source_root / top,
            method_map,
            options_map,
            comment_tags=COMMENT_TAGS,
            strip_comment_tags=True,
        ):
            yield f"{top}/{filename}", lineno, message, comments, context


def extract(source_root: Path = SOURCE_ROOT) -> dict[str, Catalog]:
    """What the code uses: one template catalogue per scope (only scopes with messages)."""
    found: dict[Key, _Found] = {}
    for path, lineno, message, comments, context in _extracted(source_root):
        msgid = message if isinstance(message, str) else message[0]
        entry = found.setdefault((context, msgid), _Found(message, context))
        entry.locations.append((path, lineno))
        entry.comments.extend(c for c in comments if c not in entry.comments)
        entry.scopes.add(scope_of(path))
    templates: dict[str, Catalog] = {}
    for entry in found.values():
        template = templates.setdefault(owner(entry.scopes), Catalog(project="elearn"))
        template.add(
            entry.message,
            locations=entry.locations,
            auto_comments=entry.comments,
            context=entry.context,
        )
    return templates


def translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(s and s.strip() for s in strings)


def _read_po(path: Path, lang: str) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def _known(lang: str, root: Path) -> dict[Key, Message]:
    """Every translation into `lang` in any catalogue, so a message moving catalogue keeps it."""
    known: dict[Key, Message] = {}
    for scope in SCOPES:
        path = po_path(scope, lang, root)
        if path.exists():
            for message in _read_po(path, lang):
                if message.id and translated(message) and not message.fuzzy:
                    known[(message.context, _msgid(message))] = message
    return known


def _msgid(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _write_po(path: Path, catalog: Catalog) -> None:
    buf = io.BytesIO()
    # Files, not line numbers, so moving code does not touch every catalogue.
    write_po(
        buf,
        catalog,
        width=PO_WIDTH,
        ignore_obsolete=True,
        include_previous=True,
        include_lineno=False,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != buf.getvalue():
        path.write_bytes(buf.getvalue())


def compile_mo(po: Path, lang: str) -> None:
    """`pybabel compile`: the .mo next to the .po, without fuzzy entries."""
    buf = io.BytesIO()
    write_mo(buf, _read_po(po, lang), use_fuzzy=False)
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != buf.getvalue():
        mo.write_bytes(buf.getvalue())


def _new_catalogue(lang: str) -> Catalog:
    return Catalog(
        locale=lang,
        header_comment=HEADER,
        project="elearn",
        msgid_bugs_address="",
        last_translator="",
        language_team=lang,
        fuzzy=False,
    )


def _update_one(path: Path, lang: str, template: Catalog, known: dict[Key, Message]) -> None:
    catalog = _read_po(path, lang) if path.exists() else _new_catalogue(lang)
    catalog.update(template, update_creation_date=False)
    for message in catalog:
        borrowed = known.get((message.context, _msgid(message)))
        # An exact translation from another catalogue beats an empty or fuzzy-matched one.
        if message.id and (message.fuzzy or not translated(message)) and borrowed is not None:
            message.string = borrowed.string
            message.flags.discard("fuzzy")
            message.previous_id = []
    _write_po(path, catalog)
    compile_mo(path, lang)


def update(source_root: Path = SOURCE_ROOT) -> None:
    """`make translations`: every .po in step with the code (as `pybabel update`), then compiled.

    New messages arrive untranslated, changed ones fuzzy; a message that moves to another
    catalogue (because a second room starts using it) takes its translations along.
    """
    templates = extract(source_root)
    for lang in LANGUAGES:
        known = _known(lang, source_root)
        for scope in SCOPES:
            template = templates.get(scope, Catalog(project="elearn"))
            path = po_path(scope, lang, source_root)
            if len(template) or path.exists():
                _update_one(path, lang, template, known)


def _compiled(po: Path) -> dict[Key, object]:
    with po.with_suffix(".mo").open("rb") as f:
        return {(m.context, _msgid(m)): _strings(m) for m in read_mo(f) if m.id}


def _strings(message: Message) -> tuple[str, ...]:
    """The translation as a tuple, however Babel holds it (read_mo gives plurals as a list)."""
    text = message.string
    return (text,) if isinstance(text, str) else tuple(text)


def _scope_problems(path: Path, lang: str, template: Catalog, root: Path) -> list[str]:
    where = f"{path.relative_to(root)}"
    if not path.exists():
        return (
            [f"{where}: missing ({len(template)} messages to translate)"] if len(template) else []
        )
    catalog = _read_po(path, lang)
    have = {(m.context, _msgid(m)): m for m in catalog if m.id}
    wanted = {(m.context, _msgid(m)) for m in template if m.id}
    problems = [f"{where}: missing {key[1]!r}" for key in sorted(wanted - have.keys(), key=str)]
    problems += [
        f"{where}: not used any more {k[1]!r}" for k in sorted(have.keys() - wanted, key=str)
    ]
    for key, message in have.items():
        if message.fuzzy:
            problems.append(f"{where}: fuzzy {key[1]!r}")
        elif not translated(message):
            problems.append(f"{where}: untranslated {key[1]!r}")
    problems += [f"{where}: {m.id!r}: {err}" for m, errors in catalog.check() for err in errors]
    mo = path.with_suffix(".mo")
    expected = {k: _strings(m) for k, m in have.items() if not m.fuzzy and translated(m)}
    if not mo.exists() or _compiled(path) != expected:
        problems.append(f"{mo.relative_to(root)}: not compiled from the .po (make translations)")
    return problems


def problems(source_root: Path = SOURCE_ROOT) -> list[str]:
    """Everything that keeps the catalogues from matching the code, in every language."""
    templates = extract(source_root)
    found: list[str] = []
    for scope in SCOPES:
        template = templates.get(scope, Catalog(project="elearn"))
        for lang in LANGUAGES:
            found += _scope_problems(po_path(scope, lang, source_root), lang, template, source_root)
    return found


def counts(source_root: Path = SOURCE_ROOT) -> dict[str, int]:
    """Messages per catalogue, for the docs and the report."""
    templates = extract(source_root)
    return {scope: len(templates[scope]) if scope in templates else 0 for scope in SCOPES}


if __name__ == "__main__":  # python -m elearn.message_catalogues [update|check|count]
    import sys

    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    if command == "update":
        update()
    elif command == "count":
        for name, count in counts().items():
            print(f"{name}: {count}")
    found_problems = problems()
    print("\n".join(found_problems) or "catalogues complete: nb, nn, en")
    sys.exit(1 if found_problems and command == "check" else 0)
