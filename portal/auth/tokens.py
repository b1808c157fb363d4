"""Single-use, time-limited password-reset tokens, signed with the site's secret."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.extensions import db
from portal.models import User

_SALT = "portal.password-reset"


def _fingerprint(user: User) -> str:
    # The token names the current password hash: once the password changes, every earlier token is void.
    return hashlib.sha256((user.password_hash or "unset").encode()).hexdigest()[:16]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def make_reset_token(user: User) -> str:
    """A token that lets its holder set the user's password once, for PASSWORD_RESET_MAX_AGE seconds."""
    return _serializer().dumps({"user": user.id, "fp": _fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    """The active user the token was made for, or None if it is forged, expired or already used."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        return None
    user = db.session.get(User, data["user"])
    if user is None or not user.active or data.get("fp") != _fingerprint(user):
        return None
    return user
