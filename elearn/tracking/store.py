"""The statement store: the one place statements are written, inside the caller's transaction.

Both the player (a learner's step) and the LRS (a client's PUT or POST) call `add_statements`,
so what a learner does in the browser and what a package reports land in one table and are
queried the same way. The caller commits: a learner's step and its statements are saved
together or not at all.

Writes are append-only: a statement row, its `StatementKey` rows and (when forwarding is on)
an outbox row. No shared row (a canonical verb or activity) is touched per statement, so two
clients posting batches at once cannot deadlock each other. The only updates are to the rows
a voiding statement voids, and to the keys of StatementRefs that arrived before their target.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from elearn.db import utcnow
from elearn.tracking.compare import same_statement
from elearn.tracking.keys import statement_keys
from elearn.tracking.models import OutboxEntry, StatementKey, StoredStatement
from elearn.tracking.statements import actor_key

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
STATEMENT_VERSION = "1.0.0"


class LearnersOrganisation:
    """Marker: the statements are the platform's own; each belongs to its learner's organisation."""


LEARNERS_ORGANISATION = LearnersOrganisation()


class StatementConflict(Exception):
    """A statement id the store already holds, with different content (409)."""


class DuplicateInBatch(ValueError):
    """Two statements in one batch share an id (400, Communication 2.1.2)."""


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds") + "Z"


def parse_ts(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def _normalise(body: dict[str, Any]) -> None:
    """What the LRS returns differently from what it received (Data 2.4.6.2.s4.b3)."""
    for part in (body, body.get("object") or {}):
        activities = (part.get("context") or {}).get("contextActivities")
        if isinstance(activities, dict):
            for name, value in list(activities.items()):
                if not isinstance(value, list):
                    activities[name] = [value]


def _learner_organisations(session: Session, bodies: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Platform statements name learners by pseudonym (account.name = User.xapi_id)."""
    from elearn.accounts.models import User

    names = {(b.get("actor") or {}).get("account", {}).get("name") for b in bodies}
    names.discard(None)
    if not names:
        return {}
    rows = session.execute(
        select(User.xapi_id, User.organisation_id).where(
            User.xapi_id.in_(names), User.organisation_id.is_not(None)
        )
    )
    return {name: org for name, org in rows}


def add_statements(
    session: Session,
    statements: list[dict[str, Any]],
    *,
    authority: dict[str, Any],
    forward: bool,
    client_id: int | None = None,
    organisation_id: int | LearnersOrganisation | None = LEARNERS_ORGANISATION,
) -> list[str]:
    """Stage statements in the session; returns their ids in the order given.

    A statement whose id is already stored with the same content is not stored again (its id
    is returned, nothing changes); with different content it raises `StatementConflict`.
    `stored`, `authority`, a missing `id`, `timestamp` and `version` are set here.
    """
    now = utcnow()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as precise as `stored` says
    stored = iso(now)
    bodies: list[dict[str, Any]] = []
    originals: dict[str, dict[str, Any]] = {}  # as sent: what immutability compares
    seen: set[str] = set()
    for original in statements:
        body = dict(original)
        body.setdefault("id", str(uuid.uuid4()))
        lid = body["id"].lower()
        if lid in seen:
            raise DuplicateInBatch(f"statement id {body['id']} appears more than once in the batch")
        seen.add(lid)
        originals[lid] = original
        body["stored"] = stored
        body["authority"] = authority
        body.setdefault("timestamp", stored)
        body.setdefault("version", STATEMENT_VERSION)
        _normalise(body)
        bodies.append(body)
    ids = [b["id"] for b in bodies]

    existing = dict(
        session.execute(
            select(StoredStatement.id, StoredStatement.body).where(StoredStatement.id.in_(seen))
        ).all()
    )
    for body in bodies:
        old = existing.get(body["id"].lower())
        if old is not None and not same_statement(old, originals[body["id"].lower()]):
            raise StatementConflict(
                f"statement {body['id']} is already stored with different content; "
                "statements are immutable (send it under a new id)"
            )
    new = [b for b in bodies if b["id"].lower() not in existing]
    if not new:
        return ids

    if isinstance(organisation_id, LearnersOrganisation):
        organisations = _learner_organisations(session, new)
    new_ids = {b["id"].lower() for b in new}
    refs = {
        b["id"].lower(): b["object"]["id"].lower()
        for b in new
        if (b.get("object") or {}).get("objectType") == "StatementRef"
    }
    voiding = {
        sid for sid, body in ((b["id"].lower(), b) for b in new) if body["verb"]["id"] == VOIDED
    }
    # Statements already stored that void one of the new ones (the voiding arrived first).
    voided_later = set(
        session.scalars(
            select(StoredStatement.object_ref).where(
                StoredStatement.object_ref.in_(new_ids), StoredStatement.verb_id == VOIDED
            )
        )
    )
    voided_now = {refs[sid] for sid in voiding} | voided_later

    rows = []
    for body in new:
        sid = body["id"].lower()
        obj = body.get("object") or {}
        org = (
            organisations.get((body.get("actor") or {}).get("account", {}).get("name"))
            if isinstance(organisation_id, LearnersOrganisation)
            else organisation_id
        )
        row = StoredStatement(
            id=sid,
            registration=((body.get("context") or {}).get("registration") or "").lower() or None,
            actor_key=actor_key(body["actor"])[:255],
            verb_id=body["verb"]["id"][:255],
            activity_id=obj.get("id", "")[:512] or None
            if obj.get("objectType", "Activity") == "Activity"
            else None,
            timestamp=parse_ts(body["timestamp"]),
            stored=now,
            voided=sid in voided_now and sid not in voiding,
            object_ref=refs.get(sid),
            client_id=client_id,
            organisation_id=org,
            body=body,
        )
        session.add(row)
        rows.append(row)
    session.flush()  # assigns seq in insertion order (the outbox and the keys refer to it)

    own = keys_with_targets(session, {row.id: row.body for row in rows})
    key_rows = [
        {"seq": row.seq, "kind": kind, "key": key, "stored": now}
        for row in rows
        for kind, key in own[row.id]
    ]
    if key_rows:
        session.execute(insert(StatementKey), key_rows)
    late = _keys_for_earlier_refs(session, new_ids, own)
    if late:
        _insert_ignoring_duplicates(session, late)

    targets = {refs[sid] for sid in voiding} - new_ids
    if targets:
        session.execute(
            update(StoredStatement)
            .where(StoredStatement.id.in_(targets), StoredStatement.verb_id != VOIDED)
            .values(voided=True)
        )
    if forward:
        for row in rows:
            session.add(OutboxEntry(statement_id=row.id))
    return ids


def keys_with_targets(
    session: Session, bodies: dict[str, dict[str, Any]]
) -> dict[str, set[tuple[int, int]]]:
    """Each statement's keys including those it inherits through StatementRef objects: a
    statement that targets another matches every filter its target matches (Communication
    2.1.3.s3), recursively. Targets are looked up by id (in `bodies` or stored)."""
    known = dict(bodies)
    missing = {_ref(b) for b in bodies.values()} - {None} - set(known)
    for _ in range(10):  # chains deeper than this are not followed
        if not missing:
            break
        found = dict(
            session.execute(
                select(StoredStatement.id, StoredStatement.body).where(
                    StoredStatement.id.in_(missing)
                )
            ).all()
        )
        known.update(found)
        missing = {_ref(b) for b in found.values()} - {None} - set(known)
    out = {}
    for sid in bodies:
        keys: set[tuple[int, int]] = set()
        current, hops = sid, 0
        while current in known and hops < 11:
            keys |= statement_keys(known[current])
            current, hops = _ref(known[current]), hops + 1
        out[sid] = keys
    return out


def _ref(body: dict[str, Any]) -> str | None:
    obj = body.get("object") or {}
    return obj["id"].lower() if obj.get("objectType") == "StatementRef" else None


def _keys_for_earlier_refs(
    session: Session, new_ids: set[str], own: dict[str, set[tuple[int, int]]]
) -> list[dict[str, Any]]:
    """StatementRefs stored before their target now match what the target matches."""
    rows = session.execute(
        select(StoredStatement.seq, StoredStatement.stored, StoredStatement.object_ref).where(
            StoredStatement.object_ref.in_(new_ids), StoredStatement.id.not_in(new_ids)
        )
    ).all()
    return [
        {"seq": seq, "kind": kind, "key": key, "stored": stored}
        for seq, stored, target in rows
        for kind, key in own.get(target, set())
    ]


def _insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    session.execute(dialect_insert(StatementKey).on_conflict_do_nothing(), rows)


def delete_statements(session: Session, where: Any) -> int:
    """Deletes the statements matching `where` with their key rows and outbox entries.

    Key rows have no foreign key (see `StatementKey`), so they are found the way they were
    made: from each statement's body and the targets it refers to.
    """
    rows = session.execute(
        select(
            StoredStatement.seq, StoredStatement.id, StoredStatement.stored, StoredStatement.body
        ).where(where)
    ).all()
    if not rows:
        return 0
    keys = keys_with_targets(session, {r.id: r.body for r in rows})
    doomed = [
        {"k": kind, "h": key, "s": r.stored, "q": r.seq} for r in rows for kind, key in keys[r.id]
    ]
    if doomed:
        table = StatementKey.__table__
        session.connection().execute(
            delete(table)
            .where(
                table.c.kind == bindparam("k"),
                table.c.key == bindparam("h"),
                table.c.stored == bindparam("s"),
                table.c.seq == bindparam("q"),
            )
            .execution_options(synchronize_session=False),
            doomed,
        )
    ids = [r.id for r in rows]
    session.execute(delete(OutboxEntry).where(OutboxEntry.statement_id.in_(ids)))
    session.execute(delete(StoredStatement).where(StoredStatement.seq.in_([r.seq for r in rows])))
    return len(rows)
