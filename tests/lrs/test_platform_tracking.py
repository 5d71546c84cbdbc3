"""The platform's own tracking writes through the same store: what a learner does in the
browser is queryable over GET /xapi/statements like anything a package reports, in the
learner's organisation; deleting the learner removes their statements and documents."""

from __future__ import annotations

import uuid

from flask import Flask
from sqlalchemy import func, select

from elearn.lrs.validation import validate_statement
from tests.conftest import PASSWORD, PLAY_COURSE, csrf_from, import_course, register
from tests.lrs.conftest import LrsClient, new_client, statement
from tests.test_player import start_course


def _learner(app: Flask, email: str, org: str | None = None) -> tuple[object, dict]:
    app.config["TESTING"] = True
    import_course(app, PLAY_COURSE)
    web = app.test_client()
    register(web, email)
    if org:
        from elearn.accounts.models import User
        from elearn.accounts.service import find_organisation

        session = app.extensions["elearn"].session_factory()
        user = session.scalar(select(User).where(User.email == email))
        user.organisation_id = find_organisation(session, org).id
        session.commit()
        session.close()
    start_course(web)
    session = app.extensions["elearn"].session_factory()
    from elearn.accounts.models import User

    user = session.scalar(select(User).where(User.email == email))
    actor = app.extensions["elearn"].services["tracking"].actor(user.xapi_id).as_version("1.0.3")
    session.close()
    app.config["TESTING"] = False
    return web, actor


def test_a_learners_statements_are_queryable_over_http(lrs_app: Flask, lrs: LrsClient) -> None:
    _, actor = _learner(lrs_app, f"{uuid.uuid4().hex[:8]}@example.no")
    got = lrs.get("statements", {"agent": actor})
    assert got.status == 200
    sts = got.json()["statements"]
    assert {s["verb"]["id"].rsplit("/", 1)[1] for s in sts} >= {"launched", "initialized"}
    for st in sts:
        validate_statement({k: v for k, v in st.items() if k not in ("stored", "authority")})
        assert st["authority"]["account"]["name"] == "elearn"
    registration = sts[0]["context"]["registration"]
    assert len(lrs.get("statements", {"registration": registration}).json()["statements"]) == len(
        sts
    )


def test_a_learners_statements_belong_to_their_organisation(lrs_app: Flask, lrs: LrsClient) -> None:
    key, secret = new_client(lrs_app, "statements/read", "trondheim")
    other_key, other_secret = new_client(lrs_app, "statements/read", "tromso")
    _, actor = _learner(lrs_app, f"{uuid.uuid4().hex[:8]}@example.no", "trondheim")
    mine = (
        lrs.with_credentials(key, secret).get("statements", {"agent": actor}).json()["statements"]
    )
    assert mine and all(s["actor"] == actor for s in mine)
    assert (
        lrs.with_credentials(other_key, other_secret)
        .get("statements", {"agent": actor})
        .json()["statements"]
        == []
    )


def test_deleting_a_learner_deletes_their_lrs_statements_keys_and_documents(
    lrs_app: Flask, lrs: LrsClient
) -> None:
    from elearn.lrs.models import LrsDocument
    from elearn.tracking.models import StatementKey

    email = f"{uuid.uuid4().hex[:8]}@example.no"
    web, actor = _learner(lrs_app, email)
    # A package reported about the learner too, and kept state for them.
    reported = lrs.store(statement(actor=actor))[0]
    state = {"activityId": "http://example.org/a", "agent": actor, "stateId": "resume"}
    assert lrs.put("activities/state", {"at": "n2"}, state).status == 204
    session = lrs_app.extensions["elearn"].session_factory()
    keys_before = session.scalar(select(func.count()).select_from(StatementKey))
    session.close()
    assert lrs.get("statements", {"agent": actor}).json()["statements"]

    lrs_app.config["TESTING"] = True
    profile = web.get("/profile").get_data(as_text=True)
    assert (
        web.post(
            "/profile/delete", data={"csrf_token": csrf_from(profile), "password": PASSWORD}
        ).status_code
        == 302
    )
    lrs_app.config["TESTING"] = False
    assert lrs.get("statements", {"agent": actor}).json()["statements"] == []
    assert lrs.get("statements", {"statementId": reported}).status == 404
    assert lrs.get("activities/state", state).status == 404
    session = lrs_app.extensions["elearn"].session_factory()
    assert session.scalar(select(func.count()).select_from(StatementKey)) < keys_before
    assert (
        session.scalar(
            select(func.count())
            .select_from(LrsDocument)
            .where(LrsDocument.agent_key.like("%" + actor["account"]["name"]))
        )
        == 0
    )
    session.close()
