"""The ``miam-qual`` command: a thin click layer over the library.

It parses arguments, calls the library, and turns every ``MiamError`` into a French message on
stderr and exit code 1, in one place (``main``). Everything it prints is French.

Each command imports what it uses inside its function, so that ``miam-qual --help`` and a
command's ``--help`` load neither pandas nor matplotlib (``benchmarks/bench_startup.py``); the
command modules of ``reports``, ``publication`` and ``exchange`` import only click at the top.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import cli_french
from .errors import MiamError
from .exchange.command import LINES_OPTION, UNIT_OPTION, import_refi_files

cli_french.install()  # before the decorators below, which read click's messages


class _Group(click.Group):
    """Turns library errors into a clean message and exit code 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MiamError as err:
            click.secho(f"Erreur : {err}", fg="red", err=True)
            ctx.exit(1)


CONTEXT = {"help_option_names": ["-h", "--help"]}
project_option = click.option(
    "-p", "--projet", "project_path", type=click.Path(path_type=Path), default=".", show_default=True,
    help="Dossier du projet.",
)  # fmt: skip


def run() -> None:
    """The ``miam-qual`` program: ``main``, then a quick exit.

    When the command is over, everything it wrote is closed, the ``atexit`` handlers have run and
    the output is flushed; the interpreter is then left with ``os._exit`` instead of being torn
    down object by object, which took 0.2 to 0.3 s after a report had loaded pandas and
    matplotlib (``benchmarks/bench_report.py``). The exit status is ``main``'s: 0, 1 for a
    ``MiamError``, 2 for a usage error. An unexpected error leaves as usual, with its traceback.
    """
    import atexit
    import os

    try:
        main()
        code = 0
    except SystemExit as done:
        if isinstance(done.code, str):  # sys.exit("message"): printed, status 1
            print(done.code, file=sys.stderr)
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed or broken pipe: nothing more to say
            pass
    os._exit(code)


@click.group(cls=_Group, context_settings=CONTEXT, subcommand_metavar="COMMANDE [ARGUMENTS]...")
@click.version_option(package_name="miam_qual", message="miam-qual %(version)s")
def main() -> None:
    """miam-qual : atelier d'analyse qualitative du projet MIAM."""


@main.command()
@click.argument("dossier", type=click.Path(path_type=Path))
@click.option("--nom", help="Nom du projet.")
@click.option("--livre-de-codes", "codebook", type=click.Path(exists=True, path_type=Path),
              help="Livre de codes YAML à reprendre.")  # fmt: skip
@click.option(
    "--config", type=click.Path(exists=True, path_type=Path), help="projet.yml à reprendre."
)
def init(dossier: Path, nom: str | None, codebook: Path | None, config: Path | None) -> None:
    """Crée un nouveau projet dans DOSSIER."""
    from .project import Project

    project = Project.create(dossier, name=nom, codebook=codebook, config=config)
    click.echo(f"Projet « {project.name} » créé dans {project.root}.")
    project.close()


@main.command(name="import")
@click.argument("fichiers", nargs=-1, required=True, type=click.Path(path_type=Path))
@project_option
@click.option("-a", "--attribut", "attributes", multiple=True, metavar="NOM=VALEUR",
              help="Attribut appliqué à tous les fichiers (répétable).")  # fmt: skip
@click.option(
    "--reponses",
    "answers",
    multiple=True,
    help="Colonne de réponse ouverte (questionnaire, répétable).",
)
@click.option(
    "--identifiant", "id_column", help="Colonne identifiant le répondant (questionnaire)."
)
@click.option("--metadonnees", type=click.Path(exists=True, path_type=Path),
              help="Tableau CSV (colonne « fichier ») d'attributs à appliquer ensuite.")  # fmt: skip
@click.option("--par", "by", help="Qui importe (par défaut : $MIAM_CODEUR ou l'utilisateur).")
@UNIT_OPTION
@LINES_OPTION
def import_(fichiers, project_path, attributes, answers, id_column, metadonnees, by, unit,
            lines) -> None:  # fmt: skip
    """Importe des fichiers sources (txt, md, docx, odt, vtt, srt, csv, xlsx) : tout ou rien ;
    ou un projet REFI-QDA (.qdpx) ou un livre de codes (.qdc) d'un autre logiciel."""
    from .project import Project

    refi = [f for f in fichiers if f.suffix.lower() in (".qdpx", ".qdc")]
    if refi:
        if len(refi) != len(fichiers):
            raise click.BadParameter(
                "importez les fichiers .qdpx ou .qdc à part des autres fichiers sources."
            )
        if attributes or answers or id_column or metadonnees:
            raise click.BadParameter(
                "--attribut, --reponses, --identifiant et --metadonnees ne s'appliquent pas à un "
                "projet REFI-QDA : ses attributs viennent de ses variables et de ses cas."
            )
        with Project.open(project_path) as project:
            import_refi_files(project, refi, by=by, unit=unit, lines=lines)
        return
    values = {}
    for item in attributes:
        if "=" not in item:
            raise click.BadParameter(
                f"« {item} » : la forme attendue est NOM=VALEUR.", param_hint="--attribut"
            )
        key, value = item.split("=", 1)
        values[key.strip()] = value.strip()
    with Project.open(project_path) as project:
        added = project.import_files(list(fichiers), answer_columns=list(answers) or None,
                                     id_column=id_column, by=by, **values)  # fmt: skip
        if metadonnees:
            project.import_metadata(metadonnees)
        click.echo(f"{len(added)} document(s) importé(s) :")
        for name in added["document"]:
            click.echo(f"  - {name}")


@main.command()
@project_option
@click.option(
    "--nettoyer",
    is_flag=True,
    help="Supprimer de corpus/ les fichiers qui ne sont la source d'aucun document.",
)
def validate(project_path: Path, nettoyer: bool) -> None:
    """Vérifie le projet : livre de codes, passages codés, fichiers du corpus."""
    from .project import Project

    with Project.open(project_path) as project:
        if nettoyer:
            removed = project.clean_orphans()
            click.echo(f"{len(removed)} fichier(s) supprimé(s) de corpus/.")
            for name in removed:
                click.echo(f"  - {name}")
        problems = project.validate()
    if problems:
        click.echo(f"{len(problems)} problème(s) :")
        for problem in problems:
            click.echo(f"- {problem}")
        sys.exit(1)
    click.echo("Projet valide : aucun problème trouvé.")


@main.command()
@project_option
def status(project_path: Path) -> None:
    """Résume le projet : documents, codes, codages par codeur."""
    from .demo import summary
    from .project import Project

    with Project.open(project_path) as project:
        click.echo(summary(project))


@main.command()
@click.argument("dossier", type=click.Path(path_type=Path), default="demo_projet")
@click.option("--si-absent", is_flag=True, help="Ne rien faire si le projet existe déjà.")
def demo(dossier: Path, si_absent: bool) -> None:
    """Construit le projet de démonstration (fictif) dans DOSSIER."""
    from .demo import build_demo, summary
    from .project import Project

    if si_absent and (dossier / "projet.yml").exists():
        with Project.open(dossier) as project:
            click.echo(summary(project))
        return
    build_demo(dossier).close()


@main.command()
@click.argument("nom")
@project_option
def codeur(nom: str, project_path: Path) -> None:
    """Enregistre un codeur ou une codeuse dans le projet."""
    from .project import Project

    with Project.open(project_path) as project:
        project.add_coder(nom)
    click.echo(f"Codeur « {nom} » enregistré.")


@main.command()
@click.argument("destination", type=click.Path(path_type=Path))
@project_option
@click.option("--avec-prive", "include_private", is_flag=True,
              help="Inclure prive/ (les vrais noms des participants).")  # fmt: skip
def sauvegarder(destination: Path, project_path: Path, include_private: bool) -> None:
    """Sauvegarde le projet dans DESTINATION, un nouveau dossier : base (écritures récentes
    comprises), livre de codes, corpus, médias, réglages ; prive/ seulement avec --avec-prive."""
    from .project import Project

    with Project.open(project_path) as project:
        written = project.backup(destination, include_private=include_private)
        private = (project.root / "prive").exists()
    click.echo(f"Projet sauvegardé dans {written}.")
    if private and include_private:
        click.echo(
            "Le dossier prive/ (vrais noms des participants) est inclus : gardez cette sauvegarde "
            "en lieu sûr et ne la faites pas circuler."
        )
    elif private:
        click.echo(
            "Le dossier prive/ (vrais noms des participants) n'est pas inclus ; ajoutez "
            "--avec-prive pour l'inclure."
        )


@main.command(name="remplacer-texte")
@click.argument("document")
@click.argument("fichier", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@project_option
@click.option("--par", "by", required=True, envvar="MIAM_CODEUR",
              help="Qui corrige (par défaut : $MIAM_CODEUR).")  # fmt: skip
@click.option("--raison", "reason", help="Pourquoi (gardé dans l'historique des versions).")
@click.option("--version", "expected_version", type=int,
              help="Refuser si le document n'est plus à cette version (modifié ailleurs).")  # fmt: skip
def remplacer_texte(document: str, fichier: Path, project_path: Path, by: str,
                    reason: str | None, expected_version: int | None) -> None:  # fmt: skip
    """Remplace le texte de DOCUMENT par celui de FICHIER, une version corrigée : codages,
    citations, tours de parole et minutages suivent le texte ; l'ancienne version est gardée."""
    from .project import Project

    with Project.open(project_path) as project:
        done = project.replace_text_from_file(
            document, fichier, by=by, reason=reason, expected_version=expected_version
        )
    click.echo(
        f"« {document} » : version {done['version']} enregistrée. Codages inchangés : "
        f"{done['untouched']}, modifiés (à confirmer) : {done['modified']}, orphelins : "
        f"{done['orphaned']} ; citations à valider de nouveau : {done['quotes_reset']}."
    )


@main.command(name="pseudonymiser-texte")
@click.argument("document")
@project_option
@click.option("--par", "by", required=True, envvar="MIAM_CODEUR",
              help="Qui pseudonymise (par défaut : $MIAM_CODEUR).")  # fmt: skip
def pseudonymiser_texte(document: str, project_path: Path, by: str) -> None:
    """Remplace dans le texte même de DOCUMENT chaque nom de prive/pseudonymes.yml par son
    pseudonyme (une nouvelle version) ; le texte d'avant est gardé dans prive/originaux/."""
    from .project import Project

    with Project.open(project_path) as project:
        done = project.pseudonymise_source(document, by=by)
    click.echo(
        f"« {document} » : {done['names']} nom(s) remplacé(s), version {done['version']} "
        f"enregistrée ; codages modifiés (à confirmer) : {done['modified']}, orphelins : "
        f"{done['orphaned']}."
    )


# Commands that live with their concept register here, one line each.
from .reports.command import exporter_segments, rapport  # noqa: E402

main.add_command(rapport)
main.add_command(exporter_segments)
from .publication.command import citations  # noqa: E402

main.add_command(citations)
from .exchange.command import exporter_refi, fusionner  # noqa: E402

main.add_command(exporter_refi)
main.add_command(fusionner)
