"""The report filters: read from the query string (GET: a report changes nothing, so no CSRF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import Length, Optional

from elearn.message_catalogues import N_

VALID_DATE = N_("Enter the date as YYYY-MM-DD, for example 2026-12-31.")


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    unit = IntegerField(validators=[Optional()])
    course = StringField(validators=[Optional(), Length(max=64)])
    due_by = DateField(validators=[Optional()], format="%Y-%m-%d")

    def error_messages(self) -> dict[str, str]:
        """Field → its message for the error summary (a date WTForms could not read)."""
        errors = {}
        if self.due_by.errors:
            errors["due_by"] = VALID_DATE
        return errors
