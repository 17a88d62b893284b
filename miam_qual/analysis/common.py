"""Helpers shared by the analysis modules: the coded segments to analyse and who spoke them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..project import Project


def coded_segments(
    project: Project, codings: pd.DataFrame | None = None, **filters: Any
) -> pd.DataFrame:
    """``codings`` if given (already filtered by the caller), else ``project.codings(**filters)``,
    with a ``participant_key`` column added (see ``participant_keys``)."""
    frame = project.codings(**filters) if codings is None else codings
    if "participant_key" in frame.columns:
        return frame
    return frame.assign(participant_key=participant_keys(frame))


def participant_keys(codings: pd.DataFrame) -> pd.Series:
    """Who a coded segment comes from: the document's ``participant`` attribute (a pseudonym) when
    set, else the speaker of the turn when that speaker is a participant (not the interviewer),
    else missing. Distinct-participant counts use this key."""
    key = pd.Series(np.nan, index=codings.index, dtype=object)
    if "speaker" in codings.columns and "speaker_role" in codings.columns:
        is_participant = (codings["speaker_role"].to_numpy() == "participant") & codings[
            "speaker"
        ].notna().to_numpy()
        if is_participant.any():
            chosen = codings.loc[is_participant, ["document", "speaker"]].astype(str)
            key[is_participant] = (chosen["document"] + " · " + chosen["speaker"]).to_numpy()
    if "participant" in codings.columns:
        key = codings["participant"].where(codings["participant"].notna(), key)
    return key


def code_order(project: Project) -> list[str]:
    """Code ids in codebook order (used to sort every per-code result)."""
    return [c.id for c in project.codebook]


def code_labels(project: Project) -> pd.DataFrame:
    """The codebook as a frame indexed by ``code_id`` (``code, theme_id, theme, depth, path…``)."""
    return project.codebook.to_dataframe().set_index("code_id")
