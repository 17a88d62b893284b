"""Consent per speaker: every person whose words an output uses must have consented to that use.

A passage may run over several speaker turns; a radio clip's padding may take in the end of the
previous turn; a word cloud mixes everyone's words. So an output is checked speaker by speaker.
Each document is cut into *voices*: its speaker turns, each resolved to an identity
(``Project.speaker_resolver``: a declaration or the register — never the document's participant
nor a guess from the label), and the text outside any turn (or the whole text of a document
without turns), which belongs to the document's ``participant``. An unidentified speaker is
refused with a message naming the label; interviewers of the team need no consent.

The consent in force is the one decided by the dates of the forms (see ``miam_qual.participants``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..config import CONSENT_USES
from ..store import people

if TYPE_CHECKING:
    from ..participants import SpeakerIdentity
    from ..project import Project

#: What a report shows instead of the words of someone who did not consent to written quotation.
NOT_QUOTABLE = "(extrait non citable)"


class ConsentCheck:
    """Reads the register, the consents and the turns once; answers many span questions.

    ``on``: the day whose consents apply (ISO date; default: every record, i.e. today)."""

    def __init__(self, project: Project, *, on: str | None = None):
        self.project = project
        self.resolve = project.speaker_resolver()
        current = people.current_consents(project.store, on=on)
        self._state = {
            (p, u): (bool(g), d)
            for p, u, g, d in zip(
                current["participant"], current["use"], current["granted"],
                current["effective_on"], strict=True,
            )
        }  # fmt: skip
        history = people.consent_history(project.store)
        granted_once = history[history["granted"]]
        self._ever = set(zip(granted_once["participant"], granted_once["use"], strict=True))
        turns = project.all_units("turn")
        self._turns = {doc: group for doc, group in turns.groupby("document_id", sort=False)}
        self._voices: dict[str, list[tuple[int, int, SpeakerIdentity]]] = {}
        self._cues: dict[str, pd.DataFrame] = {}

    # -- who speaks -----------------------------------------------------------------------------
    def voices(self, document_id: str) -> list[tuple[int, int, SpeakerIdentity]]:
        """``(start, end, identity)`` of each stretch of a document spoken by one person, sorted:
        the turns, and the stretches outside turns that hold words (the document's participant)."""
        if document_id in self._voices:
            return self._voices[document_id]
        text = self.project.text(document_id)
        owner = self.resolve(document_id, None)
        turns = self._turns.get(document_id)
        voices: list[tuple[int, int, SpeakerIdentity]] = []
        cursor = 0
        if turns is not None:
            starts = turns["start"].to_numpy()
            order = np.argsort(starts, kind="quicksort")  # as turns.sort_values("start")
            ends, speakers = turns["end"].to_numpy()[order], turns["speaker"].to_numpy()[order]
            for start, end, speaker in zip(
                starts[order].tolist(), ends.tolist(), speakers.tolist(), strict=True
            ):
                start, end = int(start), int(end)
                if start > cursor and _has_words(text[cursor:start]):
                    voices.append((cursor, start, owner))
                voices.append((start, end, self.resolve(document_id, speaker)))
                cursor = max(cursor, end)
        if cursor < len(text) and _has_words(text[cursor:]):
            voices.append((cursor, len(text), owner))
        self._voices[document_id] = voices
        return voices

    def identities(self, document_id: str, start: int, end: int) -> list[SpeakerIdentity]:
        """The speakers whose words fall inside ``[start, end)`` (no duplicates, in order)."""
        unique: dict[tuple, SpeakerIdentity] = {}
        for v_start, v_end, identity in self.voices(document_id):
            if v_start < end and v_end > start:
                unique.setdefault(
                    (identity.label, identity.participant, identity.interviewer), identity
                )
        return list(unique.values())

    def heard_span(self, document_id: str, begin_ms: int, end_ms: int) -> tuple[int, int] | None:
        """The text span of every timecoded cue overlapping ``[begin_ms, end_ms]`` (what a clip
        with its padding lets one hear), or ``None`` without timecodes."""
        if document_id not in self._cues:
            self._cues[document_id] = self.project.timecodes(document_id)
        cues = self._cues[document_id]
        if cues.empty:
            return None
        heard = cues[(cues["begin_ms"] < end_ms) & (cues["end_ms"] > begin_ms)]
        if heard.empty:
            return None
        return int(heard["start"].min()), int(heard["end"].max())

    # -- may they be used -----------------------------------------------------------------------
    def permits(self, identity: SpeakerIdentity, use: str, *, unknown: bool = False) -> bool:
        """Whether ``identity``'s words may serve ``use``; an unidentified voice gives ``unknown``."""
        if identity.interviewer:
            return True
        if not identity.known:
            return unknown
        return bool(self._state.get((identity.participant, use), (False, None))[0])

    def refusal(self, identities: Iterable[SpeakerIdentity], use: str) -> str | None:
        """``None`` when every identity may be used for ``use``; else the French reason."""
        label = CONSENT_USES.get(use, use)
        reasons = []
        for who in identities:
            if self.permits(who, use):
                continue
            if not who.known:
                reasons.append(
                    f"locuteur « {who.label} » non identifié (ni dans le registre des "
                    "participants, ni déclaré comme enquêteur·rice) : identifiez-le avec "
                    "identify_speaker"
                    if who.label
                    else f"aucun participant associé : consentement « {label} » invérifiable"
                )
                continue
            granted, day = self._state.get((who.participant, use), (None, None))
            if granted is None:
                reasons.append(f"{who.participant} : aucun consentement « {label} » enregistré")
            elif (who.participant, use) in self._ever:
                reasons.append(f"{who.participant} : consentement « {label} » retiré ({day})")
            else:
                reasons.append(f"{who.participant} : refus de l'usage « {label} »")
        return " ; ".join(dict.fromkeys(reasons)) or None

    def span_refusal(self, document_id: str, start: int, end: int, use: str) -> str | None:
        return self.refusal(self.identities(document_id, start, end), use)

    def allows(self, participant: str | None, use: str) -> bool:
        """Whether a registered participant's consent in force grants ``use``."""
        return bool(self._state.get((participant, use), (False, None))[0])

    def spans_without(
        self, use: str, documents: Iterable[str], *, unknown: bool
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per document, the sorted ``(starts, ends)`` of the voices that may not serve ``use``
        (unidentified voices count as permitted when ``unknown`` is true)."""
        result = {}
        for doc in dict.fromkeys(documents):
            spans = [
                (s, e)
                for s, e, who in self.voices(doc)
                if not self.permits(who, use, unknown=unknown)
            ]
            if spans:
                array = np.array(spans, dtype=np.int64)
                result[doc] = (array[:, 0], array[:, 1])
        return result

    def touching(self, frame: pd.DataFrame, use: str, *, unknown: bool) -> np.ndarray:
        """For each row of ``frame`` (``document_id, start, end``), whether its span touches a
        voice that may not serve ``use`` (vectorised per document)."""
        hit = np.zeros(len(frame), dtype=bool)
        if frame.empty:
            return hit
        spans = self.spans_without(use, frame["document_id"], unknown=unknown)
        positions = frame.reset_index(drop=True).groupby("document_id", sort=False).indices
        starts_all = frame["start"].to_numpy(dtype=np.int64)
        ends_all = frame["end"].to_numpy(dtype=np.int64)
        for doc, rows in positions.items():
            if doc not in spans:
                continue
            v_starts, v_ends = spans[doc]
            first = np.searchsorted(v_ends, starts_all[rows], side="right")
            inside = first < len(v_starts)
            overlap = np.zeros(len(rows), dtype=bool)
            overlap[inside] = v_starts[first[inside]] < ends_all[rows][inside]
            hit[rows] = overlap
        return hit


def _has_words(text: str) -> bool:
    return any(c.isalnum() for c in text)
