"""Clean cuts: radio clips that start and stop in pauses, with ``[…]`` cuts spliced out.

A quote's recording times are interpolated inside a subtitle cue, so they can fall mid-word. A
clean clip is planned in three steps, then written:

1. **Pieces** (``pieces.quote_clip``). The quote's display text is split at its ``[…]`` cuts;
   each kept part is found in the original wording and becomes a piece of the source span,
   timed through the timecodes. Without a cut there is one piece.
2. **Limits** (``pieces.quote_clip`` too). Around each piece, the cues of *another speaker*
   are forbidden: the clip's in point never lies before the end of the last such cue before
   the piece, its out point never after the start of the next one. Padding is clamped to them.
3. **Snapping.** Each in and out point moves to the nearest pause within ``snap_ms`` (the
   ``calage_pause_ms`` setting, 400 ms by default), keeping ``EDGE_MS`` away from the sound on
   both sides of the pause; a point already inside a pause stays. Pauses come from short-frame
   energy (:func:`find_pauses`): 10 ms frames quieter by ``PAUSE_BELOW_DB`` than the speech
   around the boundary, or than the clip's speech met at its earlier boundaries when louder (a
   window of mere room noise), or quieter than ``FLOOR_DBFS`` outright, for at least
   ``MIN_PAUSE_MS``. Only a window of a few seconds around each boundary is decoded. A boundary
   with no pause in reach keeps its (clamped) time and the clip is reported as not cleanly cut.

Writing decodes each piece once, joins pieces with an equal-power crossfade of ``CROSSFADE_MS``
and fades the clip in and out over ``FADE_MS``. Every point is a whole millisecond, so the cue
sheet's in and out points, pieces and duration agree with the file to the millisecond: the
duration is the sum of the pieces less one crossfade per splice. Samples outside the fades and
crossfades are copied untouched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ExportError
from .media import RecordingReader, by_recording, write_audio
from .outputs import clock

FRAME_MS = 10
#: A frame is quiet when this far below the loud frames around the boundary (their 95th
#: percentile), or quieter than ``FLOOR_DBFS`` whatever the level.
PAUSE_BELOW_DB = 30.0
FLOOR_DBFS = -70.0
MIN_PAUSE_MS = 120
#: A cut keeps this far from the sound on either side of its pause.
EDGE_MS = 40
#: Sound decoded beyond the snapping reach, so that the level and whole pauses are seen.
CONTEXT_MS = 1000
FADE_MS = 20
CROSSFADE_MS = 30


def find_pauses(
    samples: np.ndarray,
    rate: int,
    *,
    frame_ms: int = FRAME_MS,
    min_pause_ms: int = MIN_PAUSE_MS,
    below_db: float = PAUSE_BELOW_DB,
    floor_dbfs: float = FLOOR_DBFS,
    reference_db: float | None = None,
) -> list[tuple[int, int]]:
    """Pauses of a mono signal (floats, full scale 1): ``[start, end)`` sample ranges, in order.

    A pause is a run of at least ``min_pause_ms`` of ``frame_ms`` frames whose RMS level (dBFS)
    is ``below_db`` under the loud level — the signal's (:func:`speech_level`), or
    ``reference_db`` when louder (the speech heard elsewhere in the clip) — or under
    ``floor_dbfs`` whatever the level (so a window of silence is one pause).
    """
    level, width = _frame_levels(samples, rate, frame_ms)
    count = len(level)
    if count == 0:
        return []
    loud = max(float(np.percentile(level, 95)), -math.inf if reference_db is None else reference_db)
    threshold = max(loud - below_db, floor_dbfs)
    quiet = np.concatenate(([0], (level < threshold).astype(np.int8), [0]))
    edges = np.flatnonzero(np.diff(quiet))
    shortest = math.ceil(min_pause_ms / frame_ms)
    pauses = []
    for begin, end in zip(edges[0::2], edges[1::2], strict=True):
        if end - begin >= shortest:
            # a pause running to the last whole frame runs to the end of the signal
            pauses.append((int(begin) * width, len(samples) if end == count else int(end) * width))
    return pauses


def _frame_levels(samples: np.ndarray, rate: int, frame_ms: int) -> tuple[np.ndarray, int]:
    """RMS level (dBFS) of each whole ``frame_ms`` frame, and the frame's width in samples."""
    width = max(1, rate * frame_ms // 1000)
    count = len(samples) // width
    frames = np.asarray(samples[: count * width], dtype=np.float64).reshape(count, width)
    return 20 * np.log10(np.maximum(np.sqrt((frames**2).mean(axis=1)), 1e-7)), width


def speech_level(samples: np.ndarray, rate: int, *, frame_ms: int = FRAME_MS) -> float:
    """The loud level of a signal (dBFS): the 95th percentile of its frames' RMS levels."""
    level, _width = _frame_levels(samples, rate, frame_ms)
    return float(np.percentile(level, 95)) if len(level) else -math.inf


def snap(
    target: int,
    pauses: list[tuple[int, int]],
    *,
    low: int,
    high: int,
    reach: int,
    edge: int,
    outward: int,
) -> int | None:
    """The point nearest ``target`` that lies in a pause, at least ``edge`` from its sound (the
    middle of a shorter pause), within ``reach`` of ``target`` and inside ``[low, high]``;
    ``None`` when there is none. On a tie the point on the ``outward`` side (-1: earlier, +1:
    later) wins. All positions are sample indices."""
    best: tuple[tuple[int, int], int] | None = None
    low, high = max(low, target - reach), min(high, target + reach)
    for begin, end in pauses:
        first, last = (begin + edge, end - edge) if end - begin >= 2 * edge else ((begin + end) // 2,) * 2  # fmt: skip
        first, last = max(first, low), min(last, high)
        if first > last:
            continue
        point = min(max(target, first), last)
        key = (abs(point - target), 0 if (point - target) * outward >= 0 else 1)
        if best is None or key < best[0]:
            best = (key, point)
    return None if best is None else best[1]


@dataclass
class CleanClip:
    """A clip made of one or more pieces of a recording, cut in pauses and faded.

    ``pieces_ms``: the spoken pieces wanted (ms, in order, interpolated from the timecodes);
    ``limits_ms``: per piece, the earliest in point and latest out point allowed (another
    speaker's words around it; ``None``: no limit). :func:`plan_clip` fills ``rate``, ``cuts``
    (the frames ``[in, out)`` of each piece in the recording), ``snapped`` (per boundary, in
    order in, out, in, out…: whether it landed in a pause) and ``crossfade``;
    :func:`write_clip` writes ``destination`` (format by suffix).
    """

    source: Path
    destination: Path
    pieces_ms: list[tuple[int, int]]
    limits_ms: list[tuple[int | None, int | None]] = field(default_factory=list)
    rate: int = 0
    cuts: list[tuple[int, int]] = field(default_factory=list)
    snapped: list[bool] = field(default_factory=list)
    crossfade: int = 0

    def _ms(self, frame: int) -> int:
        return round(frame * 1000 / self.rate)

    @property
    def written_begin_ms(self) -> int:
        """Real in point in the recording (ms)."""
        return self._ms(self.cuts[0][0])

    @property
    def written_end_ms(self) -> int:
        """Real out point in the recording (ms)."""
        return self._ms(self.cuts[-1][1])

    @property
    def frames(self) -> int:
        """Frames in the written clip: the pieces less one crossfade per splice."""
        return sum(b - a for a, b in self.cuts) - self.crossfade * (len(self.cuts) - 1)

    @property
    def written_duration_ms(self) -> int:
        return self._ms(self.frames)

    @property
    def spoken_ms(self) -> int:
        """The duration of the words wanted: the pieces, without padding or snapping."""
        return sum(end - begin for begin, end in self.pieces_ms)

    @property
    def clean(self) -> bool:
        """Whether every boundary landed in a pause."""
        return all(self.snapped)

    def describe_pieces(self) -> str:
        """The pieces as ``début–fin`` clock times joined by `` + `` (for the cue sheet)."""
        return " + ".join(f"{clock(self._ms(a))}–{clock(self._ms(b))}" for a, b in self.cuts)


def _samples(data: bytes, width: int, channels: int) -> np.ndarray:
    """Interleaved PCM as an ``(frames, channels)`` integer array (8-bit centred on 0)."""
    if width == 3:
        raw = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        values = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        values = np.where(values >= 1 << 23, values - (1 << 24), values)
    elif width == 1:
        values = np.frombuffer(data, dtype=np.uint8).astype(np.int32) - 128
    else:
        values = np.frombuffer(data, dtype={2: "<i2", 4: "<i4"}[width]).astype(np.int64)
    return values.reshape(-1, channels)


def _pcm(samples: np.ndarray, width: int) -> bytes:
    if width == 3:
        values = samples.reshape(-1).astype("<i4")
        return values.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    if width == 1:
        return (samples.reshape(-1) + 128).astype(np.uint8).tobytes()
    return samples.reshape(-1).astype({2: "<i2", 4: "<i4"}[width]).tobytes()


def _mono(data: bytes, width: int, channels: int) -> np.ndarray:
    return _samples(data, width, channels).mean(axis=1) / float(1 << (8 * width - 1))


def _place(
    reader: RecordingReader,
    target: int,
    *,
    low: int,
    high: int,
    reach: int,
    outward: int,
    rate: int,
    level: list[float],
) -> tuple[int, bool] | None:
    """A boundary's frame (a whole millisecond) and whether it lies in a pause; ``None`` when
    the recording holds nothing around ``target``. ``level`` holds the loudest speech level
    met so far in the clip: a window of mere background noise is judged against it."""
    first = max(0, target - reach - rate * CONTEXT_MS // 1000)
    data = reader.read(first, target + reach + rate * CONTEXT_MS // 1000)
    if not data and first > low:  # the recording ends before the window: look from ``low``
        first = low
        data = reader.read(first, target + reach + rate * CONTEXT_MS // 1000)
    if not data:
        return None
    mono = _mono(data, reader.sample_width, reader.channels)
    edge = rate * EDGE_MS // 1000
    high = min(high, first + len(mono))  # compressed recordings: where the decoder stops
    target = min(max(target, low), high)
    # a pause reaching the window's edge is open there (at the recording's start or end, no
    # sound to keep away from; elsewhere the edge lies beyond the reach)
    pauses = [
        (first + a - (edge if a == 0 else 0), first + b + (edge if b == len(mono) else 0))
        for a, b in find_pauses(mono, rate, reference_db=level[0])
    ]
    level[0] = max(level[0], speech_level(mono, rate))
    point = snap(target, pauses, low=low, high=high, reach=reach, edge=edge, outward=outward)
    return _whole_ms(target if point is None else point, low, high, rate), point is not None


def _whole_ms(frame: int, low: int, high: int, rate: int) -> int:
    """The frame of a whole millisecond nearest ``frame`` inside ``[low, high]`` (``frame``
    itself when none is), so that the cue sheet's milliseconds are the file's."""
    millis = frame * 1000 / rate
    inside = [f for f in (round(math.floor(millis) * rate / 1000),
                          round(math.ceil(millis) * rate / 1000)) if low <= f <= high]  # fmt: skip
    return min(inside, key=lambda f: abs(f - frame)) if inside else frame


def plan_clip(reader: RecordingReader, clip: CleanClip, *, padding_ms: int, snap_ms: int) -> None:
    """Fill ``clip.rate``, ``cuts``, ``snapped`` and ``crossfade`` (see :class:`CleanClip`):
    padding before the first piece and after the last, limits, snapping. Decodes a few seconds
    around each boundary only. Raises ``ExportError`` when the clip lies outside the recording.
    """
    rate = reader.rate

    def frame(ms: int) -> int:
        return round(ms * rate / 1000)

    reach = frame(snap_ms)
    total = reader.total_frames
    limits = clip.limits_ms or [(None, None)] * len(clip.pieces_ms)
    cuts: list[tuple[int, int]] = []
    snapped: list[bool] = []
    level = [-math.inf]
    for index, ((begin, end), (floor, ceiling)) in enumerate(
        zip(clip.pieces_ms, limits, strict=True)
    ):
        last_piece = index == len(clip.pieces_ms) - 1
        low = max(frame(min(floor, begin)) if floor is not None else 0, cuts[-1][1] if cuts else 0)
        high = frame(max(ceiling, end)) if ceiling is not None else (total or 1 << 62)
        if not last_piece:  # never past the start of the next piece: its cut stays cut
            high = min(high, frame(clip.pieces_ms[index + 1][0]))
        target_in = max(frame(begin - (0 if cuts else padding_ms)), low)
        placed = _place(reader, target_in, low=low, high=frame(end), reach=reach, outward=-1,
                        rate=rate, level=level)  # fmt: skip
        if placed is None:
            length_ms = round(total * 1000 / rate) if total is not None else reader.estimated_ms
            raise ExportError(
                f"« {clip.source.name} » : l'extrait {clip.destination.stem} ({begin} ms) est "
                f"hors de l'enregistrement ({length_ms} ms)."
            )
        start, clean_in = placed
        target_out = min(frame(end + (padding_ms if last_piece else 0)), high)
        placed = _place(reader, max(target_out, start + 1), low=start + 1, high=high,
                        reach=reach, outward=1, rate=rate, level=level)  # fmt: skip
        stop, clean_out = placed if placed is not None else (start, False)
        if stop <= start:
            continue  # the recording ended inside the gap before this piece
        cuts.append((start, stop))
        snapped += [clean_in, clean_out]
    if not cuts:
        raise ExportError(
            f"« {clip.source.name} » : l'extrait {clip.destination.stem} est hors de "
            "l'enregistrement."
        )
    clip.rate, clip.cuts, clip.snapped = rate, cuts, snapped
    shortest = min(b - a for a, b in cuts)
    clip.crossfade = min(frame(CROSSFADE_MS), shortest // 2) if len(cuts) > 1 else 0


def _ramp(count: int) -> np.ndarray:
    """Equal-power rising gain over ``count`` frames (its mirror falls)."""
    return np.sin((np.arange(count) + 0.5) / max(count, 1) * math.pi / 2)[:, None]


def write_clip(reader: RecordingReader, clip: CleanClip) -> None:
    """Decode the planned pieces, splice them with equal-power crossfades, fade the clip in and
    out and write it. A piece the decoder delivers shorter (the end of a compressed recording)
    is shortened in ``clip.cuts`` too. Raises ``ExportError`` when encoding fails."""
    width, channels = reader.sample_width, reader.channels
    limit = (1 << (8 * width - 1)) - 1
    pieces = []
    for index, (begin, end) in enumerate(clip.cuts):
        samples = _samples(reader.read(begin, end), width, channels)
        clip.cuts[index] = (begin, begin + len(samples))
        pieces.append(samples)
    joined = pieces[0]
    overlap = clip.crossfade = min([clip.crossfade, *(len(p) // 2 for p in pieces)])
    for piece in pieces[1:]:
        if overlap:
            rise = _ramp(overlap)
            mixed = joined[-overlap:] * rise[::-1] + piece[:overlap] * rise
            joined = np.concatenate([joined[:-overlap], np.rint(mixed).astype(np.int64),
                                     piece[overlap:]])  # fmt: skip
        else:
            joined = np.concatenate([joined, piece])
    fade = min(round(FADE_MS * clip.rate / 1000), len(joined) // 2)
    if fade:
        joined = joined.astype(np.int64)  # a copy: the decoded buffer may be read-only
        rise = _ramp(fade)
        joined[:fade] = np.rint(joined[:fade] * rise)
        joined[-fade:] = np.rint(joined[-fade:] * rise[::-1])
    joined = np.clip(joined, -limit - 1, limit)
    write_audio(_pcm(joined, width), clip.destination, clip.rate, channels, width)


def cut_clean_clips(clips: list[CleanClip], *, padding_ms: int, snap_ms: int) -> None:
    """Plan (see :func:`plan_clip`) and write every clip, opening each recording once.
    Raises ``ExportError`` for a missing or unreadable recording or a clip outside it."""
    _by_recording(clips, padding_ms=padding_ms, snap_ms=snap_ms)


def write_clips(clips: list[CleanClip]) -> None:
    """Write clips already planned, opening each recording once (see :func:`write_clip`)."""
    _by_recording(clips, padding_ms=None, snap_ms=0)


def _by_recording(clips: list[CleanClip], *, padding_ms: int | None, snap_ms: int) -> None:
    for reader, clip in by_recording(clips, key=lambda c: c.pieces_ms[0][0]):
        if padding_ms is not None:
            plan_clip(reader, clip, padding_ms=padding_ms, snap_ms=snap_ms)
        write_clip(reader, clip)
