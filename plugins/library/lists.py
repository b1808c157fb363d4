"""The default entries of the two lists staff edit, used by the migration and the demo."""

LEGAL_FORMS = (
    "Association",
    "CAE",
    "Entreprise d'insertion",
    "ESAT",
    "Fondation",
    "Mutuelle",
    "SCIC",
    "SCOP",
)
SECTORS = (
    "Action sociale",
    "Alimentation",
    "Culture",
    "Éducation populaire",
    "Environnement",
    "Habitat",
    "Insertion",
    "Santé",
)
