"""miam_qual: a qualitative research workbench for JupyterLab, made for the MIAM project.

The public API is small: ``Project`` (create/open a project folder, import sources, code, query),
the codebook types, the source reader, and the exception tree. Analysis, agreement, widgets and
exports live in their own submodules (``miam_qual.analysis``, ``miam_qual.agreement``,
``miam_qual.widgets``, ``miam_qual.exports``…).
"""

from .codebook import Code, Codebook, load_codebook
from .config import ProjectConfig
from .errors import (
    AttributeValueError,
    CodebookError,
    CodingError,
    ConfigError,
    ConsentError,
    CorpusError,
    DuplicateCode,
    EncodingError,
    ExportError,
    MiamError,
    OffsetOutOfRange,
    ProjectError,
    QuoteError,
    UnknownCode,
    UnknownCoder,
    UnreadableFile,
)
from .project import Project
from .sources import read_source

__version__ = "0.1.0"

__all__ = [
    "AttributeValueError",
    "Code",
    "Codebook",
    "CodebookError",
    "CodingError",
    "ConfigError",
    "ConsentError",
    "CorpusError",
    "DuplicateCode",
    "EncodingError",
    "ExportError",
    "MiamError",
    "OffsetOutOfRange",
    "Project",
    "ProjectConfig",
    "ProjectError",
    "QuoteError",
    "UnknownCode",
    "UnknownCoder",
    "UnreadableFile",
    "load_codebook",
    "read_source",
]
