"""Demo material for every seminar of the demo programme: pages, PDFs, links and a folder."""

from __future__ import annotations

import io
from datetime import timedelta

from werkzeug.datastructures import FileStorage

from plugins.courses.models import CourseItem, CourseItemFile, ItemKind, SeminarLecturer
from portal.models import utcnow
from portal.storage import save_upload
from portal.textpdf import text_pdf

#: Useful public references, one per bloc.
LINKS = {
    1: (
        "La loi du 31 juillet 2014 relative à l'économie sociale et solidaire",
        "https://www.legifrance.gouv.fr/loda/id/JORFTEXT000029313296",
    ),
    2: ("Le guide des associations employeuses", "https://www.associations.gouv.fr/"),
    3: ("Le code du travail numérique", "https://code.travail.gouv.fr/"),
    4: ("ESS France, chambre française de l'économie sociale et solidaire", "https://www.ess-france.org/"),
    5: ("Les SCOP et les SCIC", "https://www.les-scop.coop/"),
}


def _page_text(seminar, bloc) -> str:
    return (
        f"## Objectifs\n\nCe séminaire du bloc {bloc.number} (« {bloc.title} ») prépare les auditeurs à "
        f"mobiliser les notions de *{seminar.title.lower()}* dans la conduite de leur structure.\n\n"
        "## Déroulé\n\n"
        "1. Apports théoriques et repères historiques ;\n"
        "2. Étude de cas tirés des structures des auditeurs ;\n"
        "3. Travail en sous-groupes, puis mise en commun.\n\n"
        "## Pour préparer la semaine de regroupement\n\n"
        "Relisez vos notes de l'atelier mémoire et repérez, dans votre propre organisation, une situation "
        "qui illustre le thème du séminaire : vous la présenterez en cinq minutes."
    )


def _upload(data: bytes, name: str, content_type: str, user) -> CourseItemFile:
    upload = FileStorage(stream=io.BytesIO(data), filename=name, content_type=content_type)
    return CourseItemFile(stored=save_upload(upload, "courses", user))


def load_demo(session, demo: dict) -> None:
    """Material for every seminar: a page each; a PDF and a link per bloc; a folder, a hidden item and a
    scheduled item in Bloc 4."""
    lecturer = demo["accounts"]["lecturer"]
    lecturers = demo["lecturers"]
    for bloc in demo["programme"].blocs:
        for index, seminar in enumerate(bloc.seminars):
            session.add(SeminarLecturer(seminar_id=seminar.id, user_id=lecturers[index % len(lecturers)].id))
            items = [
                CourseItem(
                    kind=ItemKind.PAGE,
                    title=f"Présentation : {seminar.title}",
                    position=1,
                    description="Objectifs, déroulé et préparation.",
                    body=_page_text(seminar, bloc),
                    created_by_id=lecturer.id,
                )
            ]
            if index == 0:
                lines = [
                    f"Bloc {bloc.number} : {bloc.title[:70]}",
                    f"Volume horaire : {bloc.hours} heures.",
                    "Évaluation : un écrit de contrôle continu, présenté en atelier mémoire.",
                    "Notions clés : gouvernance démocratique, utilité sociale, lucrativité limitée,",
                    "ancrage territorial, coopération entre acteurs publics et associatifs.",
                ]
                pdf = text_pdf(f"Fiche du bloc {bloc.number}", lines)
                items.append(
                    CourseItem(
                        kind=ItemKind.FILE,
                        title=f"Fiche du bloc {bloc.number} (PDF)",
                        position=2,
                        created_by_id=lecturer.id,
                        files=[_upload(pdf, f"fiche-bloc-{bloc.number}.pdf", "application/pdf", lecturer)],
                    )
                )
                title, url = LINKS[bloc.number]
                items.append(
                    CourseItem(
                        kind=ItemKind.LINK, title=title, url=url, position=3, created_by_id=lecturer.id
                    )
                )
            if bloc.number == 4 and index == 2:
                notes = (
                    "Grille d'observation d'un projet remarquable : gouvernance, modèle économique, "
                    "utilité sociale."
                )
                items.append(
                    CourseItem(
                        kind=ItemKind.FOLDER,
                        title="Boîte à outils de la monographie",
                        position=2,
                        created_by_id=lecturer.id,
                        files=[
                            _upload(notes.encode(), "grille-observation.txt", "text/plain", lecturer),
                            _upload(
                                "Plan type : histoire, acteurs, activités, enseignements.".encode(),
                                "plan-type.txt",
                                "text/plain",
                                lecturer,
                            ),
                        ],
                    )
                )
                items.append(
                    CourseItem(
                        kind=ItemKind.PAGE,
                        title="Corrigé de l'étude de cas (à publier)",
                        position=3,
                        hidden=True,
                        body="Éléments de corrigé, publiés après le regroupement.",
                        created_by_id=lecturer.id,
                    )
                )
            if bloc.number == 4 and index == 3:
                items.append(
                    CourseItem(
                        kind=ItemKind.PAGE,
                        title="Calendrier des rendus",
                        position=2,
                        available_from=utcnow() + timedelta(days=30),
                        body="Les dates de rendu seront publiées le mois prochain.",
                        created_by_id=lecturer.id,
                    )
                )
            for item in items:
                item.seminar = seminar
                session.add(item)
