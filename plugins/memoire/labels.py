"""Translatable labels of the plugin's enumerations and of the accepted file types."""

from flask_babel import lazy_gettext as _l

KIND_LABELS = {"milestone": _l("Étape du mémoire"), "writing": _l("Écrit de contrôle continu")}
STATUS_LABELS = {
    "": _l("Non commencé"),
    "draft": _l("Brouillon"),
    "submitted": _l("Envoyé pour évaluation"),
    "reopened": _l("Rouvert pour une nouvelle version"),
    "locked": _l("Verrouillé"),
}
LEVEL_LABELS = {
    "insufficient": _l("insuffisant"),
    "consolidate": _l("à consolider"),
    "satisfactory": _l("satisfaisant"),
    "very_satisfactory": _l("très satisfaisant"),
}
QUALITY_LABELS = {
    "distanciation": _l("Distanciation"),
    "argumentation": _l("Argumentation"),
    "coherence": _l("Cohérence"),
    "pertinence": _l("Pertinence"),
}
DECISION_LABELS = {
    "validated": _l("validé"),
    "rework": _l("à retravailler"),
    "not_validated": _l("non validé"),
}
FEEDBACK_LABELS = {
    "": _l("—"),
    "none": _l("pas de retour"),
    "draft": _l("retour en brouillon"),
    "released": _l("retour publié"),
}
LOG_KIND_LABELS = {
    "meeting": _l("Rencontre"),
    "decision": _l("Décision"),
    "next_steps": _l("Prochaines étapes"),
}
#: The types an assignment may accept, a subset of portal.storage.DOCUMENT_TYPES.
TYPE_LABELS = {
    "application/pdf": _l("PDF"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _l("Word (DOCX)"),
    "application/vnd.oasis.opendocument.text": _l("OpenDocument texte (ODT)"),
    "application/msword": _l("Word 97-2003 (DOC)"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _l("Excel (XLSX)"),
    "application/vnd.oasis.opendocument.spreadsheet": _l("OpenDocument tableur (ODS)"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _l("PowerPoint (PPTX)"),
    "application/vnd.oasis.opendocument.presentation": _l("OpenDocument présentation (ODP)"),
    "text/plain": _l("Texte brut (TXT)"),
    "image/png": _l("Image PNG"),
    "image/jpeg": _l("Image JPEG"),
}
