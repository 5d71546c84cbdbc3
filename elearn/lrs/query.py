"""GET /statements: filters, formats and `more` paging that costs the same on every page.

Each filter is a (kind, key) row in `elearn_statement_keys`; the most selective one drives an
index range scan in (stored, seq) order and the others are checked per row through the
primary key. The `more` token carries the query, the last (stored, seq) returned and the upper
time bound fixed by the first page, so later pages neither repeat nor skip statements and
statements stored meanwhile never slip in.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, and_, cast, exists, select, tuple_
from sqlalchemy.orm import Session, aliased

from elearn.lrs.auth import Principal
from elearn.lrs.validation import Invalid
from elearn.tracking import keys as K
from elearn.tracking.models import StatementKey, StoredStatement
from elearn.tracking.statements import actor_key
from elearn.tracking.store import scope_of_client

MAX_PAGE = 500
# GET /activities merges the definitions of at most this many (the latest) defining statements.
MAX_DEFINITIONS = 1000
# Most selective first: the first filter present drives the index scan.
DRIVING_ORDER = (
    K.REGISTRATION,
    K.AGENT,
    K.ACTIVITY,
    K.DEFINITION,
    K.RELATED_ACTIVITY,
    K.RELATED_AGENT,
    K.VERB,
)


@dataclass
class StatementQuery:
    filters: list[tuple[int, int]] = field(default_factory=list)
    since: dt.datetime | None = None  # naive UTC, exclusive
    until: dt.datetime | None = None  # naive UTC, inclusive
    limit: int = MAX_PAGE
    ascending: bool = False
    cursor: tuple[dt.datetime, int] | None = None
    params: dict[str, str] = field(default_factory=dict)  # what the client asked, for `more`


def build_filters(
    agent: dict[str, Any] | None,
    verb: str | None,
    activity: str | None,
    registration: str | None,
    related_agents: bool,
    related_activities: bool,
) -> list[tuple[int, int]]:
    out = []
    if agent is not None:
        out.append(K.filter_key(K.RELATED_AGENT if related_agents else K.AGENT, actor_key(agent)))
    if verb is not None:
        out.append(K.filter_key(K.VERB, verb))
    if activity is not None:
        kind = K.RELATED_ACTIVITY if related_activities else K.ACTIVITY
        out.append(K.filter_key(kind, activity))
    if registration is not None:
        out.append(K.filter_key(K.REGISTRATION, registration))
    return sorted(out, key=lambda f: DRIVING_ORDER.index(f[0]))


def visible(query: Any, principal: Principal) -> Any:
    """Only the statements the client may read: its organisation's, and its own only when it
    has no read scope beyond statements/read/mine."""
    s = StoredStatement
    if principal.reads_only_own:
        query = query.where(s.client_id == principal.id)
    if principal.organisation_id is not None:
        query = query.where(s.organisation_id == principal.organisation_id)
    return query


def run(session: Session, q: StatementQuery, principal: Principal) -> tuple[list[Any], bool]:
    """The page of (seq, stored, body as JSON text) rows, and whether more follow."""
    s = StoredStatement
    if q.filters:
        drive = aliased(StatementKey, name="k0")
        kind, key = q.filters[0]
        order_cols = (drive.stored, drive.seq)
        query = (
            select(s.seq, s.stored, cast(s.body, Text).label("body"))
            .select_from(drive)
            .join(s, s.seq == drive.seq)
            .where(drive.kind == kind, drive.key == key)
        )
        for i, (kind, key) in enumerate(q.filters[1:], start=1):
            other = aliased(StatementKey, name=f"k{i}")
            # A point lookup in the keys' primary key (kind, key, stored, seq).
            query = query.where(
                exists().where(
                    other.kind == kind,
                    other.key == key,
                    other.stored == s.stored,
                    other.seq == s.seq,
                )
            )
    else:
        order_cols = (s.stored, s.seq)
        query = select(s.seq, s.stored, cast(s.body, Text).label("body"))
    stored_col = order_cols[0]
    query = visible(query.where(s.voided.is_(False)), principal)
    if q.since is not None:
        query = query.where(stored_col > q.since)
    if q.until is not None:
        query = query.where(stored_col <= q.until)
    if q.cursor is not None:
        pos = tuple_(*order_cols)
        query = query.where(pos > tuple_(*q.cursor) if q.ascending else pos < tuple_(*q.cursor))
    ordering = [c.asc() if q.ascending else c.desc() for c in order_cols]
    rows = session.execute(query.order_by(*ordering).limit(q.limit + 1)).all()
    return rows[: q.limit], len(rows) > q.limit


# -- the `more` token ---------------------------------------------------------------------------
def encode_more(q: StatementQuery, last: Any) -> str:
    state = {
        "p": q.params,
        "c": [last.stored.isoformat(), last.seq],
        "u": q.until.isoformat() if q.until else None,
    }
    raw = json.dumps(state, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_more(token: str) -> tuple[dict[str, str], tuple[dt.datetime, int], dt.datetime | None]:
    """The query a `more` token carries; anything this LRS did not make is a 400."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        state = json.loads(raw)
        if not isinstance(state, dict) or not isinstance(state.get("p"), dict):
            raise ValueError("not a more token")
        params = {str(k): str(v) for k, v in state["p"].items()}
        seq = state["c"][1]
        if not isinstance(seq, int) or not 0 <= seq < 2**63:
            raise ValueError("sequence out of range")
        cursor = (dt.datetime.fromisoformat(state["c"][0]), seq)
        until = dt.datetime.fromisoformat(state["u"]) if state["u"] else None
    except (ValueError, KeyError, TypeError, IndexError, RecursionError) as exc:
        raise Invalid("more", "is not a `more` value this LRS returned") from exc
    if "more" in params:
        raise Invalid("more", "is not a `more` value this LRS returned")
    return params, cursor, until


# -- single statements ----------------------------------------------------------------------
def fetch_one(session: Session, statement_id: str, *, voided: bool, principal: Principal) -> Any:
    """The statement with this id among those the client reads (its own id, or the row id
    its scope stored it under when the id was taken in another organisation)."""
    s = StoredStatement
    scope = scope_of_client(principal.organisation_id, principal.id, principal.scopes)
    query = (
        select(s.seq, s.stored, cast(s.body, Text).label("body"))
        .where(and_(s.id.in_(scope.candidates([statement_id])), s.voided.is_(voided)))
        .order_by(s.seq)
    )
    return session.execute(visible(query, principal)).first()
