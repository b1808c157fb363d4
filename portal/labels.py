"""French (translatable) labels of the domain's enumerations, for templates and forms."""

from flask_babel import lazy_gettext as _l

from portal.models import Role, SeminarKind

ROLE_LABELS = {
    Role.LEARNER: _l("Auditeur·rice"),
    Role.TUTOR: _l("Responsable d'atelier"),
    Role.LECTURER: _l("Intervenant·e"),
    Role.STAFF: _l("Équipe pédagogique"),
}

SEMINAR_KIND_LABELS = {
    SeminarKind.THEORETICAL: _l("Théorique"),
    SeminarKind.THEMATIC: _l("Thématique"),
    SeminarKind.TECHNICAL: _l("Technique"),
    SeminarKind.MONOGRAPHIC: _l("Monographique"),
    SeminarKind.METHODOLOGICAL: _l("Méthodologique"),
}

LOCALE_LABELS = {"fr": "Français", "en": "English"}
