"""miam_qual: a qualitative research workbench for JupyterLab, made for the MIAM project.

The public API is small:

- ``Project``: the one entry point for the stored data model (create or open a project folder,
  import sources, participants and consent, the codebook and its changes, coding, memos, queries);
- the codebook types (``Code``, ``Codebook``, ``load_codebook``), ``ProjectConfig`` and the source
  reader ``read_source``;
- every error miam_qual raises on purpose (the ``MiamError`` tree of ``miam_qual.errors``).

Everything built on the data model is a plain function taking a project first, in its own
subpackage: ``miam_qual.analysis``, ``miam_qual.agreement``, ``miam_qual.summaries``,
``miam_qual.reports``, ``miam_qual.publication`` (quotes and exports), ``miam_qual.exchange``
(REFI-QDA), ``miam_qual.privacy``; the notebook widgets are in ``miam_qual.widgets``. Importing
``miam_qual`` loads none of them (nor spaCy, matplotlib, WeasyPrint or the widget libraries).
"""

from . import errors as _errors
from .codebook import Code, Codebook, load_codebook
from .config import ProjectConfig
from .errors import *  # noqa: F403  (every error class; ``errors.__all__`` lists them once)
from .project import Project
from .sources import read_source

__version__ = "0.1.0"

__all__ = [
    "Code",
    "Codebook",
    "Project",
    "ProjectConfig",
    "load_codebook",
    "read_source",
    *_errors.__all__,
]
