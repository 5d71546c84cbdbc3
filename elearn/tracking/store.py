"""The statement store: the one place statements are written, inside the caller's transaction.

Both the player (a learner's step) and the LRS (a client's PUT or POST) call `add_statements`,
so what a learner does in the browser and what a package reports land in one table and are
queried the same way. The caller commits: a learner's step and its statements are saved
together or not at all.

Writes are append-only: a statement row, its `StatementKey` rows and (when forwarding is on)
an outbox row. No shared row (a canonical verb or activity) is touched per statement, so two
clients posting batches at once cannot deadlock each other. The only updates are to the rows
a voiding statement voids, and to the keys of StatementRefs that arrived before their target.

Everything a statement refers to by id (the statement an id conflicts with, the target of a
voiding statement or a StatementRef) is looked up only among the statements its writer could
read (`Scope`): one organisation can neither void, nor match through, nor learn of the
existence of another organisation's statements.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.orm import Session

from elearn.db import utcnow
from elearn.lrs.models import LrsClient
from elearn.tracking.compare import same_statement
from elearn.tracking.keys import attachment_data_key, statement_keys
from elearn.tracking.models import RESPONSE_LENGTH, OutboxEntry, StatementKey, StoredStatement
from elearn.tracking.statements import actor_key

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
STATEMENT_VERSION = "1.0.0"
READ_ALL_SCOPES = {"all", "all/read", "statements/read"}
REF_DEPTH = 10  # StatementRef chains deeper than this are not followed


class StatementConflict(Exception):
    """A statement id the store already holds, with different content (409)."""


class DuplicateInBatch(ValueError):
    """Two statements in one batch share an id (400, Communication 2.1.2)."""


@dataclass(frozen=True)
class Scope:
    """The statements a writer could read: its organisation's (all of them when None), and
    only its own when it may read nothing else (`client_id` set)."""

    organisation_id: int | None = None
    client_id: int | None = None

    def where(self, query: Any) -> Any:
        s = StoredStatement
        if self.organisation_id is not None:
            query = query.where(s.organisation_id == self.organisation_id)
        if self.client_id is not None:
            query = query.where(s.client_id == self.client_id)
        return query

    def sees(self, organisation_id: int | None, client_id: int | None) -> bool:
        return (self.organisation_id is None or self.organisation_id == organisation_id) and (
            self.client_id is None or self.client_id == client_id
        )

    def row_id(self, statement_id: str) -> str:
        """The row id a statement of this scope gets when its id is taken outside the scope.

        Statement ids are unique per scope, not across organisations: a client reusing another
        organisation's id stores its statement under this derived row id (the body keeps the
        id the client sent), so the answer is the same as for a fresh id.
        """
        seed = f"elearn-scope:{self.organisation_id}:{self.client_id}:{statement_id.lower()}"
        h = hashlib.sha256(seed.encode()).hexdigest()
        variant = "89ab"[int(h[16], 16) & 3]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"

    def candidates(self, statement_ids: Iterable[str]) -> set[str]:
        """Every row id under which a statement of this scope with one of these ids can be."""
        ids = {i.lower() for i in statement_ids}
        return ids | {self.row_id(i) for i in ids}


EVERYTHING = Scope()


def scope_of_client(
    organisation_id: int | None, client_id: int | None, scopes: Iterable[str] | None
) -> Scope:
    """What a client with these xAPI scopes reads (None scopes: the platform, reads all)."""
    own_only = scopes is not None and not (set(scopes) & READ_ALL_SCOPES)
    return Scope(organisation_id, client_id if own_only else None)


@dataclass
class _Batch:
    """One call's statements as they will be stored, and what the store found out about them."""

    bodies: list[dict[str, Any]]
    originals: dict[str, dict[str, Any]]  # by lower-case id, as sent: what immutability compares
    row_ids: dict[str, str] = field(default_factory=dict)  # statement id -> row id

    @property
    def ids(self) -> list[str]:
        return [b["id"] for b in self.bodies]


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


def _prepare(
    statements: list[dict[str, Any]], authority: dict[str, Any], stored: str, version: str
) -> _Batch:
    """Sets what the LRS sets (`stored`, `authority`, `id`, `timestamp`, `version`)."""
    bodies: list[dict[str, Any]] = []
    originals: dict[str, dict[str, Any]] = {}
    for original in statements:
        body = dict(original)
        body.setdefault("id", str(uuid.uuid4()))
        lid = body["id"].lower()
        if lid in originals:
            raise DuplicateInBatch(f"statement id {body['id']} appears more than once in the batch")
        originals[lid] = original
        body["stored"] = stored
        body["authority"] = authority
        body.setdefault("timestamp", stored)
        body.setdefault("version", version)
        _normalise(body)
        bodies.append(body)
    return _Batch(bodies, originals)


def _resolve_ids(session: Session, batch: _Batch, scope: Scope) -> list[dict[str, Any]]:
    """The statements not stored yet, each with its row id; raises on a changed resend.

    A resent id is compared only with the statement this scope stored under it; an id taken
    outside the scope is as good as fresh (its statement gets the scope's derived row id).
    """
    derived = {sid: scope.row_id(sid) for sid in batch.originals}
    rows = session.execute(
        select(
            StoredStatement.id,
            StoredStatement.organisation_id,
            StoredStatement.client_id,
            StoredStatement.body,
        ).where(StoredStatement.id.in_([*derived, *derived.values()]))
    ).all()
    taken = {r.id: r for r in rows}
    new = []
    for body in batch.bodies:
        sid = body["id"].lower()
        mine = [
            taken[rid]
            for rid in (sid, derived[sid])
            if rid in taken and scope.sees(taken[rid].organisation_id, taken[rid].client_id)
        ]
        if mine:
            if not same_statement(mine[0].body, batch.originals[sid]):
                raise StatementConflict(
                    f"statement {body['id']} is already stored with different content; "
                    "statements are immutable (send it under a new id)"
                )
            continue
        if sid in taken and derived[sid] in taken:
            raise StatementConflict(f"statement id {body['id']} cannot be stored here")
        batch.row_ids[sid] = derived[sid] if sid in taken else sid
        new.append(body)
    return new


def _ref(body: dict[str, Any]) -> str | None:
    obj = body.get("object") or {}
    return obj["id"].lower() if obj.get("objectType") == "StatementRef" else None


def _voided_by_earlier(
    session: Session, new: list[dict[str, Any]], organisation_id: int | None, client_id: int | None
) -> set[str]:
    """Ids of new statements that a voiding statement stored earlier voids (it came first):
    only where that voiding statement's client could read the new one."""
    rows = session.execute(
        select(
            StoredStatement.object_ref,
            StoredStatement.organisation_id,
            StoredStatement.client_id,
            LrsClient.scopes,
        )
        .outerjoin(LrsClient, LrsClient.id == StoredStatement.client_id)
        .where(
            StoredStatement.object_ref.in_({b["id"].lower() for b in new}),
            StoredStatement.verb_id == VOIDED,
        )
    ).all()
    out = set()
    for target, voider_org, voider_client, scopes in rows:
        voider = scope_of_client(
            voider_org, voider_client, scopes.split() if voider_client is not None else None
        )
        if voider.sees(organisation_id, client_id):
            out.add(target)
    return out


def _build_rows(
    batch: _Batch,
    new: list[dict[str, Any]],
    voided: set[str],
    *,
    now: dt.datetime,
    client_id: int | None,
    organisation_id: int | None,
) -> list[StoredStatement]:
    rows = []
    for body in new:
        sid = body["id"].lower()
        obj = body.get("object") or {}
        is_activity = obj.get("objectType", "Activity") == "Activity"
        rows.append(
            StoredStatement(
                id=batch.row_ids[sid],
                registration=((body.get("context") or {}).get("registration") or "").lower()
                or None,
                actor_key=actor_key(body["actor"])[:255],
                verb_id=body["verb"]["id"][:255],
                activity_id=(obj.get("id", "")[:512] or None) if is_activity else None,
                timestamp=parse_ts(body["timestamp"]),
                stored=now,
                voided=sid in voided and body["verb"]["id"] != VOIDED,
                object_ref=_ref(body),
                client_id=client_id,
                organisation_id=organisation_id,
                body=body,
                response=response_of(body),
            )
        )
    return rows


def response_of(body: dict[str, Any]) -> str | None:
    """The `response` column: result.response as text, cut to the column's length."""
    response = (body.get("result") or {}).get("response")
    return None if response is None else str(response)[:RESPONSE_LENGTH]


def attachment_hashes(body: dict[str, Any]) -> set[str]:
    """The SHA-2 of every attachment of the statement and of its SubStatement."""
    obj = body.get("object") or {}
    items = list(body.get("attachments") or [])
    if obj.get("objectType") == "SubStatement":
        items += obj.get("attachments") or []
    return {a["sha2"].lower() for a in items if isinstance(a, dict) and "sha2" in a}


def _write_keys(
    session: Session,
    rows: list[StoredStatement],
    scope: Scope,
    now: dt.datetime,
    attachment_data: set[str],
) -> None:
    """Each row's own keys, those it inherits through StatementRefs, the attachment data it
    brought, and the keys earlier StatementRefs to it inherit now that it is here."""
    by_id = {row.body["id"].lower(): row for row in rows}
    own = keys_with_targets(session, {sid: row.body for sid, row in by_id.items()}, scope)
    for sid, row in by_id.items():
        own[sid] = own[sid] | {
            attachment_data_key(sha) for sha in attachment_hashes(row.body) & attachment_data
        }
    key_rows = [
        {"seq": row.seq, "kind": kind, "key": key, "stored": now}
        for sid, row in by_id.items()
        for kind, key in own[sid]
    ]
    if key_rows:
        _insert_keys(session, key_rows)
    late = _keys_for_earlier_refs(session, rows, own)
    if late:
        _insert_ignoring_duplicates(session, late)


def _void_targets(session: Session, new: list[dict[str, Any]], scope: Scope) -> None:
    """Marks the statements the new voiding statements target, within the writer's scope."""
    targets = {_ref(b) for b in new if b["verb"]["id"] == VOIDED} - {None}
    targets -= {b["id"].lower() for b in new}
    if not targets:
        return
    query = (
        update(StoredStatement)
        .where(
            StoredStatement.id.in_(scope.candidates(t for t in targets if t)),
            StoredStatement.verb_id != VOIDED,
        )
        .values(voided=True)
        .execution_options(synchronize_session=False)
    )
    session.execute(scope.where(query))


def add_statements(
    session: Session,
    statements: list[dict[str, Any]],
    *,
    authority: dict[str, Any],
    forward: bool,
    client_id: int | None = None,
    organisation_id: int | None = None,
    scope: Scope | None = None,
    version: str = STATEMENT_VERSION,
    attachment_data: Iterable[str] = (),
) -> list[str]:
    """Stage statements in the session; returns their ids in the order given.

    `organisation_id` is whose statements these are (the caller knows: the learner's or the
    client's organisation). `scope` is what the writer could read (default: its organisation):
    ids, voiding and StatementRefs are resolved within it. A statement whose id is already
    stored in the scope with the same content is not stored again (its id is returned, nothing
    changes); with different content it raises `StatementConflict`. `stored`, `authority`, a
    missing `id`, `timestamp` and `version` are set here. `attachment_data` are the SHA-2 of
    the attachment data that came with the statements: who may read it later.
    """
    scope = scope or Scope(organisation_id)
    now = utcnow()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as precise as `stored` says
    batch = _prepare(statements, authority, iso(now), version)
    new = _resolve_ids(session, batch, scope)
    if not new:
        return batch.ids
    voiding = {_ref(b) for b in new if b["verb"]["id"] == VOIDED} - {None}
    voided = voiding | _voided_by_earlier(session, new, organisation_id, client_id)
    rows = _build_rows(
        batch, new, voided, now=now, client_id=client_id, organisation_id=organisation_id
    )
    session.add_all(rows)
    session.flush()  # assigns seq in insertion order (the outbox and the keys refer to it)
    _write_keys(session, rows, scope, now, {sha.lower() for sha in attachment_data})
    _void_targets(session, new, scope)
    if forward:
        session.add_all([OutboxEntry(statement_id=row.id) for row in rows])
    return batch.ids


def _lookup(session: Session, ids: set[str], scope: Scope) -> dict[str, dict[str, Any]]:
    """Statements by the id in their body, among those the scope sees."""
    query = select(StoredStatement.body).where(StoredStatement.id.in_(scope.candidates(ids)))
    found = {}
    for (body,) in session.execute(scope.where(query)):
        found[body["id"].lower()] = body
    return {k: v for k, v in found.items() if k in ids}


def keys_with_targets(
    session: Session, bodies: dict[str, dict[str, Any]], scope: Scope = EVERYTHING
) -> dict[str, set[tuple[int, int]]]:
    """Each statement's keys including those it inherits through StatementRef objects: a
    statement that targets another matches every filter its target matches (Communication
    2.1.3.s3), recursively. Targets are looked up by id (in `bodies` or stored, within
    `scope`: a reference to a statement its writer cannot read matches nothing through it)."""
    known = dict(bodies)
    missing = {_ref(b) for b in bodies.values()} - {None} - set(known)
    for _ in range(REF_DEPTH):
        if not missing:
            break
        found = _lookup(session, {m for m in missing if m}, scope)
        known.update(found)
        missing = {_ref(b) for b in found.values()} - {None} - set(known)
    out = {}
    for sid in bodies:
        keys: set[tuple[int, int]] = set()
        current: str | None = sid
        hops = 0
        while current in known and hops <= REF_DEPTH:
            keys |= statement_keys(known[current])
            current, hops = _ref(known[current]), hops + 1
        out[sid] = keys
    return out


def _keys_for_earlier_refs(
    session: Session, rows: list[StoredStatement], own: dict[str, set[tuple[int, int]]]
) -> list[dict[str, Any]]:
    """StatementRefs stored before their target now match what the target matches, when
    the referring statement's organisation could read the target."""
    by_id = {row.body["id"].lower(): row for row in rows}
    earlier = session.execute(
        select(
            StoredStatement.seq,
            StoredStatement.stored,
            StoredStatement.object_ref,
            StoredStatement.organisation_id,
        ).where(
            StoredStatement.object_ref.in_(by_id),
            StoredStatement.seq.not_in([row.seq for row in rows]),
        )
    ).all()
    return [
        {"seq": seq, "kind": kind, "key": key, "stored": stored}
        for seq, stored, target, organisation_id in earlier
        if Scope(organisation_id).sees(by_id[target].organisation_id, None)
        for kind, key in own.get(target, set())
    ]


UNNEST_KEYS = text(
    "INSERT INTO elearn_statement_keys (seq, kind, key, stored) "
    "SELECT * FROM unnest(CAST(:seq AS integer[]), CAST(:kind AS smallint[]), "
    "CAST(:key AS bigint[]), CAST(:stored AS timestamp[]))"
)


def _insert_keys(session: Session, rows: list[dict[str, Any]]) -> None:
    """Key rows in one statement on PostgreSQL (arrays through unnest: one round trip for a
    batch's ~500 rows instead of one execution each); executemany elsewhere."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(StatementKey), rows)
        return
    session.execute(
        UNNEST_KEYS,
        {
            "seq": [r["seq"] for r in rows],
            "kind": [r["kind"] for r in rows],
            "key": [r["key"] for r in rows],
            "stored": [r["stored"] for r in rows],
        },
    )


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
    made: from each statement's body and the targets it refers to (looked up in every scope:
    a key row that was never written is simply not there to delete).
    """
    rows = session.execute(
        select(
            StoredStatement.seq, StoredStatement.id, StoredStatement.stored, StoredStatement.body
        ).where(where)
    ).all()
    if not rows:
        return 0
    keys = keys_with_targets(session, {r.id: r.body for r in rows})
    for r in rows:
        keys[r.id] |= {attachment_data_key(sha) for sha in attachment_hashes(r.body)}
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
