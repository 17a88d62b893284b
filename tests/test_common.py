"""Helpers shared by the concept modules (``miam_qual.common``)."""

from __future__ import annotations

import math

import pandas as pd

from miam_qual.common import frame_rows


def test_frame_rows_read_like_itertuples_without_the_index():
    frame = pd.DataFrame(
        {"code": ["Prix", "Goût"], "count": [3, 1], "2 mots": ["a", "b"], "part": [0.5, None]},
        index=[10, 20],
    )
    rows = frame_rows(frame)
    expected = list(frame.itertuples(index=False))
    assert [tuple(r)[:3] for r in rows] == [tuple(r)[:3] for r in expected]
    assert [tuple(r)[:3] for r in rows] == [("Prix", 3, "a"), ("Goût", 1, "b")]
    assert rows[0][3] == 0.5 and math.isnan(rows[1][3])  # a missing number stays NaN
    assert rows[0].code == "Prix" and rows[1].count == 1 and rows[1].part != rows[1].part
    assert rows[0]._fields == expected[0]._fields  # a name that is not an identifier: _2
    assert type(frame_rows(frame.head(1))[0]) is type(rows[0])  # one tuple type per columns
    assert frame_rows(frame.iloc[0:0]) == []
