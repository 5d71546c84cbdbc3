"""A learner's play reaches an external LRS through the outbox, also across an outage."""

from __future__ import annotations

import time
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from elearn.cli import elearn_cli
from elearn.db import utcnow
from elearn.tracking.models import OutboxEntry, StoredStatement
from tests.conftest import PLAY_COURSE, import_course, make_test_app, register
from tests.fake_lrs import FakeLrs
from tests.test_player import choose, enter, start_course, statements
from tests.xapi_checks import assert_valid


def lrs_app(db: Engine, tmp_path: Path, lrs: FakeLrs, **extra: object) -> Flask:
    app = make_test_app(
        db,
        tmp_path,
        ELEARN_LRS_ENDPOINT=lrs.endpoint,
        ELEARN_LRS_KEY=lrs.key,
        ELEARN_LRS_SECRET=lrs.secret,
        ELEARN_LRS_TIMEOUT=2.0,
        **extra,
    )
    import_course(app, PLAY_COURSE)
    return app


def play_whole_course(app: Flask) -> None:
    client = app.test_client()
    register(client)
    _, page = start_course(client)
    _, page = choose(client, page, "listen")
    _, page = choose(client, page, "consult")
    page = enter(client, page, "second")
    choose(client, page, "interpreter")


def waiting(app: Flask) -> int:
    session = app.extensions["elearn"].session_factory()
    try:
        return session.scalar(
            select(func.count())
            .select_from(OutboxEntry)
            .where(OutboxEntry.sent_at.is_(None), OutboxEntry.rejected_at.is_(None))
        )
    finally:
        session.close()


def test_statements_survive_an_lrs_outage_and_arrive_once_in_order(
    db: Engine, tmp_path: Path
) -> None:
    with FakeLrs() as lrs:
        app = lrs_app(db, tmp_path, lrs)
        runner = app.test_cli_runner()
        lrs.fail_next(1, status=503)
        play_whole_course(app)
        stored = statements(app)
        assert len(stored) == 18 and waiting(app) == 18

        result = runner.invoke(elearn_cli, ["forward", "--once"])
        assert result.exit_code == 1 and "503" in result.output
        assert lrs.stored_ids == [] and waiting(app) == 18  # nothing lost, nothing sent

        # The LRS is back; the next run happens once the backoff has passed.
        session = app.extensions["elearn"].session_factory()
        session.execute(OutboxEntry.__table__.update().values(next_try_at=utcnow()))
        session.commit()
        session.close()
        result = runner.invoke(elearn_cli, ["forward", "--once"])
        assert result.exit_code == 0, result.output
        assert "sent 18, waiting 0" in result.output

        assert lrs.stored_ids == [s["id"] for s in stored]  # once each, in stored order
        received = list(lrs.iter_stored())
        assert_valid(received)
        assert [r["verb"]["id"] for r in received] == [s["verb"]["id"] for s in stored]
        # Running again sends nothing twice.
        assert runner.invoke(elearn_cli, ["forward", "--once"]).exit_code == 0
        assert len(lrs.requests_to_statements("POST")) == 2


def test_without_an_lrs_nothing_is_queued(app: Flask) -> None:
    play_whole_course(app)
    session = app.extensions["elearn"].session_factory()
    try:
        assert session.scalar(select(func.count()).select_from(StoredStatement)) == 18
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0
    finally:
        session.close()
    result = app.test_cli_runner().invoke(elearn_cli, ["forward", "--once"])
    assert result.exit_code == 1 and "ELEARN_LRS_ENDPOINT is not set" in result.output


def test_the_web_process_can_forward_in_a_background_thread(db: Engine, tmp_path: Path) -> None:
    with FakeLrs() as lrs:
        app = lrs_app(db, tmp_path, lrs, ELEARN_LRS_FORWARD_THREAD=True)
        try:
            play_whole_course(app)
            deadline = time.monotonic() + 15
            while len(lrs.stored_ids) < 18 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert lrs.stored_ids == [s["id"] for s in statements(app)]
        finally:
            services = app.extensions["elearn"].services
            services["forwarder_stop"].set()
            services["forwarder_thread"].join(10)
        assert not services["forwarder_thread"].is_alive(), "stopping the app ends its forwarder"


def test_a_statement_the_lrs_refuses_for_good_does_not_hold_back_the_rest(
    db: Engine, tmp_path: Path
) -> None:
    with FakeLrs() as lrs:
        app = lrs_app(db, tmp_path, lrs)
        play_whole_course(app)
        stored = statements(app)
        lrs.fail_next(1, status=400)  # the batch POST: the forwarder tries one by one ...
        lrs.fail_next(1, status=400)  # ... and the LRS refuses the first statement on its own
        result = app.test_cli_runner().invoke(elearn_cli, ["forward", "--once"])
        assert result.exit_code == 0, result.output
        assert lrs.stored_ids == [s["id"] for s in stored[1:]]
        session = app.extensions["elearn"].session_factory()
        head = session.scalar(select(OutboxEntry).order_by(OutboxEntry.seq).limit(1))
        assert head.rejected_at is not None and head.sent_at is None
        assert head.last_error.startswith("rejected: HTTP 400")
        session.close()
        assert waiting(app) == 0


def test_forwarded_statements_leave_stored_and_authority_to_the_lrs(
    db: Engine, tmp_path: Path
) -> None:
    with FakeLrs() as lrs:
        app = lrs_app(db, tmp_path, lrs)
        play_whole_course(app)
        assert app.test_cli_runner().invoke(elearn_cli, ["forward", "--once"]).exit_code == 0
        assert all("stored" not in s and "authority" not in s for s in lrs.iter_stored())
