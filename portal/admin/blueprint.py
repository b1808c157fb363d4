"""The admin blueprint and the access checks its views share."""

from flask import Blueprint, abort
from flask_login import current_user

from portal.extensions import db
from portal.permissions import may_manage_cohort, may_manage_people, may_manage_programme

bp = Blueprint("admin", __name__, template_folder="../templates")


@bp.before_request
def _staff_only():
    """Every staff page needs an admin, a coordinator or a staff member (the core sends anonymous visitors to
    the login page first); others get 404."""
    if not may_manage_people(current_user):
        abort(404)
    return None


def managed_or_404(model, object_id: int):
    """Load a cohort-owned object (or a cohort) the current user manages; anything else answers 404."""
    from portal.models import Atelier, Bloc, Cohort, Enrolment, Programme, Seminar

    obj = db.get_or_404(model, object_id)
    if isinstance(obj, Cohort):
        allowed = may_manage_cohort(current_user, obj)
    elif isinstance(obj, Atelier | Enrolment):
        allowed = may_manage_cohort(current_user, obj.cohort_id)
    elif isinstance(obj, Programme):
        allowed = may_manage_programme(current_user, obj)
    elif isinstance(obj, Bloc):
        allowed = may_manage_programme(current_user, obj.programme_id)
    elif isinstance(obj, Seminar):
        allowed = may_manage_programme(current_user, obj.bloc.programme_id)
    else:
        raise TypeError(model)
    if not allowed:
        abort(404)
    return obj
