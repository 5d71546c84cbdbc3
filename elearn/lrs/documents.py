"""State, activity profile and agent profile documents (Communication 2.2, 2.3, 2.6, 2.7, 3.1).

Concurrency without locks: every change is a conditional UPDATE (`WHERE etag = <what the
writer saw>`) or an INSERT guarded by the unique `key_hash`, so of two writers that read the
same version, exactly one wins and the other gets 412 (with If-Match) or retries its merge
(POST): no update is ever lost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elearn.db import utcnow
from elearn.lrs.models import LrsDocument
from elearn.lrs.validation import Invalid, loads
from elearn.tracking.statements import actor_key

STATE = 1
ACTIVITY_PROFILE = 2
AGENT_PROFILE = 3
MERGE_RETRIES = 20


class PreconditionFailed(Exception):
    """412: If-Match / If-None-Match did not hold."""


class Conflict(Exception):
    """409: a PUT without a precondition on a profile that exists."""


class NotJson(ValueError):
    """400: a POST merge where either document is not a JSON object."""


class PreconditionRequired(ValueError):
    """400: a profile PUT without If-Match or If-None-Match (Communication 3.1.s3.b1)."""


# What a PUT without If-Match and If-None-Match gets (Communication 3.1):
OVERWRITE = 0  # xAPI 1.0.3 State: "will permit PUT ... without concurrency headers"
CONFLICT_IF_EXISTS = 1  # xAPI 2.0 State: 409 when the document exists, else created
REQUIRED = 2  # profiles: 409 when the document exists, 400 when it does not


@dataclass(frozen=True)
class Scope:
    """Which set of documents a request addresses (everything but the document id)."""

    kind: int
    organisation_id: int | None
    activity_id: str | None = None
    agent: dict[str, Any] | None = None
    registration: str | None = None

    @property
    def agent_key(self) -> str | None:
        return actor_key(self.agent) if self.agent is not None else None

    def _parts(self) -> list[str]:
        return [
            str(self.kind),
            str(self.organisation_id or ""),
            self.activity_id or "",
            self.agent_key or "",
            (self.registration or "").lower(),
        ]

    @property
    def scope_hash(self) -> str:
        return hashlib.sha256("\x1f".join(self._parts()).encode()).hexdigest()

    def key_hash(self, doc_id: str) -> str:
        return hashlib.sha256("\x1f".join([*self._parts(), doc_id]).encode()).hexdigest()


def etag_of(content: bytes) -> str:
    """Communication 3.1.s4.b2: the SHA-1 of the contents, lower-case hex."""
    return hashlib.sha1(content).hexdigest()


def _tags(header: str | None) -> list[str] | None:
    if header is None:
        return None
    return [t.strip().removeprefix("W/").strip('"') for t in header.split(",") if t.strip()]


def check_preconditions(
    doc: LrsDocument | None, if_match: str | None, if_none_match: str | None
) -> None:
    """RFC 2616 If-Match / If-None-Match against the current document (or its absence)."""
    match = _tags(if_match)
    if match is not None and (doc is None or ("*" not in match and doc.etag not in match)):
        raise PreconditionFailed(
            "If-Match does not match the document's current ETag"
            if doc
            else "If-Match was sent but the document does not exist"
        )
    none_match = _tags(if_none_match)
    if none_match is not None and doc is not None and ("*" in none_match or doc.etag in none_match):
        raise PreconditionFailed("If-None-Match: the document already exists")


def get_document(session: Session, scope: Scope, doc_id: str) -> LrsDocument | None:
    return session.scalar(select(LrsDocument).where(LrsDocument.key_hash == scope.key_hash(doc_id)))


def list_ids(
    session: Session, scope: Scope, since: dt.datetime | None
) -> tuple[list[str], dt.datetime | None]:
    """Ids in the scope (updated after `since`), and the latest update among them."""
    query = select(LrsDocument.doc_id, LrsDocument.updated).where(
        LrsDocument.scope_hash == scope.scope_hash
    )
    if since is not None:
        query = query.where(LrsDocument.updated > since)
    rows = session.execute(query.order_by(LrsDocument.updated, LrsDocument.id)).all()
    return [r.doc_id for r in rows], max((r.updated for r in rows), default=None)


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


def _json_object(content: bytes, what: str) -> dict[str, Any]:
    try:
        value = loads(content.decode("utf-8"), what)
    except UnicodeDecodeError as exc:
        raise NotJson(f"{what} is not UTF-8: {exc}") from exc
    except Invalid as exc:
        raise NotJson(str(exc)) from exc
    if not isinstance(value, dict):
        raise NotJson(f"{what} is JSON but not a JSON object, so it cannot be merged")
    return value


def _values(scope: Scope, doc_id: str, content: bytes, content_type: str) -> dict[str, Any]:
    return {
        "content": content,
        "content_type": content_type or "application/octet-stream",
        "etag": etag_of(content),
        "updated": utcnow(),
    }


def _insert(session: Session, scope: Scope, doc_id: str, content: bytes, content_type: str) -> bool:
    """Creates the document; False when someone else created it first."""
    values = _values(scope, doc_id, content, content_type) | {
        "kind": scope.kind,
        "key_hash": scope.key_hash(doc_id),
        "scope_hash": scope.scope_hash,
        "doc_id": doc_id,
        "activity_id": scope.activity_id,
        "agent_key": (scope.agent_key or "")[:255] or None,
        "registration": scope.registration.lower() if scope.registration else None,
        "organisation_id": scope.organisation_id,
    }
    try:
        with session.begin_nested():
            session.execute(insert(LrsDocument).values(**values))
    except IntegrityError:
        return False
    return True


def _replace(
    session: Session, doc: LrsDocument, content: bytes, content_type: str, scope: Scope, doc_id: str
) -> bool:
    """Replaces exactly the version `doc` holds; False when it changed underneath."""
    result = session.execute(
        update(LrsDocument)
        .where(LrsDocument.id == doc.id, LrsDocument.etag == doc.etag)
        .values(**_values(scope, doc_id, content, content_type))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def put_document(
    session: Session,
    scope: Scope,
    doc_id: str,
    content: bytes,
    content_type: str,
    *,
    if_match: str | None,
    if_none_match: str | None,
    without_precondition: int = OVERWRITE,
) -> None:
    """PUT: store or replace; `without_precondition` says what a PUT without If-Match and
    If-None-Match gets (OVERWRITE, CONFLICT_IF_EXISTS or REQUIRED)."""
    unconditional = if_match is None and if_none_match is None
    for _ in range(MERGE_RETRIES):
        doc = get_document(session, scope, doc_id)
        check_preconditions(doc, if_match, if_none_match)
        if unconditional and without_precondition != OVERWRITE:
            _check_unconditional(doc, without_precondition)
        if doc is None:
            if _insert(session, scope, doc_id, content, content_type):
                return
            continue  # created meanwhile: look again, the preconditions decide
        if _replace(session, doc, content, content_type, scope, doc_id):
            return
        if if_match is not None:
            raise PreconditionFailed("If-Match does not match: the document changed meanwhile")
        session.expire_all()
    raise PreconditionFailed("the document kept changing; try again")


def _check_unconditional(doc: LrsDocument | None, rule: int) -> None:
    if doc is not None:
        raise Conflict(
            "the document exists: GET it to check its current state, then PUT again with "
            'If-Match: "<its ETag>" (or If-None-Match: * to create only if absent)'
        )
    if rule == REQUIRED:
        raise PreconditionRequired(
            "a PUT to a profile resource must send If-Match (to replace the version it read) or "
            "If-None-Match: * (to create it only if absent) (Communication 3.1.s3.b1)"
        )


def post_document(
    session: Session,
    scope: Scope,
    doc_id: str,
    content: bytes,
    content_type: str,
    *,
    if_match: str | None,
    if_none_match: str | None,
) -> None:
    """POST: merge the posted JSON object's top-level properties into the stored one (2.2.s7)."""
    if not _is_json(content_type):
        raise NotJson("a POST to a document resource must be application/json (it is merged)")
    posted = _json_object(content, "the posted document")
    for _ in range(MERGE_RETRIES):
        doc = get_document(session, scope, doc_id)
        check_preconditions(doc, if_match, if_none_match)
        if doc is None:
            if _insert(session, scope, doc_id, content, "application/json"):
                return
            continue
        if not _is_json(doc.content_type):
            raise NotJson("the stored document is not application/json, so it cannot be merged")
        merged = _json_object(doc.content, "the stored document") | posted
        body = json.dumps(merged, ensure_ascii=False, separators=(",", ":")).encode()
        if _replace(session, doc, body, "application/json", scope, doc_id):
            return
        if if_match is not None:
            raise PreconditionFailed("If-Match does not match: the document changed meanwhile")
        session.expire_all()  # someone merged first: merge into their version
    raise PreconditionFailed("the document kept changing; try again")


def delete_document(
    session: Session, scope: Scope, doc_id: str, *, if_match: str | None, if_none_match: str | None
) -> bool:
    doc = get_document(session, scope, doc_id)
    check_preconditions(doc, if_match, if_none_match)
    if doc is None:
        return False
    query = delete(LrsDocument).where(LrsDocument.id == doc.id)
    if if_match is not None:
        query = query.where(LrsDocument.etag == doc.etag)
    if session.execute(query).rowcount != 1 and if_match is not None:
        raise PreconditionFailed("If-Match does not match: the document changed meanwhile")
    return True


def delete_all(session: Session, scope: Scope) -> int:
    return session.execute(
        delete(LrsDocument).where(LrsDocument.scope_hash == scope.scope_hash)
    ).rowcount


def count_documents(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(LrsDocument)) or 0
