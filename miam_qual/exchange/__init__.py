"""Exchange with other qualitative analysis tools (REFI-QDA: NVivo, MAXQDA, ATLAS.ti, QualCoder,
Taguette) and between copies of a miam_qual project.

- ``export``: the project as a ``.qdpx`` archive, in its shareable form, through the privacy gate.
"""

from .export import NAMESPACE, build_project_xml, export_qdpx, variable_guid

__all__ = ["NAMESPACE", "build_project_xml", "export_qdpx", "variable_guid"]
