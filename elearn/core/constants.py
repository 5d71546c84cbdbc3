"""Values more than one room needs, defined once."""

from __future__ import annotations

LANGUAGES = ("nb", "nn", "en")
AUDIENCES = ("teacher", "school_leader", "health", "adult_education", "other")

# The xAPI version the platform's own statements are written for (and forwarded as).
XAPI_VERSION = "1.0.3"
