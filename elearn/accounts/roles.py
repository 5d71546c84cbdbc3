"""Who may do what: one decorator for every admin route, and the admin home's sections.

Roles live on the user (`learner`, `org_admin`, `admin`); an `admin` may do what an `org_admin`
may. Features register their admin pages in `ADMIN_SECTIONS` so the admin home links to them
without knowing them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort, flash, g, redirect, request, url_for

from elearn.i18n import translate


@dataclass(frozen=True)
class AdminSection:
    endpoint: str  # e.g. "elearn.admin_exports"
    label_key: str  # an i18n key
    roles: tuple[str, ...]  # who sees it


ADMIN_SECTIONS: list[AdminSection] = []


def add_admin_section(section: AdminSection) -> None:
    if all(s.endpoint != section.endpoint for s in ADMIN_SECTIONS):
        ADMIN_SECTIONS.append(section)


def require_role(*roles: str) -> Any:
    """Not logged in → the login page; logged in without the role → 403 (checked per request)."""

    def decorator(view: Any) -> Any:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            from elearn.extension import current_learner

            user = current_learner()
            if user is None:
                flash(translate("login_required", g.elearn_lang), "info")
                return redirect(url_for("elearn.login", next=request.full_path))
            if not user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
