"""``miam-qual rapport``: the theme review for supervisors, from the command line.

Only click is imported at the top: the command line registers this command at start-up."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(name="rapport")
@click.option("-p", "--projet", "project_path", type=click.Path(path_type=Path), default=".",
              show_default=True, help="Dossier du projet.")  # fmt: skip
@click.option("-f", "--format", "formats", type=click.Choice(["html", "docx", "xlsx", "all"]),
              multiple=True, default=["html"], show_default=True,
              help="Format du rapport (répétable ; « all » pour les trois).")  # fmt: skip
@click.option("-o", "--sortie", "output", type=click.Path(path_type=Path), default=Path("rapports"),
              show_default=True, help="Dossier où écrire le rapport.")  # fmt: skip
@click.option("-t", "--theme", "themes", multiple=True,
              help="Ne couvrir que ce thème (identifiant ; répétable).")  # fmt: skip
@click.option("-c", "--codeur", "coders", multiple=True,
              help="Ne prendre que les codages de ce codeur ou cette codeuse (répétable).")  # fmt: skip
@click.option("--unite", "unit", type=click.Choice(["turn", "sentence", "answer", "paragraph", "character"]),
              default="turn", show_default=True,
              help="Unité d'analyse de l'accord : tour de parole, phrase, réponse, paragraphe, caractère.")  # fmt: skip
@click.option("--non-code", "uncoded", type=click.Choice(["absent", "ignore"]), default="absent",
              show_default=True,
              help="Texte non codé : compté comme « code absent », ou ignoré.")  # fmt: skip
def rapport(project_path, formats, output, themes, coders, unit, uncoded) -> None:
    """Produit la revue des thèmes (HTML autonome, Word, Excel) pour les encadrant·es."""
    chosen = "all" if "all" in formats else list(dict.fromkeys(formats))
    if {"all", "html", "docx"} & set(formats):
        from .pictures import start_worker

        start_worker()  # loads matplotlib beside this process while it opens the project
    from ..project import Project
    from . import write_report

    with Project.open(project_path) as project:
        click.echo("Calcul du rapport (fréquences, synthèses, accord inter-codeurs)…")
        written = write_report(
            project, output, format=chosen, themes=list(themes) or None, coders=list(coders) or None,
            unit=unit, uncoded=uncoded,
        )  # fmt: skip
    click.echo(f"{len(written)} fichier(s) écrit(s) :")
    for path in written:
        click.echo(f"  - {path}")


@click.command(name="exporter-segments")
@click.option("-p", "--projet", "project_path", type=click.Path(path_type=Path), default=".",
              show_default=True, help="Dossier du projet.")  # fmt: skip
@click.option("-o", "--sortie", "output", type=click.Path(path_type=Path),
              default=Path("segments_codes.xlsx"), show_default=True,
              help="Fichier Excel à écrire (ou dossier : segments_codes.xlsx y est écrit).")  # fmt: skip
@click.option("-k", "--code", "codes", multiple=True,
              help="Ne prendre que ce code ou ce thème, sous-codes compris (identifiant ; répétable).")  # fmt: skip
@click.option("-c", "--codeur", "coders", multiple=True,
              help="Ne prendre que les codages de ce codeur ou cette codeuse (répétable).")  # fmt: skip
def exporter_segments(project_path, output, codes, coders) -> None:
    """Exporte tous les segments codés dans un classeur Excel (une ligne par codage), sous
    pseudonymes et selon les consentements, comme la feuille « Segments codés » du rapport."""
    from ..project import Project
    from .segments import write_segments

    with Project.open(project_path) as project:
        written = write_segments(
            project, output, codes=list(codes) or None, coders=list(coders) or None
        )
    click.echo(f"Segments codés écrits dans {written}")
