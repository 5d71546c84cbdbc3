"""Interface strings: every message the code and templates use is translated, not fuzzy, in
bokmål, nynorsk and English; plurals agree with their number; the package player gets its
strings from the same catalogues; the learner's language is chosen as before."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from flask import Flask, g
from flask_babel import Babel, get_locale, refresh
from sqlalchemy.engine import Engine
from werkzeug.datastructures import LanguageAccept

from elearn import Elearn, message_catalogues
from elearn.content import load_course
from elearn.core.constants import LANGUAGES
from elearn.i18n import gettext, negotiate_language, ngettext
from scorm_export import build_package
from scorm_export.messages import PLURAL_RULES, player_msgids
from tests.conftest import PLAY_COURSE, ROOT, import_course

PLURALS = {  # msgid → language → (n=1, n=2)
    "%(num)s point": {
        "en": ("1 point", "2 points"),
        "nb": ("1 poeng", "2 poeng"),
        "nn": ("1 poeng", "2 poeng"),
    },
    "%(num)s minute": {
        "en": ("1 minute", "2 minutes"),
        "nb": ("1 minutt", "2 minutter"),
        "nn": ("1 minutt", "2 minutt"),
    },
    "Allow %(num)s minute.": {
        "en": ("Allow 1 minute.", "Allow 2 minutes."),
        "nb": ("Sett av 1 minutt.", "Sett av 2 minutter."),
        "nn": ("Set av 1 minutt.", "Set av 2 minutt."),
    },
    "%(done)s of %(num)s scenario finished": {
        "en": ("0 of 1 scenario finished", "0 of 2 scenarios finished"),
        "nb": ("0 av 1 scenario fullført", "0 av 2 scenarioer fullført"),
        "nn": ("0 av 1 scenario fullført", "0 av 2 scenario fullførte"),
    },
}
PLURAL_IDS = {
    "%(num)s point": "%(num)s points",
    "%(num)s minute": "%(num)s minutes",
    "Allow %(num)s minute.": "Allow %(num)s minutes.",
    "%(done)s of %(num)s scenario finished": "%(done)s of %(num)s scenarios finished",
}


def test_every_message_in_code_and_templates_is_translated_in_nb_nn_and_en() -> None:
    """`pybabel extract` (babel.cfg) against the committed catalogues: nothing missing, fuzzy,
    untranslated, left over, with wrong placeholders or uncompiled."""
    assert message_catalogues.problems() == []
    counts = message_catalogues.counts()
    assert sum(counts.values()) > 140 and counts["player"] and counts["package"]


def _copy_checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    ignore = shutil.ignore_patterns("__pycache__", "static", "*.css")
    for top in ("elearn", "scorm_export"):
        shutil.copytree(ROOT / top, root / top, ignore=ignore)
    shutil.copy(ROOT / "babel.cfg", root / "babel.cfg")
    return root


def test_a_new_or_fuzzy_message_fails_the_check_until_translated(tmp_path: Path) -> None:
    root = _copy_checkout(tmp_path)
    view = root / "elearn" / "player" / "views.py"
    view.write_text(view.read_text() + '\nNEW = gettext("A brand-new sentence.")\n')
    nn_po = message_catalogues.po_path("catalogue", "nn", root)
    with nn_po.open("rb") as f:
        catalog = read_po(f, locale="nn")
    catalog["Start the course"].flags.add("fuzzy")
    with nn_po.open("wb") as f:
        write_po(f, catalog, include_lineno=False)

    found = message_catalogues.problems(root)
    for lang in LANGUAGES:
        where = f"elearn/player/translations/{lang}/LC_MESSAGES/messages.po"
        assert f"{where}: missing 'A brand-new sentence.'" in found
    assert (
        "elearn/catalogue/translations/nn/LC_MESSAGES/messages.po: fuzzy 'Start the course'"
        in found
    )

    message_catalogues.update(root)  # make translations: the new message arrives empty
    found = message_catalogues.problems(root)
    assert any("untranslated 'A brand-new sentence.'" in p for p in found)
    assert any("fuzzy 'Start the course'" in p for p in found)


def test_a_message_a_second_room_starts_using_moves_to_the_shared_catalogue(
    tmp_path: Path,
) -> None:
    root = _copy_checkout(tmp_path)
    view = root / "elearn" / "export" / "views.py"
    view.write_text(view.read_text() + '\nUSED_HERE_TOO = N_("Start the course")\n')
    message_catalogues.update(root)
    for lang in LANGUAGES:
        with message_catalogues.po_path("elearn", lang, root).open("rb") as f:
            shared = read_po(f, locale=lang)
        assert shared["Start the course"].string  # moved with its translation
        with message_catalogues.po_path("catalogue", lang, root).open("rb") as f:
            assert "Start the course" not in read_po(f, locale=lang)
    assert message_catalogues.problems(root) == []


def test_nynorsk_is_not_a_copy_of_bokmal() -> None:
    nb, nn = {}, {}
    for scope in message_catalogues.SCOPES:
        for lang, into in (("nb", nb), ("nn", nn)):
            path = message_catalogues.po_path(scope, lang)
            if path.exists():
                with path.open("rb") as f:
                    into.update({m.id: m.string for m in read_po(f, locale=lang) if m.id})
    differing = [k for k in nb if nb[k] != nn[k]]
    assert len(differing) > len(nb) / 2


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plurals_agree_with_their_number(app: Flask, lang: str) -> None:
    with app.test_request_context("/"):
        g.elearn_lang = lang
        for singular, forms in PLURALS.items():
            one = ngettext(singular, PLURAL_IDS[singular], 1, done=0)
            two = ngettext(singular, PLURAL_IDS[singular], 2, done=0)
            assert (one, two) == forms[lang]


def _course_with_minutes(tmp_path: Path, minutes: int) -> Path:
    course = tmp_path / "one-minute"
    shutil.copytree(PLAY_COURSE, course)
    yaml = course / "course.yaml"
    yaml.write_text(
        re.sub(r"estimated_minutes: \d+", f"estimated_minutes: {minutes}", yaml.read_text())
    )
    return course


def test_the_course_page_says_1_minute_not_1_minutes(app: Flask, tmp_path: Path) -> None:
    import_course(app, _course_with_minutes(tmp_path, 1))
    client = app.test_client()
    expected = {"en": "1 minute<", "nb": "1 minutt<", "nn": "1 minutt<"}
    for lang, text in expected.items():
        page = client.get(f"/c/play-course?lang={lang}").get_data(as_text=True)
        assert text in page, lang
    assert "1 minutes" not in client.get("/c/play-course?lang=en").get_data(as_text=True)


def test_pages_speak_the_chosen_language(client) -> None:  # type: ignore[no-untyped-def]
    assert "Skip to content" in client.get("/?lang=en").get_data(as_text=True)
    assert "Hopp til innhaldet" in client.get("/?lang=nn").get_data(as_text=True)
    assert "Hopp til innholdet" in client.get("/?lang=nb").get_data(as_text=True)


def test_a_host_with_its_own_flask_babel_keeps_its_locale(db: Engine, tmp_path: Path) -> None:
    host = Flask("host", instance_path=str(tmp_path / "host-instance"))
    host.config.update(SECRET_KEY="host-secret", TESTING=True)
    Babel(host, locale_selector=lambda: "de")

    @host.get("/host-locale")
    def host_locale() -> str:
        return str(get_locale())

    Elearn(host, url_prefix="/kurs", engine=db)
    client = host.test_client()
    assert client.get("/host-locale").get_data(as_text=True) == "de"
    assert "Hopp til innhaldet" in client.get("/kurs/?lang=nn").get_data(as_text=True)
    assert client.get("/host-locale").get_data(as_text=True) == "de"


def _package_data(files: dict[str, bytes]) -> dict:  # type: ignore[type-arg]
    text = files["elearn/course.js"].decode()
    return json.loads(text.removeprefix("window.ELEARN_PACKAGE = ").removesuffix(";\n"))


def test_a_package_carries_the_players_strings_from_the_catalogues() -> None:
    course = load_course(PLAY_COURSE)
    zipped = build_package(
        course.compiled, course.assets, "html", "nb", activity_base="https://example.org/c"
    )
    with zipfile.ZipFile(BytesIO(zipped)) as zf:
        data = _package_data({n: zf.read(n) for n in zf.namelist()})
    messages = data["messages"]
    assert sorted(messages) == ["en", "nb", "nn"]  # the course's languages
    used = set(player_msgids())
    assert "Exit the course" in used and "A good outcome" in used and len(used) > 45
    for lang, table in messages.items():
        assert table["plural"] in PLURAL_RULES
        assert set(table["messages"]) == used, lang
    nn, en = messages["nn"]["messages"], messages["en"]["messages"]
    assert nn["Start the course"] == "Start kurset"
    assert en["%(num)s point"] == ["%(num)s point", "%(num)s points"]
    player_js = (ROOT / "scorm_export" / "runtime" / "player.js").read_text()
    assert all(f'"{rule}"' in player_js for rule in PLURAL_RULES)  # its PLURALS table knows them


def test_the_player_strings_load_without_flask() -> None:
    code = (
        "import sys; from scorm_export.messages import player_messages; "
        "player_messages(('nb', 'nn', 'en')); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_messages_are_english_text_with_python_placeholders(app: Flask) -> None:
    with app.test_request_context("/"):
        g.elearn_lang = "en"
        assert gettext("You need %(pct)s%% to pass.", pct=80) == "You need 80% to pass."
        g.elearn_lang = "nb"
        refresh()  # Flask-Babel caches the request's locale
        assert gettext("You need %(pct)s%% to pass.", pct=80) == "Du trenger 80 % for å bestå."


def test_language_negotiation_order() -> None:
    browser = LanguageAccept([("no", 1.0), ("en", 0.5)])
    assert negotiate_language("nn", "en", browser, "nb") == "nn"  # chosen here first
    assert negotiate_language(None, "en", browser, "nb") == "en"  # then the profile
    assert negotiate_language(None, None, browser, "en") == "nb"  # "no" means bokmål
    assert negotiate_language(None, None, LanguageAccept([("de", 1)]), "nn") == "nn"
