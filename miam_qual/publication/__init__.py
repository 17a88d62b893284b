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
each transcript's ``media``.
"""

from typing import TYPE_CHECKING

from .cards import export_social_cards
from .consent import ExportReport
from .exhibition import export_exhibition
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
from .settings import PublicationSettings, load_settings
from .spreadsheet import export_spreadsheet

if TYPE_CHECKING:
    from .widget import QuoteBoard

__all__ = [
    "MEDIA_DIR",
    "STATUSES",
    "TARGETS",
    "USE_OF_TARGET",
    "ExportReport",
    "PublicationSettings",
    "QuoteBoard",
    "edit_quote",
    "export_exhibition",
    "export_radio",
    "export_social_cards",
    "export_spreadsheet",
    "list_quotes",
    "load_settings",
    "propose_quote",
    "quote_attribution",
    "quote_consents",
    "quote_history",
    "remove_quote",
    "set_quote_status",
    "synthesize_recordings",
]


def __getattr__(name: str) -> object:
    # The board imports ipywidgets; scripts and exports do not need it.
    if name == "QuoteBoard":
        from .widget import QuoteBoard

        return QuoteBoard
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
