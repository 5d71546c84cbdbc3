"""The organisation admin's forms. Messages are msgids, translated where the page shows them;
CSRF is checked once for every POST by the front door (ElearnForm). Which units and people a
posted id may name is checked in the views, against the admin's own scope."""

from __future__ import annotations

import datetime as dt

from flask_wtf.file import FileField
from wtforms import DateField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional, ValidationError

from elearn.accounts.forms import ElearnForm
from elearn.accounts.models import MEMBERSHIP_ROLES, ORGANISATION_KINDS
from elearn.message_catalogues import N_
from elearn.organisations.service import valid_org_number
from elearn.text import one_line

NAME_NEEDED = N_("Enter the unit's name.")
KIND_NEEDED = N_("Choose what kind of unit it is.")
ORG_NUMBER_WRONG = N_(
    "An organisation number has nine digits, and the last is a check digit: check it in "
    "Enhetsregisteret (brreg.no)."
)
CHOOSE_UNIT = N_("Choose one of your units.")
CHOOSE_ROLE = N_("Choose a role.")
EMAILS_NEEDED = N_("Enter at least one e-mail address, one per line.")
FILE_NEEDED = N_("Choose a CSV file.")
CHOOSE_COURSE = N_("Choose a course.")
CHOOSE_PEOPLE = N_("Choose at least one person, or give the course to a unit.")
DATE_WRONG = N_("Enter the due date as a date, for example 2027-03-01.")
DATE_PAST = N_("The due date cannot be in the past.")


def _strip(value: str | None) -> str:
    return (value or "").strip()


def _digits(value: str | None) -> str:
    return "".join((value or "").split())


def _check_org_number(_form: object, field: StringField) -> None:
    if field.data and not valid_org_number(field.data):
        raise ValidationError(ORG_NUMBER_WRONG)


class UnitForm(ElearnForm):
    parent = StringField(filters=[_strip])
    name = StringField(
        filters=[one_line],
        validators=[InputRequired(NAME_NEEDED), Length(max=200, message=NAME_NEEDED)],
    )
    kind = StringField(validators=[AnyOf(ORGANISATION_KINDS, message=KIND_NEEDED)])
    org_number = StringField(filters=[_digits], validators=[_check_org_number])


class RenameForm(ElearnForm):
    name = StringField(
        filters=[one_line],
        validators=[InputRequired(NAME_NEEDED), Length(max=200, message=NAME_NEEDED)],
    )


class InviteListForm(ElearnForm):
    emails = TextAreaField(
        validators=[InputRequired(EMAILS_NEEDED), Length(max=64_000, message=EMAILS_NEEDED)]
    )
    unit = StringField(filters=[_strip], validators=[InputRequired(CHOOSE_UNIT)])
    role = StringField(validators=[AnyOf(MEMBERSHIP_ROLES, message=CHOOSE_ROLE)])


class InviteCsvForm(ElearnForm):
    file = FileField()

    def validate_file(self, field: FileField) -> None:
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(FILE_NEEDED)


class MembershipForm(ElearnForm):
    unit = StringField(filters=[_strip], validators=[InputRequired(CHOOSE_UNIT)])
    role = StringField(validators=[AnyOf(MEMBERSHIP_ROLES, message=CHOOSE_ROLE)])


class AssignForm(ElearnForm):
    course = StringField(filters=[_strip], validators=[InputRequired(CHOOSE_COURSE)])
    target = StringField(validators=[AnyOf(("unit", "people"), message=CHOOSE_UNIT)])
    unit = StringField(filters=[_strip])
    people = SelectMultipleField(validate_choice=False)
    due_date = DateField(validators=[Optional()])

    def validate_due_date(self, field: DateField) -> None:
        if field.data is not None and field.data < dt.date.today():
            raise ValidationError(DATE_PAST)

    def error_messages(self) -> dict[str, str]:
        messages = super().error_messages()
        if "due_date" in messages and messages["due_date"] != DATE_PAST:
            messages["due_date"] = DATE_WRONG  # WTForms' own "Not a valid date value"
        return messages
