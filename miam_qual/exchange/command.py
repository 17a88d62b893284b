"""Command-line side of the exchange: ``miam-qual fusionner``, ``miam-qual exporter-refi``, and
the ``.qdpx``/``.qdc`` branch of ``miam-qual import`` (``import_refi_files``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..project import Project

UNIT_OPTION = click.option(
    "--unite", "unit", type=click.Choice(["points", "utf16", "octets"]),
    help="Unité des positions dans le fichier, si le logiciel d'origine ne suit pas son habitude "
    "(par défaut : déduite du logiciel, NVivo compte en UTF-16).",
)  # fmt: skip
LINES_OPTION = click.option(
    "--fins-de-ligne", "lines", type=click.Choice(["brut", "lf"]),
    help="Comment le fichier compte un retour à la ligne Windows (CRLF) : « brut » pour deux, "
    "« lf » pour un (par défaut : déduit du logiciel).",
)  # fmt: skip


def import_refi_files(
    project: Project,
    files: list[Path],
    *,
    by: str | None,
    unit: str | None = None,
    lines: str | None = None,
    preview: bool = False,
) -> None:
    """Import (or preview) each ``.qdpx``/``.qdc`` file and print its French report."""
    from . import import_refi, preview_import

    for path in files:
        if preview:
            report = preview_import(project, path, unit=unit, lines=lines)
        else:
            report = import_refi(project, path, by=by, unit=unit, lines=lines)
        click.echo(str(report))


@click.command(name="fusionner")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("-p", "--projet", "project_path", type=click.Path(path_type=Path), default=".",
              show_default=True, help="Dossier du projet qui reçoit la fusion.")  # fmt: skip
@click.option(
    "--apercu", is_flag=True, help="Montrer ce que la fusion ajouterait, sans rien écrire."
)
@click.option("--nouveaux-documents", "new_documents", is_flag=True,
              help="Ajouter aussi les documents absents du projet (sinon leurs codages sont "
              "seulement listés).")  # fmt: skip
@click.option("--par", "by", help="Qui fusionne (par défaut : $MIAM_CODEUR ou l'utilisateur).")
@UNIT_OPTION
@LINES_OPTION
def fusionner(source, project_path, apercu, new_documents, by, unit, lines) -> None:
    """Fusionne dans le projet le codage d'une copie du projet (dossier) ou d'un fichier .qdpx
    codé sur les mêmes documents : rien n'est perdu, refaire la fusion n'ajoute rien."""
    from ..project import Project
    from . import merge, preview_merge

    with Project.open(project_path) as project:
        if apercu:
            report = preview_merge(
                project, source, new_documents=new_documents, unit=unit, lines=lines
            )
        else:
            report = merge(
                project, source, by=by, new_documents=new_documents, unit=unit, lines=lines
            )
    click.echo(str(report))


@click.command(name="exporter-refi")
@click.argument("archive", type=click.Path(path_type=Path))
@click.option("-p", "--projet", "project_path", type=click.Path(path_type=Path), default=".",
              show_default=True, help="Dossier du projet.")  # fmt: skip
@click.option("-f", "--format", "form", type=click.Choice(["qdpx", "qdc"]), default=None,
              help="qdpx : le projet entier ; qdc : le livre de codes seul (par défaut : selon "
              "l'extension de ARCHIVE).")  # fmt: skip
@click.option("--positions", type=click.Choice(["points", "utf16"]), default="points",
              show_default=True,
              help="Unité des positions : points de code (norme REFI-QDA, lue par la plupart des "
              "logiciels) ou utf16 (NVivo, pour les textes avec emojis).")  # fmt: skip
@click.option("--transcriptions", type=click.Choice(["audio", "texte"]), default="audio",
              show_default=True,
              help="Transcriptions minutées : avec leur enregistrement (audio) ou comme textes.")  # fmt: skip
def exporter_refi(archive, project_path, form, positions, transcriptions) -> None:
    """Exporte le projet au format d'échange REFI-QDA (.qdpx : NVivo, ATLAS.ti, MAXQDA…) ou son
    livre de codes seul (.qdc)."""
    from . import export_qdc, export_qdpx

    form = form or ("qdc" if archive.suffix.lower() == ".qdc" else "qdpx")
    if archive.suffix.lower() != f".{form}":
        archive = archive.with_name(archive.name + f".{form}")
    from ..project import Project

    with Project.open(project_path) as project:
        if form == "qdc":
            written = export_qdc(project, archive)
            click.echo(f"Livre de codes exporté au format REFI-QDA : {written}")
        else:
            written = export_qdpx(project, archive, positions=positions, transcripts=transcriptions)
            click.echo(f"Projet exporté au format REFI-QDA : {written}")
