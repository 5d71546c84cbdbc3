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

from sqlalchemy import insert, select, update
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

    own = {row.id: statement_keys(row.body) for row in rows}
    inherited = _inherited_keys(session, rows, refs, own)
    key_rows = [
        {"seq": row.seq, "kind": kind, "key": key, "stored": now}
        for row in rows
        for kind, key in own[row.id] | inherited.get(row.id, set())
    ]
    key_rows += _keys_for_earlier_refs(session, new_ids, own)
    if key_rows:
        session.execute(insert(StatementKey), key_rows)

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


def _inherited_keys(
    session: Session,
    rows: list[StoredStatement],
    refs: dict[str, str],
    own: dict[str, set[tuple[int, int]]],
) -> dict[str, set[tuple[int, int]]]:
    """A statement that targets another (StatementRef object) matches every filter its target
    matches (Communication 2.1.3.s3). Targets already stored lend their key rows, which include
    what they inherited themselves, so chains work when statements arrive in order."""
    wanted = {target for sid, target in refs.items() if target not in own}
    stored_keys: dict[str, set[tuple[int, int]]] = {}
    if wanted:
        for sid, kind, key in session.execute(
            select(StoredStatement.id, StatementKey.kind, StatementKey.key)
            .join(StatementKey, StatementKey.seq == StoredStatement.seq)
            .where(StoredStatement.id.in_(wanted))
        ):
            stored_keys.setdefault(sid, set()).add((kind, key))
    out: dict[str, set[tuple[int, int]]] = {}
    for row in rows:  # in batch order: a ref to an earlier statement of the batch sees its keys
        target = refs.get(row.id)
        if target is None:
            continue
        keys = stored_keys.get(target) or (own.get(target, set()) | out.get(target, set()))
        out[row.id] = set(keys)
    return out


def _keys_for_earlier_refs(
    session: Session, new_ids: set[str], own: dict[str, set[tuple[int, int]]]
) -> list[dict[str, Any]]:
    """StatementRefs stored before their target now match what the target matches."""
    rows = session.execute(
        select(StoredStatement.seq, StoredStatement.stored, StoredStatement.object_ref).where(
            StoredStatement.object_ref.in_(new_ids), StoredStatement.id.not_in(new_ids)
        )
    ).all()
    if not rows:
        return []
    have = {
        (seq, kind, key)
        for seq, kind, key in session.execute(
            select(StatementKey.seq, StatementKey.kind, StatementKey.key).where(
                StatementKey.seq.in_([r.seq for r in rows])
            )
        )
    }
    out = []
    for seq, stored, target in rows:
        for kind, key in own.get(target, set()):
            if (seq, kind, key) not in have:
                out.append({"seq": seq, "kind": kind, "key": key, "stored": stored})
    return out
