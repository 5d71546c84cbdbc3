"""The core: what a course *is* and how it plays, with no web, no database and no Flask.

The scenario engine, the condition language, the course rules (progress, points, score, pass,
the next scenario, the resume encoding), the one state-space walker and the content hash. The
platform's domains and the package builder (`scorm_export`) both stand on it; it imports nothing
from them. `tests/test_architecture.py` holds it to that.
"""
