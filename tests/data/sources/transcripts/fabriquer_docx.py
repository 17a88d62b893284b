"""Write this folder's .docx fixtures again (python-docx): ``python fabriquer_docx.py``.

They are kept in the repository as written, so the tests read the files themselves; this script
only says how they were made. Word's own layout is imitated: one paragraph per turn, f4's marks at
the end of each paragraph, and a three-column table time | speaker | text under a title.
"""

from pathlib import Path

import docx

HERE = Path(__file__).parent


def paragraphs(name: str, lines: list[str]) -> None:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.core_properties.author = ""
    document.save(HERE / name)


def table(name: str) -> None:
    document = docx.Document()
    document.add_heading("Épicerie solidaire — atelier du 3 avril", level=1)
    rows = [
        ("Temps", "Locuteur", "Texte"),
        ("00:00:05", "Animatrice", "On commence par les prix ?"),
        ("00:00:09", "Bénévole", "Le panier est à deux euros."),
        ("00:00:14", "Bénévole", "Et gratuit pour les familles suivies."),
        ("00:00:20", "Animatrice", "Merci."),
        ("", "", "(rires)"),
    ]
    grid = document.add_table(rows=len(rows), cols=3)
    for row, values in zip(grid.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("Fin de l’enregistrement.")
    document.core_properties.author = ""
    document.save(HERE / name)


if __name__ == "__main__":
    paragraphs(
        "marche_f4.docx",
        [
            "I: Vous faites vos courses où, d’habitude ? #00:00:04-2#",
            "B: Au marché du samedi, et à l’épicerie solidaire. #00:00:11-7#",
            "I: Et la cantine ? #00:00:15-0#",
        ],
    )
    paragraphs(
        "cantine_crochets.docx",
        [
            "Entretien à la cantine",
            "[00:00:03] Enquêtrice : Combien de repas par jour ?",
            "[00:00:06.5] Cuisinier : Deux cents, et trente le mercredi.",
            "(00:12) Enquêtrice : Avec du bio ?",
        ],
    )
    table("epicerie_tableau.docx")
