"""The miam-qual command through click's test runner."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from miam_qual import Project
from miam_qual.cli import main

DATA = Path(__file__).parent / "data"


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


@pytest.mark.parametrize("path", [p for p, _ in all_commands(main)], ids=" ".join)
def test_every_command_has_french_help(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert "Utilisation :" in result.output and "Affiche cette aide et quitte." in result.output
    assert "Usage:" not in result.output and "Show this message" not in result.output
    command = dict(all_commands(main))[path]
    assert command.help and command.help.strip()[0].isupper()


def test_init_import_status_validate(tmp_path: Path):
    runner = CliRunner()
    root = tmp_path / "projet"
    result = runner.invoke(
        main,
        [
            "init",
            str(root),
            "--nom",
            "Essai",
            "--livre-de-codes",
            str(DATA / "codebooks" / "valide.yml"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Projet « Essai » créé" in result.output
    result = runner.invoke(
        main,
        ["import", "-p", str(root), str(DATA / "core" / "entretien_cantine.txt"),
         "-a", "type_source=entretien partenaire", "-a", "vague=bilan"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 document(s) importé(s)" in result.output and "entretien_cantine.txt" in result.output
    with Project.open(root) as project:
        assert project.documents().iloc[0]["vague"] == "bilan"
    result = runner.invoke(main, ["status", "-p", str(root)])
    assert (
        "Documents : 1" in result.output
        and "Livre de codes : 6 codes dans 2 thèmes" in result.output
    )
    result = runner.invoke(main, ["validate", "-p", str(root)])
    assert result.exit_code == 0 and "Projet valide" in result.output


def test_errors_are_french_messages_with_exit_code_1(tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(main, ["status", "-p", str(tmp_path)])
    assert result.exit_code == 1
    assert "Erreur : " in result.output and "n'est pas un projet miam_qual" in result.output
    assert "Traceback" not in result.output
    runner.invoke(main, ["init", str(tmp_path / "p")])
    result = runner.invoke(
        main, ["import", "-p", str(tmp_path / "p"), str(DATA / "core" / "casse_utf8.txt")]
    )
    assert result.exit_code == 1 and "« casse_utf8.txt » : octet 26" in result.output
    result = runner.invoke(
        main,
        [
            "import",
            "-p",
            str(tmp_path / "p"),
            str(DATA / "core" / "entretien_cantine.txt"),
            "-a",
            "vague",
        ],
    )
    assert result.exit_code == 2 and "NOM=VALEUR" in result.output
    with Project.open(tmp_path / "p") as project:
        assert project.documents().empty


def test_validate_fails_on_a_broken_project(tmp_path: Path):
    runner = CliRunner()
    runner.invoke(main, ["init", str(tmp_path / "p")])
    runner.invoke(
        main, ["import", "-p", str(tmp_path / "p"), str(DATA / "core" / "entretien_cantine.txt")]
    )
    (tmp_path / "p" / "corpus" / "entretien_cantine.txt").unlink()
    result = runner.invoke(main, ["validate", "-p", str(tmp_path / "p")])
    assert (
        result.exit_code == 1
        and "Fichier source manquant dans corpus/ : « entretien_cantine.txt »" in result.output
    )


def test_usage_errors_are_french_too():
    result = CliRunner().invoke(main, ["importer", "x"])
    assert result.exit_code == 2
    assert "Erreur : Commande inconnue 'importer'. Vouliez-vous dire 'import' ?" in result.output
    result = CliRunner().invoke(main, ["import"])
    assert "Argument manquant 'FICHIERS...'" in result.output


def test_help_starts_without_the_heavy_libraries():
    """``miam-qual --help`` and each command's help load neither pandas, numpy, matplotlib,
    spaCy nor WeasyPrint (measured in ``benchmarks/bench_startup.py``)."""
    import subprocess
    import sys

    heavy = ("pandas", "numpy", "matplotlib", "spacy", "weasyprint", "jinja2", "lxml", "av")
    probe = (
        "import sys\nfrom miam_qual.cli import main\n"
        "for args in ([], ['rapport'], ['citations', 'exporter'], ['import'], ['fusionner']):\n"
        "    try:\n        main([*args, '--help'])\n    except SystemExit:\n        pass\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert "Utilisation :" in done.stdout


def test_the_installed_program_keeps_its_exit_status_and_output(built_demo, tmp_path):
    """``miam-qual`` (``cli.run``) leaves without tearing the interpreter down: its output,
    piped, is complete, and its status is 0, 1 for a refused action, 2 for a usage error."""
    import shutil
    import subprocess
    import sys

    program = Path(sys.executable).parent / (
        "miam-qual.exe" if sys.platform == "win32" else "miam-qual"
    )
    assert program.is_file(), "the package is installed in this environment (make setup)"
    shutil.copytree(built_demo, tmp_path / "projet")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(program), *args], capture_output=True, text=True, timeout=300)

    done = run("rapport", "-p", str(tmp_path / "projet"), "-f", "all", "-o", str(tmp_path / "r"))
    assert done.returncode == 0, done.stderr
    written = sorted((tmp_path / "r").iterdir())
    assert [p.name for p in written] == [f"revue_des_themes.{x}" for x in ("docx", "html", "xlsx")]
    assert done.stdout.splitlines() == [
        "Calcul du rapport (fréquences, synthèses, accord inter-codeurs)…",
        "3 fichier(s) écrit(s) :",
        *(f"  - {p}" for p in written),
    ]
    refused = run("rapport", "-p", str(tmp_path / "absent"))
    assert refused.returncode == 1 and refused.stderr.startswith("Erreur : « ")
    misused = run("rapport", "--inconnue")
    assert misused.returncode == 2 and "Option inconnue '--inconnue'" in misused.stderr
