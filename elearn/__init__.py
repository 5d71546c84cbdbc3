"""elearn: scenario-based e-learning as a Flask plugin or a standalone app.

The names below load the web app on first use only (PEP 562), so `elearn.core` and the package
builder can be imported without Flask, SQLAlchemy or anything else of the platform.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from elearn.app import create_app
    from elearn.extension import Elearn, HostLearner, HostOrganisation, current_learner

__all__ = ["Elearn", "HostLearner", "HostOrganisation", "create_app", "current_learner"]

_WHERE = {
    "Elearn": "elearn.extension",
    "create_app": "elearn.app",
    "current_learner": "elearn.extension",
    "HostLearner": "elearn.extension",
    "HostOrganisation": "elearn.extension",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'elearn' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_WHERE[name]), name)
