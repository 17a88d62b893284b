"""The coding workbench for JupyterLab: ``CodingPanel`` (the widget) over ``CodingSession``
(its state and actions, usable and testable without a browser).

``from miam_qual.widgets import CodingPanel; CodingPanel(projet)`` in a notebook cell;
``ImportPanel(projet).ui`` is the import form; ``CodebookPanel(projet)`` edits the codebook (over
``CodebookEditor``); ``RetrievalPanel(projet, panneau)`` lists a code's segments and goes back
to them in the coding panel (over ``SegmentRetrieval``); ``MemoPanel(projet)`` reads and writes
memos on documents, codes and codings (over ``MemoEditor``); ``ListenPanel(projet, panneau)`` plays
the recording of the document open in the coding panel and follows the passage heard (over
``Listening``); ``ReviewLoopPanel(projet)`` is the review loop between supervisors and coders
(comments, approvals, contestations, replies, the history of codings; over ``ReviewLoop``);
``TrainingPanel(projet)`` trains coders against a supervisor's reference set (differences
passage by passage, progress; over ``miam_qual.training``);
``ExchangeImport(projet)`` previews,
then imports or merges a ``.qdpx``/``.qdc`` from another tool; ``TextCorrection(projet)``
previews, then writes, a corrected version of a document's text; ``french(frame, projet)`` shows a
table with French headers.
"""

from .codebook_editor import CodebookEditor
from .exchange_import import ExchangeImport
from .listen import Listening
from .memos import MemoEditor
from .retrieval import SegmentRetrieval
from .review import ReviewLoop
from .session import CodingSession
from .tables import french
from .text_correction import TextCorrection
from .textspans import sentence_spans, snap_to_words

__all__ = [
    "CodebookEditor",
    "CodebookPanel",
    "CodingPanel",
    "CodingSession",
    "ExchangeImport",
    "ImportPanel",
    "ListenPanel",
    "Listening",
    "MemoEditor",
    "MemoPanel",
    "RetrievalPanel",
    "ReviewLoop",
    "ReviewLoopPanel",
    "SegmentRetrieval",
    "TextCorrection",
    "TrainingPanel",
    "french",
    "sentence_spans",
    "snap_to_words",
]


def __getattr__(name: str):
    # The widget imports anywidget (and through it ipywidgets); the session does not need them.
    if name == "CodingPanel":
        from .panel import CodingPanel

        return CodingPanel
    if name == "CodebookPanel":
        from .codebook_panel import CodebookPanel

        return CodebookPanel
    if name == "ImportPanel":
        from .importer import ImportPanel

        return ImportPanel
    if name == "RetrievalPanel":
        from .retrieval_panel import RetrievalPanel

        return RetrievalPanel
    if name == "ListenPanel":
        from .listen_panel import ListenPanel

        return ListenPanel
    if name == "ReviewLoopPanel":
        from .review_panel import ReviewLoopPanel

        return ReviewLoopPanel
    if name == "TrainingPanel":
        from .training import TrainingPanel

        return TrainingPanel
    if name == "MemoPanel":
        from .memo_panel import MemoPanel

        return MemoPanel
    raise AttributeError(name)
