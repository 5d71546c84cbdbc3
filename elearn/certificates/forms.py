"""The one form of the certificates room: the name a certificate shows, asked once."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from elearn.accounts.forms import ElearnForm
from elearn.message_catalogues import N_
from elearn.text import one_line

NAME_NEEDED = N_("Write your name as it should stand on the certificate.")
NAME_MAX = 200


class NameForm(ElearnForm):
    # Runs of spaces (and a name pasted with a line break) become one space; control
    # characters go (a NUL made PostgreSQL refuse the save).
    name = StringField(
        filters=[one_line],
        validators=[DataRequired(NAME_NEEDED), Length(max=NAME_MAX, message=NAME_NEEDED)],
    )
