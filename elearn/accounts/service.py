"""Account rules: who may register, how passwords are checked, and deletion that really deletes."""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from elearn.accounts.models import User
from elearn.config import AUDIENCES, LANGUAGES
from elearn.player.models import Attempt
from elearn.tracking.models import OutboxEntry, StoredStatement

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MIN_PASSWORD = 10


def normalise_email(email: str) -> str:
    return email.strip().lower()


def registration_errors(
    session: Session, email: str, password: str, audience: str
) -> dict[str, str]:
    """Field → message key, for every field that is wrong."""
    errors: dict[str, str] = {}
    if not EMAIL.match(email) or len(email) > 254:
        errors["email"] = "err.email"
    elif find_user(session, email) is not None:
        errors["email"] = "err.email_taken"
    if len(password) < MIN_PASSWORD:
        errors["password"] = "err.password_short"
    if audience not in AUDIENCES:
        errors["audience"] = "err.audience"
    return errors


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(
    session: Session,
    email: str,
    password: str,
    audience: str = "other",
    language: str | None = None,
    is_admin: bool = False,
) -> User:
    user = User(
        email=normalise_email(email),
        audience=audience if audience in AUDIENCES else "other",
        language=language if language in LANGUAGES else None,
        is_admin=is_admin,
    )
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = find_user(session, email)
    if user is None:
        # Same work either way, so response time does not reveal which emails exist.
        User(password_hash="").set_password(password)
        return None
    return user if user.check_password(password) else None


def delete_user_and_data(session: Session, user: User, actor_key: str) -> None:
    """Removes the account, its attempts and every statement about it (GDPR art. 17)."""
    statement_ids = select(StoredStatement.id).where(StoredStatement.actor_key == actor_key)
    session.execute(delete(OutboxEntry).where(OutboxEntry.statement_id.in_(statement_ids)))
    session.execute(delete(StoredStatement).where(StoredStatement.actor_key == actor_key))
    session.execute(delete(Attempt).where(Attempt.user_id == user.id))
    session.delete(user)
