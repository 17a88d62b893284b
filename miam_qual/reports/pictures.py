"""A report's pictures (charts and word clouds), drawn beside the rest of the work.

Drawing is a third of a report's time. On a machine with a spare core, the pictures are drawn by
a worker process while this process computes the theme summaries and writes the workbook; what
the worker has not started by then is taken back and drawn here, the last asked first, so that
both cores finish together.

The worker is a fresh interpreter running ``_main`` of this module, fed through its standard
input and output (one pickled job, one pickled answer, each after its length). Unlike
``multiprocessing``'s spawned processes it never runs the user's own script again, and unlike a
fork it shares no open database, thread or notebook state; it is the same on Linux, macOS and
Windows. It is started
once per Python process (``start_worker``: the command line starts it before it opens the
project, a notebook keeps it for its next reports), receives only pseudonymised tables and word
lists, and writes nothing. It stops when this process closes its input, or exits.

The pictures are the same bytes whichever process draws them (the same functions, fixed sizes
and random states; ``tests/test_report_pictures.py``). Everything is drawn here when there is no
spare core, when ``MIAM_DESSIN_PARALLELE=0``, and for what is left when the worker dies or stays
stuck on a picture (``PATIENCE``); a picture the worker fails to draw is drawn again here, so that
its error is raised as usual.

    jobs = PictureJobs()                      # starts (or reuses) the worker
    jobs.draw("saturation", "miam_qual.reports.charts:saturation_curve", table, title="…")
    ...                                       # other work
    images = jobs.results()                   # {"saturation": b"\\x89PNG…" or None}
"""

from __future__ import annotations

import atexit
import collections
import importlib
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

#: Environment variable: ``0`` draws every picture in this process (no worker).
PARALLEL_SETTING = "MIAM_DESSIN_PARALLELE"
#: Seconds a report waits for the worker's last picture once it has drawn the rest itself; a
#: worker still busy then is stopped and the picture drawn here (one takes a tenth of a second).
PATIENCE = 120.0

#: ``("module:function", args, kwargs)``: the function is named, so that this process loads
#: matplotlib only if it draws a picture itself.
Job = tuple[str, tuple, dict]


class WorkerLost(Exception):
    """The worker process exited or cannot be reached."""


class Worker:
    """The worker process: ``run(job)`` sends a job and returns its picture."""

    def __init__(self) -> None:
        # this very package: its folder comes first unless the worker's path has it already
        # (installed), and the current folder is not put on the path (``-P``)
        root = str(Path(__file__).resolve().parents[2])
        start = (
            f"import sys; root = {root!r}; root in sys.path or sys.path.insert(0, root); "
            "from miam_qual.reports.pictures import _main; _main()"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-c", start],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # users read French messages only; errors come back
        )
        self._lock = threading.Lock()  # one job at a time

    def run(self, job: Job) -> tuple[bool, Any]:
        """``(True, picture)``, or ``(False, None)`` when the job could not be sent or drawing
        failed in the worker. Raises ``WorkerLost`` when the worker cannot be reached."""
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            message = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # drawn here, where the same arguments need no pickling
            return False, None
        with self._lock:
            try:
                _send(self.process.stdin, message)
                answer = pickle.loads(_receive(self.process.stdout))
            except (OSError, EOFError, pickle.UnpicklingError) as err:
                raise WorkerLost from err
        return answer

    def alive(self) -> bool:
        return self.process.poll() is None


_worker: Worker | None = None


def _spare_core() -> bool:
    if os.environ.get(PARALLEL_SETTING, "").strip() == "0" or not sys.executable:
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 1
    return cores > 1


def start_worker() -> Worker | None:
    """The picture worker of this process, started if needed (it loads matplotlib at once);
    ``None`` when pictures are drawn here (one core, ``MIAM_DESSIN_PARALLELE=0``)."""
    global _worker
    if not _spare_core():
        return None
    if _worker is not None and not _worker.alive():
        _worker = None
    if _worker is None:
        try:
            _worker = Worker()
        except OSError:  # no interpreter to start: everything is drawn here
            return None
    return _worker


@atexit.register
def _at_exit() -> None:
    # the worker ends by itself once its input is closed: this process does not wait for it
    if _worker is not None and _worker.process.stdin is not None:
        _worker.process.stdin.close()


class PictureJobs:
    """The pictures of one report, drawn by the worker and by this process (see module doc).

    ``parallel=False`` draws everything here; by default the worker is used when there is one.
    A thread hands the jobs to the worker one by one as they are asked."""

    def __init__(self, *, parallel: bool = True) -> None:
        self._worker = start_worker() if parallel else None
        self._jobs: dict[str, Job] = {}
        self._waiting: collections.deque[str] = collections.deque()
        self._done: dict[str, tuple[bool, Any]] = {}
        self._closed = False
        self._changed = threading.Condition()
        self._feeder: threading.Thread | None = None
        #: The pictures the worker drew (the others were drawn here).
        self.by_worker: set[str] = set()

    def draw(self, key: str, function: str, *args, **kwargs) -> None:
        """Ask for the picture ``key``: ``function(*args, **kwargs)``, where ``function`` names
        (``"package.module:name"``) a function returning PNG bytes or ``None``."""
        if key in self._jobs or self._closed:
            raise ValueError(f"picture {key!r} asked twice or after the results")
        self._jobs[key] = (function, args, kwargs)
        with self._changed:
            self._waiting.append(key)
            self._changed.notify_all()
        if self._worker is not None and self._feeder is None:
            self._feeder = threading.Thread(target=self._feed, name="miam-dessin", daemon=True)
            self._feeder.start()

    def _feed(self) -> None:
        """In the feeder thread: give the worker the oldest job nobody has taken, until the
        results are asked and none is left, or the worker is lost."""
        assert self._worker is not None
        while True:
            with self._changed:
                while not self._waiting and not self._closed:
                    self._changed.wait()
                if not self._waiting:
                    return
                key = self._waiting.popleft()
            try:
                answer = self._worker.run(self._jobs[key])
            except WorkerLost:
                with self._changed:
                    self._waiting.appendleft(key)  # drawn here by ``results``
                _forget(self._worker)
                return
            with self._changed:
                self._done[key] = answer
                if answer[0]:
                    self.by_worker.add(key)

    def results(self) -> dict[str, bytes | None]:
        """Every picture asked for, by key; jobs nobody has started are drawn here meanwhile."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        while True:  # the newest first: the worker takes the oldest
            with self._changed:
                if not self._waiting:
                    break
                key = self._waiting.pop()
            self._done[key] = (True, self._here(key))
        if self._feeder is not None:
            self._feeder.join(PATIENCE)
            if self._feeder.is_alive() and self._worker is not None:
                _forget(self._worker)  # stuck: stopped, and its picture drawn here
                self._feeder.join()
        images = {}
        for key in self._jobs:
            drawn, picture = self._done.get(key, (False, None))
            # not drawn: the worker failed on it (drawn again here, to raise the same error) or
            # died on it
            images[key] = picture if drawn else self._here(key)
        return images

    def cancel(self) -> None:
        """Give up the pictures nobody has started (the report failed): the feeder thread ends
        after the picture in hand, and the worker is free for the next report."""
        with self._changed:
            self._closed = True
            self._waiting.clear()
            self._changed.notify_all()

    def _here(self, key: str) -> Any:
        return _run(self._jobs[key])


def _forget(worker: Worker) -> None:
    """A lost worker is not used again; the next report starts another."""
    global _worker
    if _worker is worker:
        _worker = None
    try:
        worker.process.kill()
        worker.process.wait()
    except OSError:
        pass


def _run(job: Job) -> Any:
    name, args, kwargs = job
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)(*args, **kwargs)


def _send(stream: IO[bytes], message: bytes) -> None:
    stream.write(len(message).to_bytes(8, "little") + message)
    stream.flush()


def _receive(stream: IO[bytes]) -> bytes:
    """The next message; ``EOFError`` when the other side closed the stream (or died)."""
    length = stream.read(8)
    message = stream.read(int.from_bytes(length, "little")) if len(length) == 8 else b""
    if len(length) < 8 or len(message) < int.from_bytes(length, "little"):
        raise EOFError
    return message


def _serve(jobs: IO[bytes], answers: IO[bytes]) -> None:
    """The worker's loop: a job in, ``(True, picture)`` or ``(False, None)`` out, until its
    input is closed."""
    while True:
        try:
            message = _receive(jobs)
        except EOFError:
            return
        try:
            answer = pickle.dumps((True, _run(pickle.loads(message))), pickle.HIGHEST_PROTOCOL)
        except Exception:  # drawn again by the report, which raises the error there
            answer = pickle.dumps((False, None))
        _send(answers, answer)


def _warm_up() -> None:
    """Load matplotlib, wordcloud and the chart font before the first job arrives."""
    import pandas as pd
    import wordcloud  # noqa: F401

    from .charts import bars_by_group

    bars_by_group(pd.DataFrame({"a": [1]}, index=["b"]), title="c")


def _main() -> None:
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print cannot break an answer
    _warm_up()
    _serve(sys.stdin.buffer, answers)
