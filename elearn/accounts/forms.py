"""The accounts forms, with WTForms validators. Messages are msgids, translated where the page
shows them (elearn/_forms.html); the front door checks CSRF for every POST, so WTForms' own
CSRF is off (one check, one token, one message for an expired form)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import AnyOf, InputRequired, Length, Regexp

from elearn.accounts.service import CHOOSE_AUDIENCE, EMAIL, MIN_PASSWORD
from elearn.core.constants import AUDIENCES
from elearn.message_catalogues import N_

VALID_EMAIL = N_("Enter a valid email address, for example name@example.no.")
PASSWORD_RULE = N_("The password must have at least 10 characters.")


class ElearnForm(FlaskForm):
    class Meta:
        csrf = False  # checked once for every POST by the front door (extension.check_csrf)

    def error_messages(self) -> dict[str, str]:
        """Field → its first message, in the order of the form, for the error summary."""
        return {name: messages[0] for name, messages in self.errors.items() if messages}


def _email() -> EmailField:
    return EmailField(
        filters=[lambda value: (value or "").strip()],
        validators=[
            InputRequired(VALID_EMAIL),
            Length(max=254, message=VALID_EMAIL),
            Regexp(EMAIL, message=VALID_EMAIL),
        ],
    )


def _new_password() -> PasswordField:
    return PasswordField(validators=[Length(min=MIN_PASSWORD, max=1024, message=PASSWORD_RULE)])


class RegisterForm(ElearnForm):
    email = _email()
    password = _new_password()
    audience = StringField(validators=[AnyOf(AUDIENCES, message=CHOOSE_AUDIENCE)])
    language = StringField(filters=[lambda value: (value or "").strip()])


class LoginForm(ElearnForm):
    """No rules of its own: every answer, even to an empty form, is the one "wrong email or
    password" after the same work (accounts.service.authenticate), counted by the limits."""

    email = StringField(filters=[lambda value: (value or "").strip()])
    password = PasswordField()


class DeleteAccountForm(ElearnForm):
    """The password again, checked by the view (a wrong one deletes nothing)."""

    password = PasswordField()


class ProfileForm(ElearnForm):
    audience = StringField(validators=[AnyOf(AUDIENCES, message=CHOOSE_AUDIENCE)])
    language = StringField(filters=[lambda value: (value or "").strip()])


class ForgotPasswordForm(ElearnForm):
    email = _email()


class NewPasswordForm(ElearnForm):
    password = _new_password()
