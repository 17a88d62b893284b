"""The report's pictures drawn by the worker process (``miam_qual.reports.pictures``): the same
bytes as drawn here, and a whole report when the worker fails or dies midway."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import pandas as pd
import pytest

from miam_qual import Project
from miam_qual.reports import build_report_data, pictures, write_report
from miam_qual.reports.data import finish_pictures
from miam_qual.reports.pictures import PictureJobs

BARS = "miam_qual.reports.charts:bars_by_group"


@pytest.fixture(autouse=True)
def two_cores(monkeypatch):
    """The worker is used whatever the machine running the tests (it needs a spare core)."""
    monkeypatch.setattr(pictures, "_spare_core", lambda: True)


def report_pictures(project: Project, *, parallel: bool) -> tuple[dict, dict, set[str]]:
    jobs = PictureJobs(parallel=parallel)
    data = build_report_data(project, pictures=jobs)
    finish_pictures(data, jobs)
    clouds = {s.code_id: s.cloud_png for s in data.summaries}
    return data.images, clouds, jobs.by_worker


def test_the_worker_draws_the_same_pictures_as_this_process(demo_project):
    here, clouds_here, none = report_pictures(demo_project, parallel=False)
    there, clouds_there, by_worker = report_pictures(demo_project, parallel=True)
    assert none == set()
    assert by_worker  # the worker drew some, this process the others
    assert there == here
    assert clouds_there == clouds_here
    drawn = [p for p in [*here.values(), *clouds_here.values()] if p is not None]
    assert len(drawn) >= 10 and all(p.startswith(b"\x89PNG\r\n\x1a\n") for p in drawn)


def test_a_worker_that_dies_midway_leaves_the_pictures_whole(demo_project):
    expected, clouds_expected, _ = report_pictures(demo_project, parallel=False)
    worker = pictures.start_worker()
    assert worker is not None
    jobs = PictureJobs()
    jobs.draw("avant", BARS, pd.DataFrame({"a": [1]}, index=["b"]), title="t")
    _wait(lambda: "avant" in jobs.by_worker)  # drawn by the worker
    jobs.draw("lent", "time:sleep", 1.0)
    _wait(lambda: not jobs._waiting)  # the worker is busy with it…
    worker.process.kill()  # …when it is killed
    data = build_report_data(demo_project, pictures=jobs)
    finish_pictures(data, jobs)
    assert worker.process.wait(timeout=5) != 0
    assert jobs.by_worker == {"avant"}  # the rest, "lent" included, was drawn here
    assert data.images.pop("avant").startswith(b"\x89PNG") and data.images.pop("lent") is None
    assert data.images == expected
    assert {s.code_id: s.cloud_png for s in data.summaries} == clouds_expected
    replacement = pictures.start_worker()  # the next report starts another worker
    assert replacement is not None and replacement is not worker and replacement.alive()


def _wait(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the worker did not answer"
        time.sleep(0.01)


def test_a_picture_the_worker_fails_to_draw_raises_its_error_here():
    jobs = PictureJobs()
    jobs.draw("cassé", BARS, "pas un tableau", title="x")
    with pytest.raises(AttributeError, match="empty"):
        jobs.results()
    assert "cassé" not in jobs.by_worker
    worker = pictures.start_worker()
    assert worker is not None and worker.alive()  # the worker goes on with the next report


def test_a_worker_stuck_on_a_picture_is_stopped_and_the_picture_drawn_here(monkeypatch):
    monkeypatch.setattr(pictures, "PATIENCE", 0.2)
    worker = pictures.start_worker()
    assert worker is not None
    jobs = PictureJobs()
    jobs.draw("lent", "time:sleep", 2.0)
    _wait(lambda: not jobs._waiting)  # the worker took it
    started = time.monotonic()
    assert jobs.results() == {"lent": None}
    assert time.monotonic() - started < 10
    assert worker.process.poll() is not None  # stopped
    assert jobs.by_worker == set()


def test_a_job_that_cannot_travel_is_drawn_here_and_the_worker_goes_on(monkeypatch):
    """Arguments this process cannot pickle, or the worker cannot unpickle (a class it cannot
    import), are drawn here; the worker keeps answering the next jobs."""
    only_here = types.ModuleType("seulement_ici")

    class Thing:
        def __repr__(self) -> str:
            return "chose"

    Thing.__module__, Thing.__qualname__ = "seulement_ici", "Thing"
    only_here.Thing = Thing  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "seulement_ici", only_here)

    class Local:  # a class defined in a function: not picklable
        pass

    jobs = PictureJobs()
    jobs.draw("inconnu_là-bas", "builtins:repr", Thing())
    jobs.draw("intransportable", "builtins:len", [Local()])
    jobs.draw("ensuite", "builtins:len", "abc")
    _wait(lambda: not jobs._waiting)  # the worker took the last one: the others were answered
    assert jobs.results() == {"inconnu_là-bas": "chose", "intransportable": 1, "ensuite": 3}
    assert jobs.by_worker == {"ensuite"}


def test_a_report_that_fails_midway_stops_drawing_and_writes_nothing(
    demo_project, tmp_path, monkeypatch
):
    """The workbook cannot be written (a full disk): nothing is written, the pictures still
    waiting are given up (the thread feeding the worker ends) and the next report is whole.
    The same when the report's data fails after its first pictures were asked."""
    import miam_qual.reports.data as report_data
    import miam_qual.reports.xlsx as xlsx

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(xlsx, "write_xlsx", full_disk)
        with pytest.raises(OSError, match="No space"):
            write_report(demo_project, tmp_path / "r", format="all")
    assert not (tmp_path / "r").exists()
    _wait(lambda: not _feeders())

    def broken(*args, **kwargs):
        raise RuntimeError("panne")

    with monkeypatch.context() as patch:
        patch.setattr(report_data, "theme_summaries", broken)
        with pytest.raises(RuntimeError, match="panne"):
            build_report_data(demo_project)  # its own pictures: the charts were asked
    _wait(lambda: not _feeders())

    worker = pictures.start_worker()
    assert worker is not None and worker.alive()
    written = write_report(demo_project, tmp_path / "r", format="html")
    assert written[0].read_text(encoding="utf-8").count("data:image/png;base64,") >= 10


def _feeders() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "miam-dessin" and t.is_alive()]


def test_no_worker_when_asked_or_on_one_core(monkeypatch, demo_project):
    monkeypatch.undo()  # the real test of the machine, not the autouse fixture's
    monkeypatch.setenv(pictures.PARALLEL_SETTING, "0")
    assert pictures.start_worker() is None
    monkeypatch.delenv(pictures.PARALLEL_SETTING)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert pictures.start_worker() is None
    images, _, by_worker = report_pictures(demo_project, parallel=True)
    assert by_worker == set() and images["saturation"].startswith(b"\x89PNG")


def test_the_worker_never_runs_the_users_script_again(built_demo, tmp_path):
    """A script without ``if __name__ == "__main__"`` (as a user writes one) runs once: its
    imports into the project are not repeated by the picture worker, which stops with it."""
    shutil.copytree(built_demo, tmp_path / "projet")
    log = tmp_path / "passages.txt"
    script = tmp_path / "mon_rapport.py"
    script.write_text(
        "import os, sys\n"
        "from miam_qual import Project\n"
        "from miam_qual.reports import pictures, write_report\n"
        "pictures._spare_core = lambda: True\n"
        f"with open({str(log)!r}, 'a') as f:\n"
        "    f.write('passage\\n')\n"
        "with Project.open(sys.argv[1]) as p:\n"
        "    write_report(p, sys.argv[2], format='html')\n"
        "print(pictures._worker.process.pid)\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "projet"), str(tmp_path / "sortie")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert log.read_text(encoding="utf-8") == "passage\n"
    assert (tmp_path / "sortie" / "revue_des_themes.html").is_file()
    worker = int(done.stdout.split()[-1])
    for _ in range(100):  # the worker ends when the script's end closes its input
        if not _running(worker):
            break
        time.sleep(0.05)
    assert not _running(worker)


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie left to a parent that does not reap it is
    not)."""
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        return "\nState:\tZ" not in status.read_text()
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
