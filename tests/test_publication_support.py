"""Shared builders for the publication tests (no tests here).

``publication_project`` fills the ``project`` fixture with three small sources (two timed
testimonies and a workshop without timecodes), three participants with different consents, the
codings below, stand-in recordings in ``medias/`` and the private pseudonym mapping.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from audio_support import transcode_wav

from miam_qual import Project
from miam_qual.publication import (
    edit_quote,
    propose_quote,
    quote_consents,
    set_quote_status,
    synthesize_recordings,
)
from miam_qual.publication.quotes import quote_guid

DATA = Path(__file__).parent / "data" / "publication"
CODECS = {"m4a": "aac", "mp3": "libmp3lame", "ogg": "libopus"}

#: (document, excerpt, code) — the excerpt is located in the imported text.
CODINGS = [
    ("temoignage_pub_01.vtt", "la supérette du coin, c'est hors de prix pour nous, alors on compte chaque euro", "prix"),
    ("temoignage_pub_01.vtt", "Heureusement ma voisine Josiane Lefebvre m'emmène au marché le samedi, rue Jean Jaurès.", "entraide"),
    ("temoignage_pub_01.vtt", "Depuis l'épicerie éphémère, on mange plus de légumes, et les enfants goûtent des choses nouvelles.", "legumes"),
    ("temoignage_pub_01.vtt", "On se retrouve entre voisines, ça fait du bien.", "convivialite"),
    ("temoignage_pub_02.vtt", "Avant je mangeais seul devant la télé, maintenant je viens à la cantine du jeudi.", "isolement"),
    ("temoignage_pub_02.vtt", "Les légumes du groupement, c'est moins cher qu'au supermarché, et c'est meilleur.", "prix"),
    ("atelier_pub_03.txt", "On a appris à cuisiner les lentilles, je n'en achetais jamais avant.", "cuisine_maison"),
]  # fmt: skip


def fill(project: Project, *, mapping: bool = True, recordings: str = "wav") -> dict[str, str]:
    """Import, code, record and map names; returns ``{excerpt start: coding id}`` by excerpt.

    ``recordings`` other than ``wav`` (e.g. ``m4a``): the transcripts name ``<media>.m4a`` and
    the stand-in WAV tones are also encoded so by PyAV (the WAVs stay beside them).
    """
    project.import_participants(DATA / "participants.csv", by="test")
    sources = sorted(p for p in DATA.iterdir() if p.suffix in {".vtt", ".txt"})
    if recordings != "wav":
        sources = [
            _with_media_format(p, recordings, project.root.parent / "sources") for p in sources
        ]
    project.import_files(sources, by="test")
    project.identify_speaker("Enquêtrice", interviewer=True, by="test")
    codings = {}
    for document, excerpt, code in CODINGS:
        text = project.text(document)
        start = text.index(excerpt)
        codings[excerpt] = project.code(
            document, start, start + len(excerpt), code, coder="camille"
        )
    for wav in synthesize_recordings(project):
        if recordings != "wav":
            transcode_wav(wav, wav.with_suffix(f".{recordings}"), codec=CODECS[recordings])
    if mapping:
        (project.root / "prive").mkdir(exist_ok=True)
        shutil.copy(DATA / "pseudonymes.yml", project.root / "prive" / "pseudonymes.yml")
    return codings


def _with_media_format(source: Path, suffix: str, folder: Path) -> Path:
    """A copy of ``source`` in ``folder`` whose ``media:`` line names a ``.<suffix>`` file."""
    folder.mkdir(parents=True, exist_ok=True)
    text = source.read_text(encoding="utf-8")
    copy = folder / source.name
    copy.write_text(
        re.sub(r"^(media: .*)\.wav$", rf"\1.{suffix}", text, flags=re.M), encoding="utf-8"
    )
    return copy


def validated(project: Project, codings: dict[str, str], targets: list[str]) -> dict[str, str]:
    """Propose every coding as a quote for ``targets`` and take it to « validée ».

    Validation is refused for a use a speaker refused (``set_quote_status``), so a quote is
    validated for the targets its speakers consent to, then given back every target asked for:
    the exports must still screen consent themselves (a consent can be withdrawn later)."""
    ids = {}
    for excerpt, coding in codings.items():
        quote = propose_quote(project, coding, targets=targets, by="léa")
        set_quote_status(project, quote, "retenue", by="léa")
        consents = quote_consents(project, quote).set_index("target")
        allowed = [t for t in targets if consents.loc[t, "allowed"]]
        edit_quote(project, quote, targets=allowed, by="léa")
        set_quote_status(project, quote, "validée", by="léa", note="relu avec la personne")
        if allowed != targets:
            with project.store.transaction():  # as if the targets had been set before a refusal
                from miam_qual.store import quotes as quotes_sql

                quotes_sql.set_targets(project.store, quote_guid(project, quote), sorted(targets))
        ids[excerpt] = quote
    return ids
