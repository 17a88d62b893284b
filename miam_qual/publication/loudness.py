"""Loudness of an episode: measured as ITU-R BS.1770 / EBU R128 say, and kept under a true peak.

Everything is streamed block by block, so that a half-hour episode is never held in memory:

- ``LoudnessMeter`` measures the integrated (gated) loudness in LUFS. Its K-weighting filters
  are pyloudnorm's (``pyloudnorm.IIRfilter``, the coefficients of BS.1770), run with their state
  carried from block to block; the 400 ms blocks overlapping by 75 % and the two gates (−70 LUFS
  absolute, −10 LU relative) follow pyloudnorm's ``Meter.integrated_loudness``, which the tests
  use as the reference on whole files.
- ``true_peak`` and ``PeakMeter`` measure the true peak (dBTP) by 4× oversampling (polyphase
  interpolation, ``scipy.signal.resample_poly``), only where the sample peak comes near the
  ceiling: farther below it, no interpolated peak can reach it.
- ``Limiter`` is a look-ahead gain limiter: the gain needed to keep each oversampled peak under
  the ceiling, spread by a sliding minimum and smoothed by a moving average of the same width,
  so that the gain starts falling before the peak and never exceeds what the peak needs.

Samples are ``float32`` arrays shaped ``(frames, channels)``, full scale ±1.
"""

from __future__ import annotations

import math

import numpy as np

#: Target → integrated loudness (LUFS): EBU R128 for broadcast, −16 LUFS for podcasts.
TARGETS = {"ebu": -23.0, "podcast": -16.0}
#: The true peak a file may reach (EBU R128), and the ceiling the limiter aims at: lower, so that
#: an MP3 made from the file (whose decoding overshoots a little) stays under the limit too.
MAX_TRUE_PEAK_DB = -1.0
LIMITER_CEILING_DB = -2.0
OVERSAMPLING = 4
#: Below this distance under the ceiling (dB), a region's sample peak cannot hide a true peak
#: above it: such regions are not oversampled.
_HEADROOM_DB = 6.0
_BLOCK_S, _STEP_S = 0.4, 0.1  # BS.1770 gating blocks: 400 ms every 100 ms


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def gain_to_db(gain: float) -> float:
    return 20.0 * math.log10(gain) if gain > 0 else -math.inf


class LoudnessMeter:
    """Integrated loudness (LUFS) of a stream of blocks at ``rate`` (see module docstring)."""

    def __init__(self, rate: int, channels: int):
        import pyloudnorm

        self.rate = rate
        stages = [
            pyloudnorm.IIRfilter(4.0, 1 / math.sqrt(2), 1500.0, rate, "high_shelf"),
            pyloudnorm.IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"),
        ]
        # both biquads as second-order sections: one pass, three times faster than two lfilter
        self._sections = np.array([np.concatenate([f.b, f.a]) for f in stages])
        self._state = np.zeros((len(stages), 2, channels))  # at rest, as on a whole file
        self._position = 0  # frames seen
        self._total = 0.0  # sum of the weighted squares so far
        self._marks: list[float] = []  # that sum at each 100 ms boundary
        self._next_mark = 0

    def _mark(self, index: int) -> int:
        return int(_STEP_S * index * self.rate)

    def add(self, block: np.ndarray) -> None:
        from scipy.signal import sosfilt

        if not len(block):
            return
        data, self._state = sosfilt(
            self._sections, block.astype(np.float64), axis=0, zi=self._state
        )
        # channel weights are 1 for mono and stereo: the squares simply add up
        cumulative = self._total + np.cumsum(np.square(data).sum(axis=1))
        end = self._position + len(data)
        while (mark := self._mark(self._next_mark)) <= end:
            offset = mark - self._position
            self._marks.append(self._total if offset == 0 else float(cumulative[offset - 1]))
            self._next_mark += 1
        self._position, self._total = end, float(cumulative[-1])

    def integrated(self) -> float:
        """The gated integrated loudness so far (``-inf`` when silent or under 400 ms)."""
        marks = np.asarray(self._marks)
        steps = round(_BLOCK_S / _STEP_S)
        if len(marks) <= steps:
            return -math.inf
        energy = (marks[steps:] - marks[:-steps]) / (_BLOCK_S * self.rate)
        with np.errstate(divide="ignore"):
            loudness = -0.691 + 10 * np.log10(energy)
        gated = energy[loudness >= -70.0]
        if not len(gated):
            return -math.inf
        relative = -0.691 + 10 * math.log10(gated.mean()) - 10.0
        kept = energy[(loudness > relative) & (loudness > -70.0)]
        return -0.691 + 10 * math.log10(kept.mean()) if len(kept) else -math.inf


def _envelope(block: np.ndarray, threshold: float) -> np.ndarray:
    """Per frame, the largest magnitude of the 4× oversampled signal around it (channels linked):
    oversampled only in the stretches where some sample exceeds ``threshold``."""
    from scipy.signal import resample_poly

    peak = np.abs(block).max(axis=1)
    loud = np.flatnonzero(peak > threshold)
    if not len(loud):
        return peak
    width, margin = 2048, 32
    for first in np.unique(loud // width) * width:
        lo, hi = max(0, first - margin), min(len(block), first + width + margin)
        fine = np.abs(resample_poly(block[lo:hi], OVERSAMPLING, 1, axis=0)).max(axis=1)
        fine = fine[: (hi - lo) * OVERSAMPLING].reshape(-1, OVERSAMPLING).max(axis=1)
        stop = min(first + width, len(block))
        peak[first:stop] = np.maximum(peak[first:stop], fine[first - lo : stop - lo])
    return peak


def true_peak(block: np.ndarray) -> float:
    """The true peak of ``block`` in dBTP (4× oversampling)."""
    if not len(block):
        return -math.inf
    threshold = db_to_gain(LIMITER_CEILING_DB - _HEADROOM_DB)
    return gain_to_db(float(_envelope(block, threshold).max()))


class PeakMeter:
    """The true peak (dBTP) of a stream of blocks; each block is read with a little of the one
    before, so that a peak between two blocks is interpolated as within one."""

    def __init__(self) -> None:
        self.peak_db = -math.inf
        self._tail: np.ndarray | None = None

    def add(self, block: np.ndarray) -> None:
        joined = block if self._tail is None else np.concatenate([self._tail, block])
        self.peak_db = max(self.peak_db, true_peak(joined))
        self._tail = joined[-64:]


class Limiter:
    """A look-ahead true-peak limiter for a stream (see module docstring). ``push`` returns the
    limited frames it can already decide (it holds back twice its look-ahead), ``flush`` the
    rest: together exactly as many frames as were pushed."""

    def __init__(self, rate: int, channels: int, *, ceiling_db: float = LIMITER_CEILING_DB,
                 lookahead_ms: float = 5.0):  # fmt: skip
        self.ceiling = db_to_gain(ceiling_db)
        self._threshold = db_to_gain(ceiling_db - _HEADROOM_DB)
        self._reach = max(1, round(rate * lookahead_ms / 1000))
        self._buffer = np.zeros((2 * self._reach, channels), dtype=np.float32)
        self.reduced_frames = 0  # how many frames had their gain lowered

    def push(self, block: np.ndarray) -> np.ndarray:
        from scipy.ndimage import minimum_filter1d, uniform_filter1d

        buffer = np.concatenate([self._buffer, block.astype(np.float32, copy=False)])
        reach = self._reach
        if len(buffer) <= 4 * reach:
            self._buffer = buffer
            return buffer[:0]
        envelope = _envelope(buffer, self._threshold)
        needed = np.minimum(1.0, self.ceiling / np.maximum(envelope, 1e-12))
        ready = slice(2 * reach, len(buffer) - 2 * reach)
        low = np.flatnonzero(needed < 1.0)
        if len(low):
            gain = np.ones(len(buffer))
            # only around the peaks (elsewhere the gain stays 1): each cluster with its reach
            breaks = np.flatnonzero(np.diff(low) > 4 * reach) + 1
            for cluster in np.split(low, breaks):
                lo, hi = (
                    max(0, cluster[0] - 2 * reach),
                    min(len(buffer), cluster[-1] + 2 * reach + 1),
                )
                spread = minimum_filter1d(needed[lo:hi], 2 * reach + 1, mode="constant", cval=1.0)
                gain[lo:hi] = uniform_filter1d(spread, 2 * reach + 1, mode="constant", cval=1.0)
            # the moving average rounds: never let it exceed what the peak itself needs
            gain = np.minimum(gain, needed)[ready]
            self.reduced_frames += int((gain < 1.0).sum())
            out = buffer[ready] * gain[:, None].astype(np.float32)
        else:
            out = buffer[ready].copy()
        self._buffer = buffer[-4 * reach :]
        return out

    def flush(self) -> np.ndarray:
        out = self.push(np.zeros((2 * self._reach, self._buffer.shape[1]), dtype=np.float32))
        self._buffer = self._buffer[:0]
        return out
