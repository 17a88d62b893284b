"""Moving through a project in the workbench: documents, uncoded ones, occurrences, the grid."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import CorpusError, MiamError

if TYPE_CHECKING:
    from .session import CodingSession


class Navigation:
    """Navigation methods of ``CodingSession``."""

    def refresh_documents(self: CodingSession) -> None:
        """Re-read the list of documents (after an import in another notebook)."""
        self.documents = self.project.documents()[
            ["document_id", "document", "kind", "source_file"]
        ]

    @property
    def position(self: CodingSession) -> int:
        """Index of the open document in import order (-1 when none)."""
        ids = list(self.documents["document_id"])
        return ids.index(self.document_id) if self.document_id in ids else -1

    @property
    def document(self: CodingSession) -> str | None:
        """Name of the open document."""
        pos = self.position
        return None if pos < 0 else str(self.documents["document"].iloc[pos])

    @property
    def kind(self: CodingSession) -> str | None:
        pos = self.position
        return None if pos < 0 else str(self.documents["kind"].iloc[pos])

    def open(self: CodingSession, document: str | int) -> str | None:
        """Open a document by name, GUID or position; returns its GUID."""
        try:
            if isinstance(document, int):
                if not 0 <= document < len(self.documents):
                    raise CorpusError(f"Il n'y a pas de document n° {document + 1}.")
                guid = str(self.documents["document_id"].iloc[document])
            else:
                guid = self.project.document_id(document)
        except MiamError as err:
            self._say(str(err), "erreur")
            return None
        if guid not in set(self.documents["document_id"]):
            self.refresh_documents()
        self.document_id = guid
        self.text = self.project.text(guid)
        self.units = self.project.units(guid)
        self.selection, self.focus = None, None
        self._say(f"Document {self.position + 1} sur {len(self.documents)} : {self.document}.")
        return guid

    def next_document(self: CodingSession) -> str | None:
        return self._step(+1)

    def previous_document(self: CodingSession) -> str | None:
        return self._step(-1)

    def _step(self: CodingSession, delta: int) -> str | None:
        target = self.position + delta
        if not 0 <= target < len(self.documents):
            self._say(
                "C'est le dernier document." if delta > 0 else "C'est le premier document.",
                "erreur",
            )
            return None
        return self.open(target)

    def coded_documents(self: CodingSession) -> set[str]:
        """GUIDs of documents holding at least one coding by this coder."""
        return set(self._coder_codings()["document_id"])

    def progress(self: CodingSession) -> tuple[int, int]:
        """(documents coded by this coder, all documents)."""
        return len(self.coded_documents() & set(self.documents["document_id"])), len(self.documents)

    def next_uncoded(self: CodingSession) -> str | None:
        """Open the next document (after the open one, wrapping) that this coder has not coded."""
        self.refresh_documents()
        coded = self.coded_documents()
        ids = list(self.documents["document_id"])
        start = self.position
        for step in range(1, len(ids) + 1):
            guid = ids[(start + step) % len(ids)]
            if guid not in coded:
                return self.open(guid)
        self._say(f"Tous les documents ont au moins un codage de « {self.coder} ».")
        return None

    def next_occurrence(self: CodingSession, code_id: str) -> tuple[str, int, int] | None:
        """Open and select the next passage coded ``code_id`` (sub-codes included) after the
        selection, across documents, wrapping; returns ``(document, start, end)``."""
        try:
            frame = self.project.codings(code_id, coder=None if self.show_others else self.coder)
        except MiamError as err:
            self._say(str(err), "erreur")
            return None
        if frame.empty:
            self._say(f"Aucun passage codé « {self._label(code_id)} » pour l'instant.", "erreur")
            return None
        order = {g: i for i, g in enumerate(self.documents["document_id"])}
        spans = sorted(
            {
                (order.get(r.document_id, len(order)), r.start, r.end, r.document_id)
                for r in frame.itertuples()
            }
        )
        here = (self.position, *(self.selection or (self.focus or -1, -1)))
        after = [s for s in spans if s[:3] > here] or spans
        _pos, start, end, guid = after[0]
        if guid != self.document_id:
            self.open(guid)
        self.select(int(start), int(end))
        return self.document, int(start), int(end)

    # -- questionnaires -----------------------------------------------------------------------
    def grid(self: CodingSession, source_file: str | None = None) -> dict | None:
        """The questionnaire grid of ``source_file`` (default: the open document's file):
        ``source_file, questions`` and ``rows`` (one per respondent: ``document_id, document``
        and ``cells``, one per question: ``index, start, end, text, codings``). ``None`` when the
        file holds no questionnaire."""
        docs = self.documents[self.documents["kind"] == "questionnaire"]
        if source_file is None:
            pos = self.position
            source_file = None if pos < 0 else self.documents["source_file"].iloc[pos]
        docs = docs[docs["source_file"] == source_file]
        if docs.empty:
            return None
        coded = self.project.codings(coder=None if self.show_others else self.coder)
        coded = coded[coded["document_id"].isin(set(docs["document_id"]))]
        questions: list[str] = []
        rows = []
        for doc in docs.itertuples():
            text = self.project.text(doc.document_id)
            answers = self.project.units(doc.document_id, "answer")
            mine = coded[coded["document_id"] == doc.document_id]
            cells = {}
            for unit in answers.itertuples():
                if unit.question not in questions:
                    questions.append(unit.question)
                inside = mine[(mine["start"] < unit.end) & (mine["end"] > unit.start)]
                cells[unit.question] = {
                    "index": int(unit.index), "start": int(unit.start), "end": int(unit.end),
                    "text": text[unit.start : unit.end],
                    "codings": [
                        {"id": r.coding_id, "code_id": r.code_id, "coder": r.coder} for r in inside.itertuples()
                    ],
                }  # fmt: skip
            rows.append({"document_id": doc.document_id, "document": doc.document, "cells": cells})
        return {"source_file": source_file, "questions": questions, "rows": rows}

    def select_cell(self: CodingSession, document: str, question: str) -> tuple[int, int] | None:
        """Open a respondent's document and select their answer to ``question``."""
        if self.open(document) is None:
            return None
        answers = self.units[
            (self.units["kind"] == "answer") & (self.units["question"] == question)
        ]
        if answers.empty:
            self._say(f"« {self.document} » n'a pas répondu à « {question} ».", "erreur")
            return None
        return self.select_unit("answer", int(answers["index"].iloc[0]))
