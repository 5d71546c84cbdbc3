"""The package builder: a validated, compiled course in, an LMS package (zip bytes) out.

Pure Python with no Flask dependency, so the CLI, a download page and tests can all call it.
Formats to come (see the export issue): SCORM 1.2, SCORM 2004 4th edition, cmi5, xAPI and an
offline HTML bundle. Nothing is exported yet.
"""
