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
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import ExportError
from ..excerpts import alternate_people
from ..privacy.consent import ConsentCheck
from ..privacy.pseudonyms import Pseudonyms
from ..summaries import word_cloud_png
from ..templating import environment
from ..text import slug
from .consent import DEFAULT_STATUSES, ExportReport, begin_export, too_long_for
from .rendering import pdf_to_pngs
from .settings import load_settings

if TYPE_CHECKING:
    from jinja2 import Environment
    from spacy.language import Language

    from ..project import Project

TEMPLATES = Path(__file__).parent / "templates"
#: Trim sizes in millimetres (portrait).
PAPER_MM = {"A3": (297, 420), "A2": (420, 594)}
ORIENTATIONS = {"portrait": "portrait", "paysage": "landscape", "landscape": "landscape"}
BLEED_MM = 3


def panel_environment() -> Environment:
    """The panels' and cards' Jinja2 environment (``miam_qual.templating``): HTML autoescaped,
    ``css_string`` for any text that goes into CSS (a setting of ``publication.yml`` must never
    break out of its string)."""
    return environment(TEMPLATES)


def _allowed_resource(url: str) -> bool:
    """Only ``data:`` URIs and files of the package's own template folder."""
    if url.startswith("data:"):
        return True
    if url.startswith("file:"):
        from urllib.parse import unquote, urlparse

        path = Path(unquote(urlparse(url).path)).resolve()
        root = TEMPLATES.resolve()
        return path == root or root in path.parents
    return False


def render_html(html: str):
    """WeasyPrint's rendering of ``html`` with the package's templates as base, through
    ``safe_url_fetcher``; a refused resource raises ``ExportError`` (French)."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    try:
        return HTML(string=html, base_url=str(TEMPLATES), url_fetcher=safe_url_fetcher()).render()
    except FatalURLFetchingError as err:
        raise ExportError(
            "Mise en page arrêtée : un panneau demande une ressource hors des modèles de "
            f"miam_qual ({err}). Vérifiez publication.yml."
        ) from None


def safe_url_fetcher():
    """A WeasyPrint URL fetcher limited to ``_allowed_resource``: a template or a setting can
    never make a panel read (or attach) another file, nor reach the network; a refused resource
    stops the rendering."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class SafeFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not _allowed_resource(url):
                raise FatalURLFetchingError(f"ressource refusée : {url[:80]}")
            return super().fetch(url, headers)

    return SafeFetcher(fail_on_errors=True)


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


def cloud_words(texts: list[str], *, nlp: Language) -> pd.DataFrame:
    """The words of a panel's word cloud: ``word, count`` of the content words of 4 letters or
    more, as written (``nlp.content_word_counts``: nouns, adjectives and verbs other than
    auxiliaries and modals, without stop words or discourse fillers), most frequent first (at
    most 80)."""
    from ..nlp import content_word_counts

    counts: Counter[str] = Counter()
    for each in content_word_counts(texts, nlp=nlp, lemmas=False, min_length=4):
        counts.update(each)
    return pd.DataFrame(counts.most_common(80), columns=["word", "count"])


def word_cloud(
    words: pd.DataFrame, color: str, *, width: int = 1100, height: int = 360
) -> str | None:
    """A panel's word cloud of ``words`` (``cloud_words``) in shades of ``color`` on a
    transparent background, as a PNG data URI (``None`` under five words). ``width`` × ``height``:
    its size in pixels, hence its proportions on the panel."""
    if len(words) < 5:
        return None
    png = word_cloud_png(words.head(45), color=color, width=width, height=height, transparent=True)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii") if png else None


def theme_figures(project: Project, theme_id: str, consent: ConsentCheck) -> list[tuple[str, str]]:
    """Key figures of a theme: coded passages, people and documents concerned — without the
    passages of anyone who did not consent to analysis."""
    codings = project.codings(theme_id) if theme_id in project.codebook else pd.DataFrame()
    if codings.empty:
        return []
    codings = codings[~consent.touching(codings, "analyse", unknown=True)]
    if codings.empty:
        return []
    people = codings["participant"].dropna().nunique() if "participant" in codings else 0
    return [
        (str(codings["selection_id"].nunique()), "passages recueillis"),
        (str(people), "personnes qui en parlent"),
        (str(codings["document_id"].nunique()), "entretiens, ateliers et témoignages"),
    ]


def _theme_texts(
    project: Project, theme_id: str, pseudonyms: Pseudonyms, consent: ConsentCheck
) -> list[str]:
    """Coded texts of a theme in which every speaker consented to the exhibition, pseudonymised."""
    if theme_id not in project.codebook:
        return []
    codings = project.codings(theme_id).drop_duplicates("selection_id").reset_index(drop=True)
    if codings.empty:
        return []
    codings = codings[~consent.touching(codings, "exposition", unknown=False)]
    return [pseudonyms.apply(t) for t in codings["text"]]


def card_size(text: str) -> str:
    """The size class of a card or panel quote, by length: ``court``, ``moyen`` or ``long``."""
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
    nlp: Language | None = None,
) -> ExportReport:
    """Render the exhibition panels of the quotes aimed at « exposition » (see module docstring).

    Quotes are refused without exhibition consent or when longer than ``max_chars`` (default:
    ``longueur_max_panneau`` of ``publication.yml``, 280). ``paper``: A3 or A2; ``orientation``:
    portrait or paysage. On a panel, the people quoted alternate (``excerpts.alternate_people``:
    everyone once before anyone twice), and the word cloud grows to fill the panel's height (see
    ``_render_panels``). ``nlp``: the pipeline that picks the cloud's content words (default:
    ``nlp.load_nlp()``). Raises ``ConsentError``/``ExportError`` (see ``consent``),
    ``LanguageModelMissing`` when a word cloud is asked for and the pipeline is not installed.
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
    pseudonyms, report = start.pseudonyms, start.report
    allowed = start.allowed
    if with_word_cloud and nlp is None:
        from ..nlp import load_nlp

        nlp = load_nlp()
    panels = _plan_panels(project, allowed, cards_per_panel, start, nlp if with_word_cloud else None,
                          with_figures)  # fmt: skip
    context = {
        "paper": paper, "orientation": orientation, "width_mm": width_mm, "height_mm": height_mm,
        "bleed_mm": BLEED_MM, "base_pt": round(base_pt, 2),
        "credit": pseudonyms.apply(start.settings.credit),
        "columns": 3 if orientation == "landscape" else 2, "project": pseudonyms.apply(project.name),
    }  # fmt: skip
    _html, document = _render_panels(panels, context, cards_per_panel)
    with start.gate:
        for panel in panels:
            if panel.get("cloud_words"):
                start.gate.picture(f"nuage de mots « {panel['title']} »", panel["cloud_words"])
        folder = start.folder
        combined = folder / "panneaux.pdf"
        document.write_pdf(str(combined))
        single_dir = folder / "panneaux"
        single_dir.mkdir(exist_ok=True)
        names = [
            f"panneau_{i:02d}_{slug(p['title'], prefix='theme')}"
            for i, p in enumerate(panels, start=1)
        ]
        _split_pages(combined, [single_dir / f"{name}.pdf" for name in names])
        if png:
            previews = folder / "panneaux_png"
            pdf_to_pngs(combined, [previews / f"{name}.png" for name in names], dpi=png_dpi)
        report.exported = list(allowed["quote_id"])
        report.write(folder)
    report.files = start.gate.files
    return report


def _split_pages(pdf: Path, targets: list[Path]) -> None:
    """One PDF per page of ``pdf`` (boxes, fonts and pictures of that page kept).

    Copying pages is far cheaper than having WeasyPrint write each panel again: every
    ``write_pdf`` subsets every font anew.
    """
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(str(pdf))
    for page, target in zip(reader.pages, targets, strict=True):
        writer = PdfWriter()
        writer.add_page(page)
        if reader.metadata:
            writer.add_metadata(dict(reader.metadata))
        with open(target, "wb") as handle:
            writer.write(handle)


def _plan_panels(project, quotes, per_panel, start, nlp, with_figures) -> list[dict]:
    """One panel per theme (split later when too many quotes): its cards, people alternating,
    its word cloud (``nlp``: ``None`` for none), figures and introduction."""
    order = {code.id: i for i, code in enumerate(project.codebook.themes())}
    quotes = quotes.assign(_order=quotes["theme_id"].map(lambda t: order.get(t, len(order))))
    pseudonyms, consent = start.pseudonyms, start.consent
    panels = []
    for (_order, theme_id), group in quotes.sort_values(["_order", "quote_id"]).groupby(
        ["_order", "theme_id"], dropna=False, sort=True
    ):
        group = group.iloc[alternate_people(list(group["participant"]))]
        color = group["color"].iloc[0]
        title = group["theme"].iloc[0]
        words = (
            cloud_words(_theme_texts(project, theme_id, pseudonyms, consent), nlp=nlp)
            if nlp is not None
            else pd.DataFrame(columns=["word", "count"])
        )
        cloud = word_cloud(words, color) if nlp is not None else None
        figures = theme_figures(project, theme_id, consent) if with_figures else []
        definition = (
            project.codebook.get(theme_id).definition if theme_id in project.codebook else ""
        )
        cards = [
            {
                "id": r.quote_id,
                "text": r.public_text,
                "attribution": r.attribution,
                "size": card_size(r.public_text),
            }
            for r in group.itertuples()
        ]
        panels.append({"theme_id": theme_id, "title": title, "color": color, "cards": cards,
                       "cloud": cloud, "cloud_words": list(words["word"].head(45)) if cloud else [],
                       "words": words, "cloud_mm": None, "card_mm": None,
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


def panel_colors(panel: dict) -> dict:
    """The template's colours from ``panel["color"]``: ``color``, ``dark``, ``tint``, ``soft``."""
    color = panel["color"]
    return {
        "color": color,
        "dark": shade(color, 0.6),
        "tint": tint(color, 0.88),
        "soft": tint(color, 0.6),
    }


#: Millimetres between a panel's content and the foot of its page once the panel is filled.
FILL_GAP_MM = 6.0
#: A panel whose content ends more than this (mm) above the foot of its page is filled.
FILL_THRESHOLD_MM = 12.0
#: Width of a panel's content: the page less the side margins (mm, see ``panneaux.css.j2``).
SIDE_MARGINS_MM = 40.0
#: Height of a page's foot, under the content (``@page`` margin of ``panneaux.css.j2``).
FOOT_MM = 16.0
#: Proportions of a word cloud before a panel is filled (``word_cloud``'s default size).
CLOUD_RATIO = 360 / 1100
PX_PER_MM = 96 / 25.4


def _render_panels(panels: list[dict], context: dict, per_panel: int):
    """Render the panels, each on its page, and fill each page's height.

    A panel that overflows its page is split in two and the whole is rendered again. Then a
    panel whose content stops well above the foot of its page grows to it (``_grow``): its word
    cloud is drawn taller, or, without a cloud, its quote cards are stretched, and the whole is
    rendered once more; if that overflows a page, the first layout is kept.
    """
    html, document = _lay_out(panels, context)
    before = [dict(panel) for panel in panels]
    if _grow(panels, document, context):
        grown_html, grown = _render(panels, context)
        if len(grown.pages) == len(panels):
            return grown_html, grown
        for panel, kept in zip(panels, before, strict=True):
            panel.update(kept)
    return html, document


def _render(panels: list[dict], context: dict):
    env = panel_environment()
    css = env.get_template("panneaux.css.j2").render(**context)
    for number, panel in enumerate(panels, start=1):
        panel.update(panel_colors(panel), anchor=f"panneau-{number}", number=number)
    html = env.get_template("panneaux.html.j2").render(
        panels=panels, css=css, total=len(panels), **context
    )
    return html, render_html(html)


def _grow(panels: list[dict], document, context: dict) -> bool:
    """Set, for each panel ending more than ``FILL_THRESHOLD_MM`` above its page's content
    area, a taller word cloud (``cloud_mm``, the picture redrawn in those proportions) or, with
    no cloud, a height for its cards (``card_mm``), measured from the anchors the template
    places at the top of the cards and at the end of the panel. Returns whether one changed."""
    changed = False
    width_mm = context["width_mm"] - SIDE_MARGINS_MM
    for number, (panel, page) in enumerate(zip(panels, document.pages, strict=True), start=1):
        anchors = page.anchors
        end, top = anchors.get(f"panneau-{number}-fin"), anchors.get(f"panneau-{number}-cartes")
        if end is None or top is None:
            continue
        # anchors are rectangles (x1, y1, x2, y2) in CSS pixels from the trim box's corner
        room = (page.height - end[1]) / PX_PER_MM - FOOT_MM - FILL_GAP_MM
        if room + FILL_GAP_MM <= FILL_THRESHOLD_MM:
            continue
        if panel.get("cloud"):
            height = (panel.get("cloud_mm") or width_mm * CLOUD_RATIO) + room
            pixels = round(1100 * height / width_mm)
            panel["cloud"] = word_cloud(panel["words"], panel["color"], height=pixels)
            panel["cloud_mm"] = round(height, 1)
        elif panel["cards"]:
            # every row of cards grows by an equal share of the room (cards have 8 mm + 7 mm of
            # padding, rows a 7 mm gap: the card's min-height covers its padding box)
            rows = -(-len(panel["cards"]) // context["columns"])
            cards = (end[1] - top[1]) / PX_PER_MM + room
            panel["card_mm"] = round((cards - 7 * (rows - 1)) / rows - 15, 1)
        changed = True
    return changed


def _lay_out(panels: list[dict], context: dict):
    """Render; a panel that overflows its page is split in two and the whole is rendered again."""
    for _attempt in range(4):
        html, document = _render(panels, context)
        if len(document.pages) == len(panels):
            return html, document
        first_page: dict[int, int] = {}
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
