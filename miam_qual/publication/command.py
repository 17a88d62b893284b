"""``miam-qual citations``: list quotes, review names, and export (radio, exposition, tableur,
réseaux). A thin click layer: errors become French messages in ``miam_qual.cli``. Only click and
the list of audio formats are imported at the top: the command line registers this group at
start-up."""

from __future__ import annotations

from pathlib import Path

import click

from .media import ENCODERS

FORMATS = ("radio", "exposition", "tableur", "reseaux")


@click.group(name="citations", context_settings={"help_option_names": ["-h", "--help"]})
def citations() -> None:
    """Citations : choisir des extraits et les publier (radio, exposition, tableur, réseaux)."""


@citations.command(name="liste")
@click.option("-p", "--projet", "project_path", type=click.Path(path_type=Path), default=".", show_default=True,
              help="Dossier du projet.")  # fmt: skip
@click.option("--theme", help="Identifiant du thème.")
@click.option("--statut", help="Statut (proposée, retenue, validée, publiée, écartée).")
def show_quotes(project_path: Path, theme: str | None, statut: str | None) -> None:
    """Affiche les citations (identifiant, statut, thème, attribution, texte)."""
    from ..project import Project
    from .quotes import list_quotes

    with Project.open(project_path) as project:
        frame = list_quotes(project, theme=theme, status=statut)
    if frame.empty:
        click.echo("Aucune citation.")
        return
    for row in frame.itertuples():
        click.echo(f"{row.quote_id} [{row.status}] {row.theme} — {row.attribution}")
        click.echo(f"    « {row.public_text[:160]} »")


@citations.command(name="exporter")
@click.option("-p", "--projet", "project_path", type=click.Path(path_type=Path), default=".", show_default=True,
              help="Dossier du projet.")  # fmt: skip
@click.option(
    "-f", "--format", "fmt", type=click.Choice(FORMATS), required=True, help="Type d'export."
)
@click.option("-o", "--sortie", "output", type=click.Path(path_type=Path), required=True,
              help="Dossier où écrire l'export (hors du dossier prive/).")  # fmt: skip
@click.option("--theme", help="N'exporter qu'un thème (identifiant).")
@click.option(
    "--marge-ms", "padding", type=int, help="Marge audio avant et après chaque extrait (ms)."
)
@click.option(
    "--duree-max", "max_duration", type=float, help="Durée maximale d'un extrait radio (s)."
)
@click.option("--audio", type=click.Choice(list(ENCODERS)), default="wav", show_default=True,
              help="Format des extraits sonores.")  # fmt: skip
@click.option("--papier", type=click.Choice(["A3", "A2"], case_sensitive=False), default="A3", show_default=True,
              help="Format des panneaux.")  # fmt: skip
@click.option("--orientation", type=click.Choice(["portrait", "paysage"]), default="portrait", show_default=True,
              help="Orientation des panneaux.")  # fmt: skip
@click.option(
    "--longueur-max", "max_chars", type=int, help="Longueur maximale d'une citation sur panneau."
)
@click.option("--sans-nuage", is_flag=True, help="Panneaux sans nuage de mots.")
@click.option("--strict", is_flag=True, help="Refuser tout l'export si une citation est refusée.")
@click.option("--montage", is_flag=True,
              help="Radio : monter aussi l'épisode (WAV, MP3 chapitré, minutage) et la page d'écoute.")  # fmt: skip
@click.option("--sonie", type=click.Choice(["ebu", "podcast"]),
              help="Radio, avec --montage : niveau de l'épisode, ebu (−23 LUFS) ou podcast (−16 LUFS) ; "
                   "par défaut cible_sonie de publication.yml, sinon ebu.")  # fmt: skip
def export(project_path, fmt, output, theme, padding, max_duration, audio, papier, orientation,
           max_chars, sans_nuage, strict, montage, sonie) -> None:  # fmt: skip
    """Exporte les citations validées : radio, exposition, tableur ou réseaux."""
    from ..project import Project
    from .cards import export_social_cards
    from .exhibition import export_exhibition
    from .radio import export_radio
    from .spreadsheet import export_spreadsheet

    if (montage or sonie) and fmt != "radio":
        raise click.UsageError("--montage et --sonie ne servent qu'au format radio.")
    if sonie and not montage:
        raise click.UsageError("--sonie règle le niveau de l'épisode : ajoutez --montage.")
    with Project.open(project_path) as project:
        if fmt == "radio":
            report = export_radio(project, output, theme=theme, padding_ms=padding,
                                  max_duration_s=max_duration, audio_format=audio, strict=strict,
                                  montage=montage, loudness=sonie)  # fmt: skip
        elif fmt == "exposition":
            report = export_exhibition(project, output, theme=theme, paper=papier, orientation=orientation,
                                       max_chars=max_chars, with_word_cloud=not sans_nuage, strict=strict)  # fmt: skip
        elif fmt == "reseaux":
            report = export_social_cards(
                project, output, theme=theme, max_chars=max_chars, strict=strict
            )
        else:
            report = export_spreadsheet(project, output, theme=theme, strict=strict)
    click.echo(report.summary())
