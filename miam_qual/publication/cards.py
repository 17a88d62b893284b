"""Square quote cards for social networks: one PNG (1080 × 1080 by default) per quote aimed at
« réseaux sociaux » (``citation`` consent), rendered by WeasyPrint then PDFium (``rendering``).

Writes ``cartes.pdf``, ``cartes/C001.png``… and ``rapport_export.txt`` into the destination.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .consent import DEFAULT_STATUSES, ExportReport, begin_export, too_long_for
from .exhibition import card_size, panel_colors, panel_environment, render_html
from .rendering import pdf_to_pngs
from .settings import load_settings

if TYPE_CHECKING:
    from ..project import Project


def export_social_cards(
    project: Project,
    destination: Path | str,
    *,
    theme: str | None = None,
    size_px: int = 1080,
    max_chars: int | None = None,
    statuses: tuple[str, ...] | None = DEFAULT_STATUSES,
    strict: bool = False,
) -> ExportReport:
    """Square PNG cards (``size_px`` × ``size_px``) of the quotes aimed at « réseaux sociaux »
    (``citation`` consent), in ``cartes/C001.png``, plus ``cartes.pdf``."""
    settings = load_settings(project.root)
    limit = settings.max_panel_chars if max_chars is None else int(max_chars)
    start = begin_export(
        project, destination, "réseaux sociaux", theme=theme, statuses=statuses, strict=strict,
        check=too_long_for(limit, "une carte"),
    )  # fmt: skip
    pseudonyms, report = start.pseudonyms, start.report
    allowed = start.allowed
    cards = []
    for row in allowed.itertuples():
        cards.append({"id": row.quote_id, "text": row.public_text, "attribution": row.attribution,
                      "theme": row.theme, "size": card_size(row.public_text),
                      **panel_colors({"color": row.color})})  # fmt: skip
    env = panel_environment()
    html = env.get_template("cartes.html.j2").render(
        cards=cards, credit=pseudonyms.apply(start.settings.credit)
    )
    with start.gate:
        folder = start.folder
        pdf = folder / "cartes.pdf"
        render_html(html).write_pdf(str(pdf))
        pdf_to_pngs(
            pdf, [folder / "cartes" / f"{card['id']}.png" for card in cards], size_px=size_px
        )
        report.exported = list(allowed["quote_id"])
        report.write(folder)
    report.files = start.gate.files
    return report
