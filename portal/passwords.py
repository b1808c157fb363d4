"""The password policy: long enough and not among the common or easily guessed ones."""

from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

#: zxcvbn's scale goes from 0 (in the common-password lists) to 4; below 2 is guessable in an online attack.
MIN_STRENGTH = 2


def password_problem(password: str, personal: list[str] | tuple[str, ...] = ()) -> str | None:
    """Why the password is refused, in the user's language, or None when it is acceptable."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _("Le mot de passe doit contenir au moins %(n)d caractères.", n=minimum)
    if len(password) > 200:
        return _("Le mot de passe ne doit pas dépasser 200 caractères.")
    # zxcvbn is slow on long inputs; the first 100 characters decide.
    if zxcvbn(password[:100], user_inputs=[p for p in personal if p])["score"] < MIN_STRENGTH:
        return _(
            "Ce mot de passe est trop courant ou trop facile à deviner : "
            "allongez-le ou ajoutez des mots moins prévisibles."
        )
    return None
