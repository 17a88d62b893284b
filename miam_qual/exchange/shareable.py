"""The shareable form of a document — real names replaced by pseudonyms, the words of people
without *analysis* consent withheld — and the way positions move between it and the document's
own text (both ways: an export carries passages over, a merge carries them back)."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

import numpy as np

from ..privacy.consent import ConsentCheck
from ..privacy.pseudonyms import Pseudonyms
from ..privacy.redact import Redacted, redact

if TYPE_CHECKING:
    from ..project import Project


def shareable_texts(
    project: Project,
    *,
    check: ConsentCheck | None = None,
    pseudonyms: Pseudonyms | None = None,
) -> dict[str, Redacted]:
    """Each document's text in its shareable form (real names replaced, the words of people
    without *analysis* consent withheld), by document GUID; a document that is all such words
    is left out."""
    pseudonyms = pseudonyms if pseudonyms is not None else Pseudonyms.load(project.root)
    check = check if check is not None else ConsentCheck(project)
    documents = project.documents()["document_id"]
    people = project.participants()["participant"]
    # Only a registered participant without analysis consent has words withheld (unidentified
    # speakers and interviewers never do): when there is none, no document needs cutting.
    refusing = [p for p in people if not check.allows(p, "analyse")]
    withheld_all = check.spans_without("analyse", documents, unknown=True) if refusing else {}
    result = {}
    for doc in documents:
        text = project.text(doc)
        withheld = withheld_all.get(doc)
        spans = list(zip(*withheld, strict=True)) if withheld is not None else []
        if spans and covers_all_words(text, spans):
            continue  # the whole document is the words of someone who refused analysis
        result[doc] = redact(text, pseudonyms, withheld=spans)
    return result


def covers_all_words(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether ``spans`` hold every letter or digit of ``text``."""
    covered = bytearray(len(text))
    for start, end in spans:
        covered[start:end] = b"\x01" * (end - start)
    return not any(not covered[i] and c.isalnum() for i, c in enumerate(text))


def moved(redacted: Redacted, offsets: np.ndarray, side: str) -> np.ndarray:
    """Vectorised ``Redacted.position``: old offsets carried over to the shareable text."""
    if not redacted.edits:
        return offsets
    edits = np.asarray(redacted.edits, dtype=np.int64)
    index = np.searchsorted(edits[:, 0], offsets, side="right") - 1
    result = offsets.copy()
    inside = index >= 0
    old_start, old_end, new_start, new_end = (edits[index[inside], k] for k in range(4))
    at = offsets[inside]
    after = at >= old_end
    moved = np.where(after, new_end + (at - old_end), new_end if side == "end" else new_start)
    moved = np.where(at == old_start, new_start, moved)
    result[inside] = moved
    return result


def back(redacted: Redacted, offset: int, side: str) -> int:
    """Where ``offset`` of the shareable text lands in the project's text."""
    starts = [e[2] for e in redacted.edits]
    index = bisect.bisect_right(starts, offset) - 1
    if index < 0:
        return offset
    old_start, old_end, new_start, new_end = redacted.edits[index]
    if offset >= new_end:
        return old_end + (offset - new_end)
    if offset == new_start:
        return old_start
    return old_start if side == "start" else old_end
