"""The listening page of an episode: one self-contained HTML file to review before broadcast.

Supervisors and the people quoted open ``page_ecoute.html`` in any browser, offline: for each
quote, in the episode's order, its theme, its attribution, its text as it will be published, a
player with the quote as the episode has it (normalised, encoded as a small MP3 inside the page as
a ``data:`` URI) and its place in the episode, and whose voice it is with the consent in force for
« voix à la radio » and the day the form was signed. The whole episode plays from
``episode.mp3`` beside the page.

The page is written into the export's staging folder: the privacy gate reads its text and every
attribute back like any other file; every name on it is a pseudonym.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import wave
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..config import CONSENT_USES
from ..templating import environment
from .episode import CLIP, MP3_NAME, WAV_NAME, Episode, decimal
from .episode_files import MP3_OPTIONS
from .loudness import TARGETS
from .outputs import clock, short_duration

if TYPE_CHECKING:
    from ..project import Project
    from .consent import ExportStart

PAGE_NAME = "page_ecoute.html"
TEMPLATES = Path(__file__).parent / "templates"
#: The players of the page: mono MP3 at this rate and bit rate (speech stays clear, the page small).
PAGE_RATE, PAGE_BIT_RATE = 22_050, 48_000


def write_listening_page(project: Project, start: ExportStart, episode: Episode) -> Path:
    """Write ``page_ecoute.html`` into ``start.folder`` beside the episode; returns its path."""
    from ..store import people

    quotes = start.allowed.set_index("quote_id")
    current = people.current_consents(project.store)
    radio = current[current["use"] == "radio"].set_index("participant")
    items = []
    with wave.open(str(start.folder / WAV_NAME), "rb") as wav:
        for part in (p for p in episode.parts if p.kind == CLIP):
            row = quotes.loc[part.quote_id]
            wav.setpos(part.start)
            pcm = np.frombuffer(wav.readframes(part.frames), "<i2")
            sound = base64.b64encode(clip_mp3(pcm, episode.rate, episode.channels)).decode("ascii")
            begin, end = episode.ms(part.start), episode.ms(part.start + part.frames)
            items.append({
                "id": part.quote_id, "theme": part.theme, "attribution": part.attribution,
                "text": row["public_text"], "begin": clock(begin), "end": clock(end),
                "duration": short_duration(end - begin), "audio": f"data:audio/mpeg;base64,{sound}",
                "voices": _voices(start, row, radio),
            })  # fmt: skip
    page = (
        environment(TEMPLATES)
        .get_template("ecoute.html.j2")
        .render(
            title=start.pseudonyms.apply(project.name),
            day=dt.date.today().strftime("%d/%m/%Y"),
            duration=short_duration(episode.duration_ms),
            loudness=decimal(episode.loudness_lufs),
            target=f"{TARGETS[episode.target]:.0f}".replace("-", "−"),
            peak=decimal(episode.true_peak_db),
            episode=MP3_NAME,
            quotes=items,
            use=CONSENT_USES.get("radio", "radio"),
        )
    )
    path = start.folder / PAGE_NAME
    path.write_text(page, encoding="utf-8")
    return path


def _voices(start: ExportStart, row, radio) -> list[dict[str, str]]:
    """Who speaks in the quote, and the consent in force for the radio (French)."""
    voices = []
    for who in start.consent.identities(row["document_id"], int(row["start"]), int(row["end"])):
        if who.interviewer:
            name = start.pseudonyms.apply(who.label or "enquête")
            voices.append({"who": f"{name} (équipe de l'enquête)", "state": "pas d'accord à donner",
                           "ok": "oui"})  # fmt: skip
            continue
        name = start.pseudonyms.apply(who.participant or who.label or "voix non identifiée")
        if who.participant in radio.index:
            record = radio.loc[who.participant]
            day = record["effective_on"]
            given = "donné" if record["granted"] else "refusé ou retiré"
            how = (
                f" ({record['method']})"
                if isinstance(record["method"], str) and record["method"]
                else ""
            )
            state = f"accord {given} le {_french_day(day)}{how}"
            ok = "oui" if record["granted"] else "non"
        else:
            state, ok = "aucun accord enregistré", "non"
        voices.append({"who": name, "state": start.pseudonyms.apply(state), "ok": ok})
    return voices


def _french_day(day: object) -> str:
    try:
        return dt.date.fromisoformat(str(day)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return str(day)


def clip_mp3(pcm: np.ndarray, rate: int, channels: int) -> bytes:
    """Interleaved 16-bit ``pcm`` as a small mono MP3 (``PAGE_RATE``, ``PAGE_BIT_RATE``)."""
    import av

    layout = "mono" if channels == 1 else "stereo"
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=PAGE_RATE, layout="mono",
                                      options=MP3_OPTIONS)  # fmt: skip
        assert isinstance(stream, av.audio.stream.AudioStream)  # an audio encoder was named
        stream.bit_rate = PAGE_BIT_RATE
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout=layout)
        frame.sample_rate, frame.pts, frame.time_base = rate, 0, Fraction(1, rate)
        resampler = av.AudioResampler(format=stream.codec_context.format, layout="mono",
                                      rate=PAGE_RATE)  # fmt: skip
        for converted in [*resampler.resample(frame), *resampler.resample(None)]:
            container.mux(stream.encode(converted))
        container.mux(stream.encode(None))
    return buffer.getvalue()


#: Above this size the notebook's player refuses to send the episode to the browser.
PLAYER_LIMIT_BYTES = 40 * 1024 * 1024


def episode_player(folder: Path | str):
    """A notebook player (``ipywidgets.Audio``) for the ``episode.mp3`` of export ``folder``, or
    a French line (``ipywidgets.HTML``) when there is none or it is too large to send to the
    browser. The notebook keeps no copy of the sound: it is stored without outputs."""
    import html

    import ipywidgets as w

    path = Path(folder) / MP3_NAME
    if not path.is_file():
        return w.HTML(f"<p>Pas d'épisode dans « {html.escape(str(folder))} » : exportez le "
                      "paquet radio avec le montage.</p>")  # fmt: skip
    size = path.stat().st_size
    if size > PLAYER_LIMIT_BYTES:
        return w.HTML(f"<p>L'épisode pèse {size // 2**20} Mo : ouvrez « {html.escape(str(path))} » "
                      "dans un lecteur, ou la page d'écoute à côté de lui.</p>")  # fmt: skip
    return w.Audio(value=path.read_bytes(), format="mpeg", autoplay=False, loop=False)


def episode_preview(project: Project, *, theme: str | None = None, loudness: str | None = None):
    """Notebook 05's preview: the radio package with its montage exported into a temporary
    folder outside the project (removed afterwards: nothing is written anywhere else), shown as
    the export's French summary and the episode's player; or the French reason why no episode
    can be made (no quote validated for the radio, consent, a missing recording…)."""
    import html
    import tempfile

    import ipywidgets as w

    from ..errors import ConsentError, ExportError
    from .radio import export_radio

    with tempfile.TemporaryDirectory(prefix="miam_episode_") as scratch:
        try:
            report = export_radio(project, Path(scratch) / "radio", theme=theme, montage=True,
                                  loudness=loudness)  # fmt: skip
        except (ConsentError, ExportError) as err:
            return w.HTML(f"<pre>Pas d'épisode : {html.escape(str(err))}</pre>")
        player = episode_player(Path(scratch) / "radio")
    summary = w.HTML(f"<pre>{html.escape(report.summary())}</pre>")
    return w.VBox([summary, player])
