"""WSGI entry point: `gunicorn wsgi:app`."""

from elearn import create_app

app = create_app()
