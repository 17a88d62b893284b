"""Publication: from coded excerpts to quotes, a radio piece and exhibition panels.

Quotes are handled by plain functions taking the project first (``miam_qual.publication.quotes``):
``propose_quote``, ``edit_quote``, ``set_quote_status``, ``remove_quote``, ``list_quotes``,
``quote_history``, ``quote_consents``, ``quote_attribution``. ``QuoteBoard`` is the notebook's
board over them (ipywidgets, loaded on first use).

Pseudonyms and consent are enforced by every export: a quote whose participant has not consented
to the use (radio → ``radio``, exposition → ``exposition``, report, social networks and
spreadsheet → ``citation``) is refused and listed; real names of the private mapping
(``<project>/prive/pseudonymes.yml``, see ``miam_qual.privacy``) are replaced everywhere, and an
export that would still hold one is stopped. Recordings live in ``<project>/medias/``, named by
each transcript's ``media`` or stem (``recording_for``, ``link_recording``), checked against its
timecodes (``check_recording``).
"""

import importlib
from typing import TYPE_CHECKING

#: Public name → the module that defines it, loaded on first use: the command line registers
#: ``miam-qual citations`` from this package and must start without pandas, WeasyPrint or PyAV,
#: and only notebooks need the board's ipywidgets.
_HOMES = {
    "export_social_cards": "cards",
    "ExportReport": "consent",
    "export_exhibition": "exhibition",
    "MEDIA_DIR": "media",
    "synthesize_recordings": "media",
    "STATUSES": "quotes",
    "TARGETS": "quotes",
    "USE_OF_TARGET": "quotes",
    "edit_quote": "quotes",
    "list_quotes": "quotes",
    "propose_quote": "quotes",
    "quote_attribution": "quotes",
    "quote_consents": "quotes",
    "quote_history": "quotes",
    "remove_quote": "quotes",
    "set_quote_status": "quotes",
    "export_radio": "radio",
    "check_recording": "recordings",
    "link_recording": "recordings",
    "recording_for": "recordings",
    "PublicationSettings": "settings",
    "load_settings": "settings",
    "export_spreadsheet": "spreadsheet",
    "QuoteBoard": "widget",
    "QuoteExport": "export_panel",
}

if TYPE_CHECKING:
    from .cards import export_social_cards
    from .consent import ExportReport
    from .exhibition import export_exhibition
    from .export_panel import QuoteExport
    from .media import MEDIA_DIR, synthesize_recordings
    from .quotes import (
        STATUSES,
        TARGETS,
        USE_OF_TARGET,
        edit_quote,
        list_quotes,
        propose_quote,
        quote_attribution,
        quote_consents,
        quote_history,
        remove_quote,
        set_quote_status,
    )
    from .radio import export_radio
    from .recordings import check_recording, link_recording, recording_for
    from .settings import PublicationSettings, load_settings
    from .spreadsheet import export_spreadsheet
    from .widget import QuoteBoard

__all__ = [
    "MEDIA_DIR",
    "STATUSES",
    "TARGETS",
    "USE_OF_TARGET",
    "ExportReport",
    "PublicationSettings",
    "QuoteBoard",
    "QuoteExport",
    "check_recording",
    "edit_quote",
    "export_exhibition",
    "export_radio",
    "export_social_cards",
    "export_spreadsheet",
    "link_recording",
    "list_quotes",
    "load_settings",
    "propose_quote",
    "quote_attribution",
    "quote_consents",
    "quote_history",
    "recording_for",
    "remove_quote",
    "set_quote_status",
    "synthesize_recordings",
]


def __getattr__(name: str) -> object:
    module = _HOMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
