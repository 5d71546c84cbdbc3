"""The Feide organisations form: a realm, and where its people belong."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Regexp

from elearn.accounts.forms import ElearnForm
from elearn.message_catalogues import N_
from elearn.sso.service import REALM

REALM_INVALID = N_("Write the Feide organisation's realm, for example hedrum.larvik.kommune.no.")
CHOOSE_TARGET = N_("Choose where people from this Feide organisation belong.")


class FeideMappingForm(ElearnForm):
    realm = StringField(
        filters=[lambda value: (value or "").strip().lower()],
        validators=[DataRequired(REALM_INVALID), Regexp(REALM, message=REALM_INVALID)],
    )
    # "place:<organisation id>" or "create:<organisation id>"; checked against the admin's scope.
    target = StringField(
        validators=[
            DataRequired(CHOOSE_TARGET),
            Regexp(r"^(place|create):\d{1,9}$", message=CHOOSE_TARGET),
        ]
    )
