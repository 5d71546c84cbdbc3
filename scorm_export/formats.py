"""The package formats, one class each: everything that differs between SCORM 1.2, SCORM 2004,
cmi5, xAPI and the offline bundle is here; the builder, the CLI and the download page all read
`FORMATS` and `get()`. Adding a format is adding a class to `REGISTRY`."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from scorm_export import manifests

_ID = re.compile(r"^[a-z][a-z0-9-]*$")
SCORM12_CHOICE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


class ExportError(ValueError):
    """The course cannot be exported as asked (unknown format, language, unsafe asset path…)."""


def _nodes(course: dict[str, Any]) -> Any:
    for scenario in course["scenarios"]:
        for node in scenario["nodes"].values():
            yield scenario, node


class PackageFormat:
    """What a package of this format carries beyond the shared runtime and course data."""

    name: ClassVar[str]
    trackers: ClassVar[tuple[str, ...]]  # tracking adapters, loaded in order before player.js
    schema_dir: ClassVar[str | None] = None  # scorm_export/schemas/<dir>, shipped in the zip
    manifest_name: ClassVar[str | None] = None

    def check(self, course: dict[str, Any]) -> None:
        """Refuse a course this format cannot report faithfully."""

    def manifest(
        self, course: dict[str, Any], lang: str, base: str, files: list[str], digest: str
    ) -> bytes:
        raise NotImplementedError


class Scorm12(PackageFormat):
    name = "scorm12"
    trackers = ("tracking-scorm12.js",)
    schema_dir = "scorm12"
    manifest_name = "imsmanifest.xml"

    def check(self, course: dict[str, Any]) -> None:
        """SCORM 1.2 reports a choice as one character, a-z then 0-9, by its place among the
        node's choices: a node may have at most 36."""
        for scenario, node in _nodes(course):
            choices = node.get("choices") or []
            if len(choices) > len(SCORM12_CHOICE_CHARS):
                raise ExportError(
                    f"node {scenario['id']}/{node['id']} has {len(choices)} choices: SCORM 1.2 "
                    f"can report at most {len(SCORM12_CHOICE_CHARS)} (a-z, 0-9)"
                )
        _check_choice_ids(course)

    def manifest(
        self, course: dict[str, Any], lang: str, base: str, files: list[str], digest: str
    ) -> bytes:
        return manifests.scorm12(course, lang, files, digest).encode()


class Scorm2004(PackageFormat):
    name = "scorm2004"
    trackers = ("tracking-scorm2004.js",)
    schema_dir = "scorm2004-4th"
    manifest_name = "imsmanifest.xml"

    def check(self, course: dict[str, Any]) -> None:
        _check_choice_ids(course)

    def manifest(
        self, course: dict[str, Any], lang: str, base: str, files: list[str], digest: str
    ) -> bytes:
        return manifests.scorm2004(course, lang, files, digest).encode()


class Cmi5(PackageFormat):
    name = "cmi5"
    trackers = ("xapi-common.js", "tracking-cmi5.js")
    manifest_name = "cmi5.xml"

    def manifest(
        self, course: dict[str, Any], lang: str, base: str, files: list[str], digest: str
    ) -> bytes:
        return manifests.cmi5(course, lang, base).encode()


class Xapi(PackageFormat):
    name = "xapi"
    trackers = ("xapi-common.js", "tracking-xapi.js")
    manifest_name = "tincan.xml"

    def manifest(
        self, course: dict[str, Any], lang: str, base: str, files: list[str], digest: str
    ) -> bytes:
        return manifests.tincan(course, lang, base).encode()


class OfflineHtml(PackageFormat):
    """For a facilitator without network: plays from file://, keeps progress in the browser."""

    name = "html"
    trackers = ("tracking-none.js",)


def _check_choice_ids(course: dict[str, Any]) -> None:
    """SCORM reports choice ids as identifiers: no spaces (the course validator's ids,
    [a-z][a-z0-9-]*, are fine)."""
    for scenario, node in _nodes(course):
        for choice in node.get("choices") or []:
            if not _ID.match(str(choice.get("id", ""))) or len(choice["id"]) > 250:
                raise ExportError(
                    f"choice id {choice.get('id')!r} (node {scenario['id']}/{node['id']}) "
                    "is not a SCORM identifier"
                )


# SCORM 1.2 first: every LMS takes it.
REGISTRY: dict[str, PackageFormat] = {
    f.name: f for f in (Scorm12(), Scorm2004(), Cmi5(), Xapi(), OfflineHtml())
}
FORMATS: tuple[str, ...] = tuple(REGISTRY)


def get(name: str) -> PackageFormat:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ExportError(f"unknown format {name!r}: choose one of {', '.join(FORMATS)}") from None
