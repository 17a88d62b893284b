"""PDF pages as PNG pictures, rendered in-process by PDFium (the ``pypdfium2`` wheel ships it).

One function serves the exhibition previews (at a resolution in dpi) and the square social cards
(at an exact size in pixels). Pages are rendered one at a time, so a long PDF never sits in
memory as pictures.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import ExportError

#: PDF user space unit: 1/72 inch.
POINTS_PER_INCH = 72


def pdf_to_pngs(
    pdf: Path | str,
    targets: Sequence[Path | str],
    *,
    dpi: float | None = None,
    size_px: int | None = None,
) -> list[Path]:
    """Render page ``i`` of ``pdf`` into ``targets[i]`` (PNG, RGB) and return the targets.

    Give exactly one of ``dpi`` (pixels per inch of the page) or ``size_px`` (every picture
    exactly ``size_px`` × ``size_px``; a page that is not square is stretched to it).

    Raises ``ExportError`` when the PDF cannot be read or its page count differs from
    ``len(targets)``.
    """
    import pypdfium2 as pdfium

    if (dpi is None) == (size_px is None):
        raise ValueError("pdf_to_pngs: give exactly one of dpi or size_px")
    if (dpi is not None and dpi <= 0) or (size_px is not None and size_px < 1):
        raise ExportError("La résolution des images doit être positive.")
    pdf = Path(pdf)
    paths = [Path(t) for t in targets]
    try:
        document = pdfium.PdfDocument(str(pdf))
    except pdfium.PdfiumError as err:
        raise ExportError(f"« {pdf.name} » : PDF illisible ({err}).") from err
    try:
        if len(document) != len(paths):
            raise ExportError(
                f"« {pdf.name} » a {len(document)} page(s) mais {len(paths)} image(s) étaient "
                "attendues."
            )
        for index, target in enumerate(paths):
            page = document[index]
            try:
                _render_page(page, target, dpi=dpi, size_px=size_px)
            finally:
                page.close()
    finally:
        document.close()
    return paths


def _render_page(page, target: Path, *, dpi: float | None, size_px: int | None) -> None:
    from PIL import Image

    width_pt, height_pt = page.get_size()
    if size_px is not None:
        scale = size_px / max(width_pt, height_pt)
    else:
        assert dpi is not None  # pdf_to_pngs checked that exactly one is given
        scale = dpi / POINTS_PER_INCH
    bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255))
    try:
        image = bitmap.to_pil().convert("RGB")
    finally:
        bitmap.close()
    # PDFium rounds the bitmap up to whole pixels: a square card must come out exact.
    if size_px is not None and image.size != (size_px, size_px):
        image = image.resize((size_px, size_px), Image.Resampling.LANCZOS)
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, format="PNG")
