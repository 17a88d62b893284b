"""Exchange with other qualitative analysis tools (REFI-QDA: NVivo, MAXQDA, ATLAS.ti, QualCoder,
Taguette) both ways, and merging coders' work between copies of a project.

- ``export_qdpx`` / ``export_qdc``: the project, or its codebook alone, in its shareable form
  (pseudonyms, words without *analysis* consent withheld) through the privacy gate.
- ``preview_import`` / ``import_refi`` (``import_qdpx``, ``import_qdc``): a ``.qdpx`` project or
  a ``.qdc`` codebook from another tool, positions converted from the producer's unit; all or
  nothing, with a French report of what was adapted and what could not be kept.
- ``preview_merge`` / ``merge``: the codings of another miam_qual project or of a ``.qdpx`` made
  on the same documents; idempotent, logged (``exchange_history``).

Modules: ``export`` (writing ``.qdpx``), ``codebook_xml`` (``.qdc`` and the ``CodeBook`` element),
``qdpx_read`` (reading an archive), ``positions`` (units and the normalised text), ``model`` (what
an exchange brings), ``matching`` (codes), ``plan`` (comparison with the project, the preview),
``apply`` (the one transaction), ``qdpx_import`` and ``merging`` (the public entry points),
``report``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

#: Public name → the module that defines it (loaded on first use, so that the command line,
#: which registers the exchange commands, starts without lxml, numpy or the privacy checks).
_HOMES = {
    "NAMESPACE": "export",
    "build_project_xml": "export",
    "export_qdpx": "export",
    "variable_guid": "export",
    "export_qdc": "codebook_xml",
    "exchange_history": "merging",
    "merge": "merging",
    "preview_merge": "merging",
    "REFI_SUFFIXES": "qdpx_import",
    "import_qdc": "qdpx_import",
    "import_qdpx": "qdpx_import",
    "import_refi": "qdpx_import",
    "preview_import": "qdpx_import",
    "ExchangeReport": "report",
}

__all__ = [
    "NAMESPACE",
    "REFI_SUFFIXES",
    "ExchangeReport",
    "build_project_xml",
    "exchange_history",
    "export_qdc",
    "export_qdpx",
    "import_qdc",
    "import_qdpx",
    "import_refi",
    "merge",
    "preview_import",
    "preview_merge",
    "variable_guid",
]

if TYPE_CHECKING:
    from .codebook_xml import export_qdc
    from .export import NAMESPACE, build_project_xml, export_qdpx, variable_guid
    from .merging import exchange_history, merge, preview_merge
    from .qdpx_import import REFI_SUFFIXES, import_qdc, import_qdpx, import_refi, preview_import
    from .report import ExchangeReport


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'miam_qual.exchange' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
