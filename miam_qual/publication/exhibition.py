"""Exhibition export: print-ready panels (PDF with bleed and crop marks, one PNG per panel).
Square quote cards for social networks live in ``cards``.

Panels are Jinja2 HTML/CSS templates (``templates/``) rendered by WeasyPrint: one panel per theme
(several when a theme has more quotes than fit), with the theme's colour, its quotes as cards
with their attribution, optional key figures and an optional word cloud. The word cloud only uses
the words of participants who consented to the exhibition, after pseudonymisation.

Writes into the destination folder::

    panneaux.pdf                      every panel, one page each (trim size A3/A2 + 3 mm bleed)
    panneaux/panneau_01_<theme>.pdf   one file per panel, for the printer
    panneaux_png/panneau_01_<theme>.png   previews (rendered by PDFium, see ``rendering``)
    rapport_export.txt
"""

from __future__ import annotations

import base64
import colorsys
import io
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..errors import ExportError
from ..privacy.pseudonyms import Pseudonyms
from .consent import DEFAULT_STATUSES, ExportReport, begin_export, too_long_for
from .outputs import guard_files
from .rendering import pdf_to_pngs
from .settings import load_settings

if TYPE_CHECKING:
    from ..project import Project

TEMPLATES = Path(__file__).parent / "templates"
#: Trim sizes in millimetres (portrait).
PAPER_MM = {"A3": (297, 420), "A2": (420, 594)}
ORIENTATIONS = {"portrait": "portrait", "paysage": "landscape", "landscape": "landscape"}
BLEED_MM = 3
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html.j2"])
    )


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:40] or "theme"


def tint(color: str, amount: float) -> str:
    """Mix a ``#rrggbb`` colour with white (``amount`` 0 → colour, 1 → white)."""
    color = color.lstrip("#")
    if len(color) == 3:
        color = "".join(c * 2 for c in color)
    r, g, b = (int(color[i : i + 2], 16) for i in (0, 2, 4))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def shade(color: str, factor: float) -> str:
    """Darken (``factor`` < 1) a ``#rrggbb`` colour, keeping its hue."""
    color = color.lstrip("#")
    if len(color) == 3:
        color = "".join(c * 2 for c in color)
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (0, 2, 4))
    h, lightness, s = colorsys.rgb_to_hls(r, g, b)
    r, g, b = colorsys.hls_to_rgb(h, max(0.0, min(1.0, lightness * factor)), s)
    return "#" + "".join(f"{round(c * 255):02x}" for c in (r, g, b))


def word_cloud(texts: list[str], color: str, *, width: int = 1100, height: int = 360) -> str | None:
    """A word cloud of ``texts`` in shades of ``color``, as a PNG data URI (``None`` if too few
    words)."""
    from wordcloud import WordCloud

    from ..nlp import stop_words

    stops = stop_words()
    counts = Counter(
        w for text in texts for w in re.findall(r"[\wÀ-ÿ’'-]+", text.lower())
        if len(w) >= 4 and w not in stops and not w.isdigit() and "'" not in w and "’" not in w
    )  # fmt: skip
    if len(counts) < 5:
        return None
    palette = [shade(color, f) for f in (0.55, 0.7, 0.85, 1.0)]

    def color_func(word, font_size, position, orientation, random_state=None, **kwargs):
        return palette[hash(word) % len(palette)]

    cloud = WordCloud(
        width=width // 2, height=height // 2, scale=2, background_color=None, mode="RGBA", max_words=45,
        font_path=FONT if Path(FONT).exists() else None, prefer_horizontal=0.95,
        color_func=color_func, random_state=7, margin=6,
    ).generate_from_frequencies(dict(counts.most_common(80)))  # fmt: skip
    buffer = io.BytesIO()
    cloud.to_image().save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def theme_figures(project: Project, theme_id: str) -> list[tuple[str, str]]:
    """Key figures of a theme: coded passages, people and documents concerned."""
    codings = project.codings(theme_id) if theme_id in project.codebook else pd.DataFrame()
    if codings.empty:
        return []
    people = codings["participant"].dropna().nunique() if "participant" in codings else 0
    return [
        (str(codings["selection_id"].nunique()), "passages recueillis"),
        (str(people), "personnes qui en parlent"),
        (str(codings["document_id"].nunique()), "entretiens, ateliers et témoignages"),
    ]


def _theme_texts(project: Project, theme_id: str, pseudonyms: Pseudonyms) -> list[str]:
    """Coded texts of a theme from participants consenting to the exhibition, pseudonymised."""
    if theme_id not in project.codebook:
        return []
    codings = project.codings(theme_id)
    if codings.empty or "participant" not in codings:
        return []
    people = project.participants()
    allowed = set(people.loc[people.get("consentement_exposition", False) == True, "participant"])  # noqa: E712
    codings = codings[codings["participant"].isin(allowed)].drop_duplicates("selection_id")
    return [pseudonyms.apply(t) for t in codings["text"]]


def _card_size(text: str) -> str:
    length = len(text)
    return "court" if length < 110 else "moyen" if length < 200 else "long"


def _page_geometry(paper: str, orientation: str) -> tuple[str, str, float, float, float]:
    """(paper, orientation, width_mm, height_mm, base font size in pt)."""
    paper = paper.upper()
    if paper not in PAPER_MM:
        raise ExportError(
            f"Format de papier « {paper} » inconnu (formats : {', '.join(PAPER_MM)})."
        )
    key = orientation.lower()
    if key not in ORIENTATIONS:
        raise ExportError(f"Orientation « {orientation} » inconnue (portrait ou paysage).")
    width, height = PAPER_MM[paper]
    if ORIENTATIONS[key] == "landscape":
        width, height = height, width
    base = 12.0 * PAPER_MM[paper][0] / 297
    return paper, ORIENTATIONS[key], width, height, base


def export_exhibition(
    project: Project,
    destination: Path | str,
    *,
    theme: str | None = None,
    paper: str = "A3",
    orientation: str = "portrait",
    max_chars: int | None = None,
    cards_per_panel: int = 6,
    with_word_cloud: bool = True,
    with_figures: bool = True,
    png: bool = True,
    png_dpi: int = 50,
    statuses: tuple[str, ...] | None = DEFAULT_STATUSES,
    strict: bool = False,
) -> ExportReport:
    """Render the exhibition panels of the quotes aimed at « exposition » (see module docstring).

    Quotes are refused without exhibition consent or when longer than ``max_chars`` (default:
    ``longueur_max_panneau`` of ``publication.yml``, 280). ``paper``: A3 or A2; ``orientation``:
    portrait or paysage. Raises ``ConsentError``/``ExportError`` (see ``consent``).
    """
    paper, orientation, width_mm, height_mm, base_pt = _page_geometry(paper, orientation)
    if cards_per_panel < 1:
        raise ExportError("Il faut au moins une citation par panneau.")
    settings = load_settings(project.root)
    limit = settings.max_panel_chars if max_chars is None else int(max_chars)
    start = begin_export(
        project, destination, "exposition", theme=theme, statuses=statuses, strict=strict,
        check=too_long_for(limit, "un panneau"),
    )  # fmt: skip
    quotes_api, pseudonyms, report = start.quotes, start.pseudonyms, start.report
    destination, allowed = start.destination, start.allowed

    panels = _plan_panels(
        project, allowed, cards_per_panel, pseudonyms, with_word_cloud, with_figures
    )
    context = {
        "paper": paper, "orientation": orientation, "width_mm": width_mm, "height_mm": height_mm,
        "bleed_mm": BLEED_MM, "base_pt": round(base_pt, 2), "credit": quotes_api.settings.credit,
        "columns": 3 if orientation == "landscape" else 2, "project": pseudonyms.apply(project.name),
    }  # fmt: skip
    html, document = _render_panels(panels, context, cards_per_panel, pseudonyms)
    destination.mkdir(parents=True, exist_ok=True)
    combined = destination / "panneaux.pdf"
    document.write_pdf(str(combined))
    files = [combined]
    single_dir = destination / "panneaux"
    single_dir.mkdir(exist_ok=True)
    names = [
        f"panneau_{i:02d}_{_slug(p['theme_id'] or p['title'])}"
        for i, p in enumerate(panels, start=1)
    ]
    for index, name in enumerate(names):
        path = single_dir / f"{name}.pdf"
        document.copy([document.pages[index]]).write_pdf(str(path))
        files.append(path)
    if png:
        previews = destination / "panneaux_png"
        files += pdf_to_pngs(combined, [previews / f"{name}.png" for name in names], dpi=png_dpi)
    report.files = files
    report.exported = list(allowed["quote_id"])
    report.write()
    guard_files([combined, destination / "rapport_export.txt"], pseudonyms)
    return report


def _plan_panels(project, quotes, per_panel, pseudonyms, with_cloud, with_figures) -> list[dict]:
    order = {code.id: i for i, code in enumerate(project.codebook.themes())}
    quotes = quotes.assign(_order=quotes["theme_id"].map(lambda t: order.get(t, len(order))))
    panels = []
    for (_order, theme_id), group in quotes.sort_values(["_order", "quote_id"]).groupby(
        ["_order", "theme_id"], dropna=False, sort=True
    ):
        color = group["color"].iloc[0]
        title = group["theme"].iloc[0]
        cloud = (
            word_cloud(_theme_texts(project, theme_id, pseudonyms), color) if with_cloud else None
        )
        figures = theme_figures(project, theme_id) if with_figures else []
        definition = (
            project.codebook.get(theme_id).definition if theme_id in project.codebook else ""
        )
        cards = [
            {
                "id": r.quote_id,
                "text": r.public_text,
                "attribution": r.attribution,
                "size": _card_size(r.public_text),
            }
            for r in group.itertuples()
        ]
        panels.append({"theme_id": theme_id, "title": title, "color": color, "cards": cards, "cloud": cloud,
                       "figures": figures, "intro": pseudonyms.apply(definition)})  # fmt: skip
    return _split(panels, per_panel)


def _split(panels: list[dict], per_panel: int) -> list[dict]:
    """Split panels holding more than ``per_panel`` cards; number the parts of a theme."""
    result = []
    for panel in panels:
        chunks = [
            panel["cards"][i : i + per_panel] for i in range(0, len(panel["cards"]), per_panel)
        ] or [[]]
        for number, chunk in enumerate(chunks, start=1):
            result.append({**panel, "cards": chunk, "part": number, "parts": len(chunks)})
    return result


def _colors(panel: dict) -> dict:
    color = panel["color"]
    return {
        "color": color,
        "dark": shade(color, 0.6),
        "tint": tint(color, 0.88),
        "soft": tint(color, 0.6),
    }


def _render_panels(panels: list[dict], context: dict, per_panel: int, pseudonyms: Pseudonyms):
    """Render; a panel that overflows its page is split in two and the whole is rendered again."""
    from weasyprint import HTML

    env = _environment()
    template = env.get_template("panneaux.html.j2")
    css = env.get_template("panneaux.css.j2").render(**context)
    for _attempt in range(4):
        for number, panel in enumerate(panels, start=1):
            panel.update(_colors(panel), anchor=f"panneau-{number}", number=number)
        html = template.render(panels=panels, css=css, total=len(panels), **context)
        pseudonyms.guard({"panneaux (HTML)": html})
        document = HTML(string=html, base_url=str(TEMPLATES)).render()
        if len(document.pages) == len(panels):
            return html, document
        first_page = {}
        for index, page in enumerate(document.pages):
            for anchor in page.anchors:
                if anchor.startswith("panneau-"):
                    first_page.setdefault(int(anchor.split("-")[1]), index)
        starts = [first_page.get(n, -1) for n in range(1, len(panels) + 1)] + [len(document.pages)]
        overflowing = {n for n in range(len(panels)) if starts[n + 1] - starts[n] > 1}
        if not overflowing:
            break
        rebuilt = []
        for n, panel in enumerate(panels):
            if n in overflowing and len(panel["cards"]) > 1:
                half = (len(panel["cards"]) + 1) // 2
                rebuilt += [
                    {**panel, "cards": panel["cards"][:half]},
                    {**panel, "cards": panel["cards"][half:]},
                ]
            elif n in overflowing:
                rebuilt.append({**panel, "cloud": None, "figures": []})
            else:
                rebuilt.append(panel)
        panels[:] = _renumber(rebuilt)
    raise ExportError("Mise en page impossible : un panneau déborde même avec une seule citation.")


def _renumber(panels: list[dict]) -> list[dict]:
    counts = Counter(p["theme_id"] for p in panels)
    seen: Counter = Counter()
    for panel in panels:
        seen[panel["theme_id"]] += 1
        panel["part"], panel["parts"] = seen[panel["theme_id"]], counts[panel["theme_id"]]
    return panels
