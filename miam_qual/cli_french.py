"""French for click's own messages (usage line, headings, option help, usage errors).

click routes every message through ``gettext``; its modules each hold their own ``_`` and
``ngettext``. Installing this small catalogue there makes ``miam-qual --help`` and its usage
errors French, as everything else a user reads. Messages missing from the catalogue stay as click
wrote them. ``install()`` is idempotent and only touches click's modules.
"""

from __future__ import annotations

import importlib

CATALOGUE = {
    "Usage:": "Utilisation :",
    "Options": "Options",
    "Commands": "Commandes",
    "Positional arguments": "Arguments",
    "Show this message and exit.": "Affiche cette aide et quitte.",
    "Show the version and exit.": "Affiche la version et quitte.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Essayez « {command} {option} » pour l'aide.",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Missing {param_type}": "{param_type} manquant",
    "Missing command.": "Commande manquante.",
    "No such command {name!r}.": "Commande inconnue {name!r}.",
    "No such option {name!r}.": "Option inconnue {name!r}.",
    "Option {name!r} does not take a value.": "L'option {name!r} ne prend pas de valeur.",
    "Aborted!": "Abandon.",
    "default: {default}": "par défaut : {default}",
    "required": "obligatoire",
    "file": "Fichier",
    "directory": "Dossier",
    "path": "Chemin",
    "{name} {filename!r} does not exist.": "{name} {filename!r} introuvable.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} est un dossier.",
    "{name} {filename!r} is a file.": "{name} {filename!r} est un fichier.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} illisible (droits).",
    "{name} {filename!r} is not writable.": "{name} {filename!r} non modifiable (droits).",
    "Could not open file {filename!r}: {message}": "Impossible d'ouvrir {filename!r} : {message}",
    "{value!r} is not a valid {number_type}.": "{value!r} n'est pas un {number_type} valide.",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "Choose from:\n\t{choices}": "Choisissez parmi :\n\t{choices}",
}
PLURALS = {
    "Got unexpected extra argument ({args})": (
        "Argument en trop ({args})",
        "Arguments en trop ({args})",
    ),
    "Option {name!r} requires an argument.": (
        "L'option {name!r} attend une valeur.",
        "L'option {name!r} attend {nargs} valeurs.",
    ),
    "{value!r} is not {choice}.": (
        "{value!r} ne fait pas partie des choix : {choice}.",
        "{value!r} ne fait pas partie des choix : {choices}.",
    ),
    "Did you mean {possibility}?": (
        "Vouliez-vous dire {possibility} ?",
        "(Vouliez-vous dire : {possibilities} ?)",
    ),
}
_MODULES = ("core", "exceptions", "formatting", "decorators", "types", "parser", "termui")


def gettext(message: str) -> str:
    return CATALOGUE.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if singular in PLURALS:
        one, many = PLURALS[singular]
        return one if n == 1 else many
    return singular if n == 1 else plural


def install() -> None:
    """Point click's message functions at the French catalogue."""
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        # click looks these names up in its own modules at call time: replacing them translates
        for attribute, function in (("_", gettext), ("ngettext", ngettext)):
            if hasattr(module, attribute):
                setattr(module, attribute, function)
