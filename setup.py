"""The one thing pyproject.toml cannot say: the top-level `migrations/` folder ships inside the
wheel as the package `elearn.migrations`, so `elearn upgrade` works from an installed wheel."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["elearn", "elearn.*", "scorm_export", "scorm_export.*"]),
        "elearn.migrations",
        "elearn.migrations.versions",
    ],
    package_dir={"elearn.migrations": "migrations"},
)
