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
``miam_qual`` loads none of them (nor spaCy, matplotlib, WeasyPrint or the widget libraries), and
the names above that need pandas are loaded on first use, so that ``import miam_qual`` and
``miam-qual --help`` start at once (``benchmarks/bench_startup.py``).
"""

import importlib
from typing import TYPE_CHECKING

from . import errors as _errors
from .errors import *  # noqa: F403  (every error class; ``errors.__all__`` lists them once)

if TYPE_CHECKING:
    from .codebook import Code, Codebook, load_codebook
    from .config import ProjectConfig
    from .project import Project
    from .sources import read_source

__version__ = "0.1.0"

#: Public names loaded on first use, with the module that defines them.
_LAZY = {
    "Code": "codebook",
    "Codebook": "codebook",
    "load_codebook": "codebook",
    "ProjectConfig": "config",
    "Project": "project",
    "read_source": "sources",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'miam_qual' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "Code",
    "Codebook",
    "Project",
    "ProjectConfig",
    "load_codebook",
    "read_source",
    *_errors.__all__,
]
