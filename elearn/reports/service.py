"""Who may see which report, and the two report queries over the statement store.

Every figure is computed from the statements (`elearn_statements`), never from the player's
own attempt rows, so an analytics tool reading elearn's LRS gets the same numbers: the pages
show the SQL below and the xAPI query parameters that fetch the same statements. Learners are
matched by their pseudonymous actor (`account:{homePage}|{xapi_id}`), as statements name them.

Privacy: the completion report is per person but says nothing about choices; the choice
distribution is per unit and only when at least `MIN_ANSWERS` people answered, so no person's
choice can be read from it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from elearn.accounts.models import Assignment, Membership, Organisation, User
from elearn.content.service import CourseEntry, CourseVersions
from elearn.tracking.statements import VERBS, StatementBuilder

MIN_ANSWERS = 5  # k-anonymity: fewer people than this and a distribution is not shown
STATUSES = ("not_started", "in_progress", "completed", "passed")

# The completion report: per person, course and registration, what the course activity's
# statements say (launched/progressed/completed/passed all name the course as their object).
COMPLETION_SQL = """SELECT s.actor_key, s.activity_id, s.registration,
       MIN(s.timestamp) AS first_at,
       MAX(s.timestamp) AS last_at,
       MIN(CASE WHEN s.verb_id = :completed THEN s.timestamp END) AS completed_at,
       MIN(CASE WHEN s.verb_id = :passed THEN s.timestamp END) AS passed_at
FROM elearn_statements s
WHERE s.actor_key {actors}
  AND s.activity_id {courses}
  AND NOT s.voided
GROUP BY s.actor_key, s.activity_id, s.registration"""

# The org-wide summary: per person and course, whether any statement says passed / completed
# (no statement at all: not started). One grouped query over everyone in the scope, however
# many pages the person table has.
SUMMARY_SQL = """SELECT s.actor_key, s.activity_id,
       MAX(CASE WHEN s.verb_id = :completed THEN 1 ELSE 0 END) AS completed,
       MAX(CASE WHEN s.verb_id = :passed THEN 1 ELSE 0 END) AS passed
FROM elearn_statements s
WHERE s.actor_key {actors}
  AND s.activity_id {courses}
  AND NOT s.voided
GROUP BY s.actor_key, s.activity_id"""

# The choice distribution: each person's FIRST answer at each decision point (later attempts
# are coloured by the feedback they have seen), counted per choice. `response` is the
# statement's result.response, copied out of its JSON body when it was stored.
DECISIONS_SQL = """SELECT a.activity_id, a.response, COUNT(*) AS people
FROM (
  SELECT s.activity_id, s.response,
         ROW_NUMBER() OVER (PARTITION BY s.actor_key, s.activity_id
                            ORDER BY s.timestamp, s.seq) AS nth
  FROM elearn_statements s
  WHERE s.actor_key {actors}
    AND s.activity_id {nodes}
    AND s.verb_id = :answered
    AND s.response IS NOT NULL
    AND NOT s.voided
) a
WHERE a.nth = 1
GROUP BY a.activity_id, a.response"""

# A list parameter: one array on PostgreSQL (10,000 pseudonyms are one value, not 10,000 binds),
# an expanded IN list elsewhere.
LIST_SQL = {"postgresql": "= ANY(:{name})", "sqlite": "IN :{name}"}


# -- who may see what ------------------------------------------------------------------------


@dataclass
class Tree:
    """The organisation tree, read once per request (a few hundred rows at most)."""

    orgs: dict[int, Organisation]
    children: dict[int | None, list[int]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, session: Session) -> Tree:
        orgs = {o.id: o for o in session.scalars(select(Organisation))}
        tree = cls(orgs)
        for o in sorted(orgs.values(), key=lambda o: o.name.lower()):
            tree.children[o.parent_id].append(o.id)
        return tree

    def subtree(self, root: int) -> list[int]:
        out, todo = [], [root]
        while todo:
            current = todo.pop()
            if current in out:
                continue
            out.append(current)
            todo.extend(self.children.get(current, []))
        return out

    def ancestors(self, org_id: int) -> list[int]:
        """The organisation and every organisation above it."""
        out: list[int] = []
        current: int | None = org_id
        while current is not None and current in self.orgs and current not in out:
            out.append(current)
            current = self.orgs[current].parent_id
        return out

    def depth(self, org_id: int) -> int:
        return len(self.ancestors(org_id)) - 1


def visible_units(session: Session, tree: Tree, user: User) -> list[int]:
    """The organisations `user` may report on, in tree order: a unit leader their units (and
    any under them), an org admin their organisations and every unit under them, the platform
    admin all. Empty: no reports for this person."""
    led = session.execute(
        select(Membership.organisation_id, Membership.role).where(
            Membership.user_id == user.id, Membership.role.in_(("unit_leader", "org_admin"))
        )
    ).all()
    roots = {org_id for org_id, _ in led}
    if user.role == "admin":
        roots |= {o for o in tree.orgs if tree.orgs[o].parent_id is None}
    elif (
        user.role == "org_admin"
        and user.organisation_id is not None
        and not any(role == "org_admin" for _, role in led)
    ):
        # An org admin made with the CLI (no membership): their whole organisation. One made
        # org admin of a single unit gets that unit, not the top its account points to.
        roots.add(user.organisation_id)
    seen: list[int] = []
    for root in _tree_order(tree):
        if root in roots:
            seen.extend(o for o in tree.subtree(root) if o not in seen)
    return [o for o in _tree_order(tree) if o in seen]


def _tree_order(tree: Tree) -> list[int]:
    out: list[int] = []

    def walk(parent: int | None) -> None:
        for child in tree.children.get(parent, []):
            out.append(child)
            walk(child)

    walk(None)
    return out


# -- who is in a unit, and what was assigned to them -------------------------------------------


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str
    actor: str  # the actor key their statements carry
    units: tuple[int, ...]  # their units within the report's scope


def actor_key_of(homepage: str, xapi_id: str) -> str:
    """The `actor_key` column of a statement whose actor is this learner's account."""
    return f"account:{homepage}|{xapi_id}"


def people_in(session: Session, tree: Tree, unit: int, homepage: str) -> list[Person]:
    """Active people with a place in `unit` or any unit under it (a person in two units of
    the scope appears once)."""
    scope = set(tree.subtree(unit))
    columns = (User.id, User.display_name, User.email, User.xapi_id)
    rows = [
        *session.execute(
            select(*columns, Membership.organisation_id)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id.in_(scope), User.active.is_(True))
        ),
        *session.execute(
            select(*columns, User.organisation_id).where(
                User.organisation_id.in_(scope), User.active.is_(True)
            )
        ),
    ]
    units: dict[int, set[int]] = defaultdict(set)
    found: dict[int, tuple[str, str, str]] = {}
    for user_id, name, email, xapi_id, org_id in rows:
        units[user_id].add(org_id)
        found[user_id] = (name or email, email, xapi_id)
    people = [
        Person(
            user_id,
            name,
            email,
            actor_key_of(homepage, xapi_id),
            tuple(sorted(units[user_id], key=tree.depth, reverse=True)),
        )
        for user_id, (name, email, xapi_id) in found.items()
    ]
    return sorted(people, key=lambda p: (p.name.lower(), p.id))


def assignments_for(
    session: Session, tree: Tree, unit: int, people: list[Person]
) -> dict[int, dict[str, dt.date | None]]:
    """Per person, the courses given to them (to one of their units in the scope, to a unit
    above, or to them by name) with the earliest due date."""
    # A few dozen units, ten thousand people: each unit's ancestors are worked out once.
    above = {u: set(tree.ancestors(u)) for u in {u for p in people for u in p.units} | {unit}}
    orgs_of = {p.id: set().union(above[unit], *(above[u] for u in p.units)) for p in people}
    all_orgs = set().union(*orgs_of.values()) if orgs_of else set()
    ids = {p.id for p in people}
    # Courses given to people by name are few: all of them are read and kept for the people
    # here, rather than sending ten thousand ids to the database.
    rows = [
        row
        for row in session.execute(
            select(
                Assignment.course_id,
                Assignment.organisation_id,
                Assignment.user_id,
                Assignment.due_date,
            ).where(Assignment.organisation_id.in_(all_orgs) | Assignment.user_id.isnot(None))
        )
        if row.user_id is None or row.user_id in ids or row.organisation_id in all_orgs
    ]
    by_org: dict[int, list[tuple[str, dt.date | None]]] = defaultdict(list)
    by_user: dict[int, list[tuple[str, dt.date | None]]] = defaultdict(list)
    for course_id, org_id, user_id, due in rows:
        if user_id is not None:
            by_user[user_id].append((course_id, due))
        if org_id is not None:
            by_org[org_id].append((course_id, due))
    out: dict[int, dict[str, dt.date | None]] = {}
    for p in people:
        courses: dict[str, dt.date | None] = {}
        for course_id, due in by_user.get(p.id, []) + [
            got for org in orgs_of[p.id] for got in by_org.get(org, [])
        ]:
            _earliest(courses, course_id, due)
        out[p.id] = courses
    return out


def _earliest(courses: dict[str, dt.date | None], course_id: str, due: dt.date | None) -> None:
    if course_id not in courses or (
        due is not None and (courses[course_id] is None or due < courses[course_id])
    ):
        courses[course_id] = due


# -- the completion report ---------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    person: Person
    course_id: str
    due: dt.date | None
    status: str
    date: dt.datetime | None  # passed or completed: when first; in progress: last activity
    seconds: float  # time between the first and last statement of each attempt, summed


@dataclass(frozen=True)
class Filters:
    unit: int
    course: str | None = None
    due_by: dt.date | None = None


@dataclass
class _Progress:
    seconds: float = 0.0
    last: dt.datetime | None = None
    completed: dt.datetime | None = None
    passed: dt.datetime | None = None


def _min(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else min(a, b)


@dataclass(frozen=True)
class Scope:
    """The people of a unit (and the units under it) and the courses assigned to each."""

    unit: int
    people: list[Person]
    assigned: dict[int, dict[str, dt.date | None]]

    @classmethod
    def load(cls, session: Session, tree: Tree, unit: int, homepage: str) -> Scope:
        people = people_in(session, tree, unit, homepage)
        return cls(unit, people, assignments_for(session, tree, unit, people))

    def course_ids(self) -> list[str]:
        return sorted({c for got in self.assigned.values() for c in got})


Wanted = list[tuple[Person, str, dt.date | None]]  # person, course, due date


def wanted(scope: Scope, filters: Filters, only: set[int] | None = None) -> Wanted:
    """The (person, course) pairs the report has a row for, in the person table's order;
    `only`: just these people."""
    return [
        (p, course, due)
        for p in scope.people
        if only is None or p.id in only
        for course, due in sorted(scope.assigned[p.id].items())
        if (filters.course is None or course == filters.course)
        and (filters.due_by is None or (due is not None and due <= filters.due_by))
    ]


def completion_rows(
    session: Session,
    builder: StatementBuilder,
    scope: Scope,
    filters: Filters,
    only: set[int] | None = None,
) -> list[Row]:
    return rows_for(session, builder, wanted(scope, filters, only))


def rows_for(session: Session, builder: StatementBuilder, pairs: Wanted) -> list[Row]:
    """The report's rows for these (person, course) pairs: one query for all of them."""
    if not pairs:
        return []
    courses = {c for _, c, _ in pairs}
    progress = _progress(
        session, {p.actor for p, _, _ in pairs}, {builder.course_iri(c) for c in courses}
    )
    return [
        _row(p, course, due, progress.get((p.actor, builder.course_iri(course))))
        for p, course, due in pairs
    ]


PAGE_PEOPLE = 100  # people per page of the person table; the downloads have everyone


@dataclass(frozen=True)
class Page:
    """One page of the person table, with the summary over every page."""

    rows: list[Row]
    number: int
    pages: int
    people: int  # people with a row, on all pages
    summary: dict[str, int]  # status → (person, course) pairs, on all pages


def report_page(
    session: Session, builder: StatementBuilder, scope: Scope, filters: Filters, number: int
) -> Page:
    """Page `number` (from 1; past the end: the last) of `PAGE_PEOPLE` people: only their rows
    are read in full. The summary comes from one grouped query over everyone."""
    pairs = wanted(scope, filters)
    people = list(dict.fromkeys(p.id for p, _, _ in pairs))
    pages = max(1, math.ceil(len(people) / PAGE_PEOPLE))
    number = min(max(1, number), pages)
    on_page = set(people[(number - 1) * PAGE_PEOPLE : number * PAGE_PEOPLE])
    rows = rows_for(session, builder, [w for w in pairs if w[0].id in on_page])
    return Page(rows, number, pages, len(people), summary(session, builder, pairs))


def summary_query(session: Session) -> Any:
    sql = SUMMARY_SQL.format(**_list_sql(session, "actors", "courses"))
    return _list_params(session, text(sql), "actors", "courses")


def summary(session: Session, builder: StatementBuilder, pairs: Wanted) -> dict[str, int]:
    """How many (person, course) pairs are in each status: the same rules as the rows."""
    out = dict.fromkeys(STATUSES, 0)
    if not pairs:
        return out
    result = session.execute(
        summary_query(session),
        {
            "actors": sorted({p.actor for p, _, _ in pairs}),
            "courses": sorted({builder.course_iri(c) for _, c, _ in pairs}),
            "completed": VERBS["completed"],
            "passed": VERBS["passed"],
        },
    )
    found = {
        (actor, activity): "passed" if passed else "completed" if completed else "in_progress"
        for actor, activity, completed, passed in result
    }
    for p, course, _ in pairs:
        out[found.get((p.actor, builder.course_iri(course)), "not_started")] += 1
    return out


def _row(p: Person, course: str, due: dt.date | None, got: _Progress | None) -> Row:
    if got is None:
        return Row(p, course, due, "not_started", None, 0.0)
    if got.passed is not None:
        return Row(p, course, due, "passed", got.passed, got.seconds)
    if got.completed is not None:
        return Row(p, course, due, "completed", got.completed, got.seconds)
    return Row(p, course, due, "in_progress", got.last, got.seconds)


def _list_sql(session: Session, *names: str) -> dict[str, str]:
    dialect = session.get_bind().dialect.name
    form = LIST_SQL.get(dialect, LIST_SQL["sqlite"])
    return {name: form.format(name=name) for name in names}


def _list_params(session: Session, query: Any, *names: str) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return query
    return query.bindparams(*(bindparam(name, expanding=True) for name in names))


def completion_query(session: Session) -> Any:
    sql = COMPLETION_SQL.format(**_list_sql(session, "actors", "courses"))
    return _list_params(session, text(sql), "actors", "courses")


def _progress(
    session: Session, actors: set[str], course_iris: set[str]
) -> dict[tuple[str, str], _Progress]:
    out: dict[tuple[str, str], _Progress] = {}
    result = session.execute(
        completion_query(session),
        {
            "actors": sorted(actors),
            "courses": sorted(course_iris),
            "completed": VERBS["completed"],
            "passed": VERBS["passed"],
        },
    )
    for actor, activity, _reg, first, last, completed, passed in result:
        first, last = _ts(first), _ts(last)
        got = out.setdefault((actor, activity), _Progress())
        if first and last:
            got.seconds += (last - first).total_seconds()
        got.last = max(filter(None, (got.last, last)), default=None)
        got.completed = _min(got.completed, _ts(completed))
        got.passed = _min(got.passed, _ts(passed))
    return out


def _ts(value: Any) -> dt.datetime | None:
    """SQLite hands back aggregated timestamps as text."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


# -- the choice distribution -------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    id: str
    text: dict[str, str]
    people: int


@dataclass(frozen=True)
class DecisionPoint:
    scenario: dict[str, Any]
    node: dict[str, Any]
    iri: str
    choices: list[Choice]
    answered: int  # distinct people whose first answer is counted

    @property
    def shown(self) -> bool:
        return self.answered >= MIN_ANSWERS


def decision_nodes(
    course: CourseEntry, builder: StatementBuilder
) -> list[tuple[dict[str, Any], dict[str, Any], str]]:
    """Every node with choices, in the course's order, with its activity IRI. The order is the
    scenario's `node_order`: PostgreSQL's JSONB does not keep the keys of `nodes` in order."""
    c = course.compiled
    out = []
    for scenario in c["scenarios"]:
        for node_id in scenario.get("node_order") or scenario["nodes"]:
            node = scenario["nodes"][node_id]
            if node.get("choices"):
                out.append((scenario, node, builder.node_iri(c["id"], scenario["id"], node["id"])))
    return out


def decisions_query(session: Session) -> Any:
    sql = DECISIONS_SQL.format(**_list_sql(session, "actors", "nodes"))
    return _list_params(session, text(sql), "actors", "nodes")


def decision_points(
    session: Session, course: CourseEntry, builder: StatementBuilder, people: list[Person]
) -> list[DecisionPoint]:
    nodes = decision_nodes(course, builder)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    if people and nodes:
        result = session.execute(
            decisions_query(session),
            {
                "actors": sorted({p.actor for p in people}),
                "nodes": [iri for _, _, iri in nodes],
                "answered": VERBS["answered"],
            },
        )
        for activity, response, n in result:
            counts[activity][str(response)] = int(n)
    out = []
    for scenario, node, iri in nodes:
        got = counts.get(iri, {})
        known = [Choice(c["id"], c["text"], got.pop(c["id"], 0)) for c in node["choices"]]
        # An answer no longer in the course (an older version's choice): counted under its id.
        known += [Choice(cid, {}, n) for cid, n in sorted(got.items())]
        out.append(DecisionPoint(scenario, node, iri, known, sum(c.people for c in known)))
    return out


def assigned_courses(session: Session, scope: Scope, courses: CourseVersions) -> list[CourseEntry]:
    """The courses assigned to anyone in the scope, as their current versions."""
    found = (courses.current(session, c) for c in scope.course_ids())
    return [c for c in found if c is not None]
