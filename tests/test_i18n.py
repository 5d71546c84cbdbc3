"""Every interface text exists in bokmål, nynorsk and English, and every key used exists."""

from __future__ import annotations

import re
from pathlib import Path

from elearn.i18n import TEXTS, negotiate_language

TEMPLATES = Path(__file__).resolve().parent.parent / "elearn"


def test_every_text_has_all_three_languages() -> None:
    missing = {k: set(("nb", "nn", "en")) - set(v) for k, v in TEXTS.items()}
    assert not {k: v for k, v in missing.items() if v}
    empty = [k for k, v in TEXTS.items() if any(not s.strip() for s in v.values())]
    assert not empty


def test_every_key_the_templates_and_code_use_exists() -> None:
    used: set[str] = set()
    for path in TEMPLATES.rglob("*"):
        if path.suffix in {".html", ".py"}:
            text = path.read_text()
            used |= set(re.findall(r"""_\(['"]([a-z_.]+)['"]""", text))
            used |= set(re.findall(r"""translate\(\s*['"]([a-z_.]+)['"]""", text))
            used |= set(re.findall(r'''"(err\.[a-z_]+)"''', text))
    assert used, "the scan found no keys at all"
    prefixes = {k for k in used if k.endswith(".")}  # _('audience.' ~ a): one key per value
    assert sorted(used - prefixes - set(TEXTS)) == []
    from elearn.core.constants import AUDIENCES

    assert {f"audience.{a}" for a in AUDIENCES} <= set(TEXTS)
    assert {f"outcome.{o}" for o in ("good", "mixed", "poor")} <= set(TEXTS)


def test_nynorsk_is_not_a_copy_of_bokmal() -> None:
    differing = [k for k, v in TEXTS.items() if v["nb"] != v["nn"]]
    assert len(differing) > len(TEXTS) / 2


def test_language_negotiation_order() -> None:
    from werkzeug.datastructures import LanguageAccept

    browser = LanguageAccept([("no", 1.0), ("en", 0.5)])
    assert negotiate_language("nn", "en", browser, "nb") == "nn"  # chosen here first
    assert negotiate_language(None, "en", browser, "nb") == "en"  # then the profile
    assert negotiate_language(None, None, browser, "en") == "nb"  # "no" means bokmål
    assert negotiate_language(None, None, LanguageAccept([("de", 1)]), "nn") == "nn"
