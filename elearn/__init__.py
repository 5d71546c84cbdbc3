"""elearn: scenario-based e-learning as a Flask plugin or a standalone app."""

from elearn.app import create_app
from elearn.extension import Elearn, current_learner

__all__ = ["Elearn", "create_app", "current_learner"]
