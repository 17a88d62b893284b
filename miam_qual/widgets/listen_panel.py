"""``ListenPanel``: the anywidget view of a ``Listening`` (one ES module, one stylesheet).

The browser asks for sound (« Écouter la sélection », « Écouter à partir d'ici », a click on a
timecode, then the next window before the current one ends) and reports where the player is,
every 250 ms. Python answers each request with one window of WAV sent as a binary buffer of a
custom message, and marks the cue being heard in the coding panel (``CodingPanel.playing``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ..errors import MiamError
from .layout import format_ms
from .listen import FIRST_WINDOW_MS, WINDOW_MS, Listening

if TYPE_CHECKING:
    from ..project import Project
    from .panel import CodingPanel
    from .session import CodingSession

STATIC = Path(__file__).parent / "static"


class ListenPanel(anywidget.AnyWidget):
    """``ListenPanel(projet, panneau)`` in a notebook cell, below the coding panel ``panneau``:
    hear the recording of the document open there (the passage selected, from the place clicked,
    or from a timecode of the list), the passage heard being outlined in the coding panel.

    The underlying ``listening`` (a ``Listening``) holds the logic and can be driven from Python.
    """

    _esm = STATIC / "listen.js"
    _css = STATIC / "listen.css"

    info = traitlets.Dict().tag(sync=True)
    cues: traitlets.List[Any] = traitlets.List().tag(sync=True)
    current = traitlets.Int(-1).tag(sync=True)
    status = traitlets.Dict().tag(sync=True)

    def __init__(
        self, project: Project, panel: CodingPanel | CodingSession | None = None, **kwargs: Any
    ):
        super().__init__(**kwargs)
        self.listening = Listening(project, panel)
        #: number of the current play request: windows asked for an older one are not sent
        self.play_id = 0
        self._shown: str | None = None
        self.on_msg(self._on_message)
        if isinstance(panel, anywidget.AnyWidget):
            panel.observe(lambda _change: self.refresh(follow=True), names="doc")
        self.refresh(follow=True)

    # -- Python → browser -----------------------------------------------------------------------
    def refresh(self, *, follow: bool = False) -> None:
        """Show the document listened to (``follow``: first take the coding panel's), its
        recording and timecodes; a change of document stops the player."""
        li = self.listening
        if follow:
            li.follow()
        with self.hold_sync():
            if li.document_id != self._shown or not self.info:
                self.info = {"document": li.document_name(), "media": li.media() or ""}
                self.cues = li.cue_list()
                if self._shown is not None:
                    self.send({"kind": "stop"})
                self._shown = li.document_id
            self.current = -1 if li.current is None else li.current
            self.status = {"text": li.status, "level": li.status_level}

    def play_quote(self, quote: str) -> bool:
        """Play a quote's passage (the quote board's « ▶ Écouter »); returns whether sound was
        sent (otherwise the French reason is on the status line)."""
        begin = self.listening.play_quote(quote)
        self.refresh()
        started = self.start(begin)
        self.refresh()
        return started

    def start(self, begin_ms: int | None) -> bool:
        """Begin a new play at ``begin_ms`` (``None``: refused, the message is in the status):
        sends the first, short window; returns whether sound was sent."""
        if begin_ms is None:
            return False
        self.play_id += 1
        recording = self.listening.recording()
        if recording is not None and not self.info.get("duration"):
            self.info = {**self.info, "duration": format_ms(recording.duration_ms) or ""}
        return self.send_window(begin_ms, FIRST_WINDOW_MS, start=True)

    def send_window(
        self, begin_ms: int, length_ms: int = WINDOW_MS, *, start: bool = False
    ) -> bool:
        """Send the window of sound from ``begin_ms`` of the current play (or its end)."""
        li = self.listening
        found = li.window(begin_ms, length_ms, starting=start)
        if found is None:
            self.send({"kind": "end", "play": self.play_id, "start": start})
            return False
        stop = li.stop_ms
        last = found.last or (stop is not None and found.end_ms >= stop)
        content = {
            "kind": "window", "play": self.play_id, "start": start, "begin_ms": found.begin_ms,
            "end_ms": found.end_ms, "last": last, "stop_ms": stop,
        }  # fmt: skip
        self.send(content, buffers=[found.wav])
        return True

    # -- browser → Python -----------------------------------------------------------------------
    def _on_message(self, _widget: object, content: dict, _buffers: object) -> None:
        li = self.listening
        action = content.get("action")
        plays = {
            "selection": li.play_selection,
            "here": li.play_from_here,
            "cue": lambda: li.play_cue(int(content.get("index", -1))),
            "at": lambda: li.play_at(int(content.get("ms", 0))),
            "quote": lambda: li.play_quote(str(content.get("quote", ""))),
        }
        begin: int | None = None
        try:
            if action in plays:
                begin = plays[str(action)]()
            elif action == "window":
                if int(content.get("play", -1)) == self.play_id:
                    self.send_window(int(content.get("begin_ms", 0)))
            elif action == "time":
                if int(content.get("play", -1)) == self.play_id:
                    li.heard(int(content.get("ms", 0)))
            elif action == "stopped":
                # the recording stays open until the document changes: a second play there
                # reuses what the demuxer learnt while seeking (an mp3 has no index of its own)
                li.stopped()
                if content.get("reason") == "fin":
                    li.say("Fin de l'écoute.")
            else:
                li.say(f"Action inconnue « {action} » : rechargez le panneau d'écoute.", "erreur")
            self.refresh()  # a quote may open another document: the player stops first
            if action in plays:
                self.start(begin)
        except (MiamError, ValueError, TypeError) as err:
            li.say(f"Écoute impossible : {err}", "erreur")
        self.refresh()
