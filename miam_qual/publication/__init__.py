"""Publication: from coded excerpts to quotes, a radio piece and exhibition panels.

Pseudonyms and consent are enforced by every export: a quote whose participant has not consented
to the use (radio → ``radio``, exposition → ``exposition``, report, social networks and
spreadsheet → ``citation``) is refused and listed; real names of the private mapping
(``<project>/prive/pseudonymes.yml``) are replaced everywhere, and an export that would still hold
one is stopped. Recordings live in ``<project>/medias/``, named by each transcript's ``media``.
"""

from ..privacy.pseudonyms import Pseudonyms, names_to_review
from .cards import export_social_cards
from .consent import USE_OF_TARGET, ExportReport
from .exhibition import export_exhibition
from .media import MEDIA_DIR, synthesize_recordings
from .quotes import STATUSES, TARGETS, QuoteError, Quotes
from .radio import export_radio
from .settings import PublicationSettings, load_settings
from .spreadsheet import export_spreadsheet

__all__ = [
    "MEDIA_DIR",
    "STATUSES",
    "TARGETS",
    "USE_OF_TARGET",
    "ExportReport",
    "PublicationSettings",
    "Pseudonyms",
    "QuoteError",
    "Quotes",
    "export_exhibition",
    "export_radio",
    "export_social_cards",
    "export_spreadsheet",
    "load_settings",
    "names_to_review",
    "synthesize_recordings",
]
