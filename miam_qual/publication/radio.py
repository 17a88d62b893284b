"""Radio export: a presenter's script, a cue sheet and the audio clips.

Writes into the destination folder::

    conducteur_radio.docx / conducteur_radio.md   script grouped by theme (attribution, duration,
                                                  timecodes, quote text with pseudonyms)
    feuille_de_montage.csv / .xlsx                one row per clip (file, start, end, duration, id)
    extraits/C001.wav (or .mp3, .flac)            the clips, cut clean from the recording
    rapport_export.txt                            exported and refused quotes, with reasons

Clips are clean cuts (``miam_qual.publication.cuts``): padded, kept clear of the other
speakers' words, snapped to the nearest pause, the ``[…]`` cuts of the display text spliced out
with a crossfade, faded in and out. The cue sheet gives the real in and out points in the
recording, the pieces spliced (``morceaux``) and whether every cut fell in a pause
(``coupes_nettes``); its durations equal the clips' to the millisecond (WAV). The recording is
the transcript's linked one (``recordings.recording_for``); a recording whose duration
disagrees with the last timecode refuses the document's quotes (``check_recording``). What is
*heard* — the whole span from the in to the out point, spliced parts included — is what the
name and consent checks read.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import ExportError
from .consent import DEFAULT_STATUSES, ExportReport, ExportStart, begin_export
from .cuts import CleanClip, plan_clip, write_clips
from .media import check_audio_format, open_recording
from .outputs import clock, markdown_text, short_duration, write_table
from .pieces import quote_clip
from .recordings import RecordingCheck, check_recording
from .settings import load_settings

if TYPE_CHECKING:
    from ..project import Project

CUE_COLUMNS = [
    "citation", "theme", "fichier_extrait", "fichier_source", "debut", "fin", "debut_ms", "fin_ms",
    "duree_ms", "duree", "attribution", "trop_long", "morceaux", "coupes_nettes",
]  # fmt: skip


def export_radio(
    project: Project,
    destination: Path | str,
    *,
    theme: str | None = None,
    padding_ms: int | None = None,
    max_duration_s: float | None = None,
    audio_format: str = "wav",
    statuses: tuple[str, ...] | None = DEFAULT_STATUSES,
    strict: bool = False,
    montage: bool = False,
    loudness: str | None = None,
) -> ExportReport:
    """Export the radio package of the quotes aimed at « radio » (see module docstring).

    ``montage``: also assemble the episode and write the listening page (``episode.py``,
    ``listening.py``), loudness-normalised to ``loudness`` (``ebu`` or ``podcast``; default:
    ``cible_sonie`` of ``publication.yml``).

    Quotes are refused (and listed in the report) without radio consent, without timecodes or
    recording, when the recording's duration disagrees with the last timecode
    (``check_recording``), or when a real name of the private mapping is *heard* between the
    clip's real in and out points. Quotes whose spoken pieces last longer than
    ``max_duration_s`` are exported but flagged; clips with a cut outside any pause are reported. ``audio_format``: ``wav`` or
    another of ``media.audio_formats()`` (mp3, flac when the PyAV wheel can encode them). Raises ``ConsentError`` /
    ``ExportError`` as described in ``miam_qual.publication.consent``.
    """
    check_audio_format(audio_format)
    settings = load_settings(project.root)
    padding = settings.padding_ms if padding_ms is None else int(padding_ms)
    if padding < 0:
        raise ExportError("La marge audio doit être positive ou nulle (en millisecondes).")
    limit_s = settings.max_radio_seconds if max_duration_s is None else float(max_duration_s)
    links: dict[str, RecordingCheck] = {}
    planned: dict[str, CleanClip] = {}

    def audible(row, start: ExportStart) -> str | None:
        if pd.isna(row.begin_ms):  # no timecodes
            return "document sans minutage : aucun extrait sonore possible"
        if row.document_id not in links:
            link = check_recording(project, row.document_id,
                                   tolerance_ms=settings.recording_tolerance_ms)  # fmt: skip
            links[row.document_id] = link
            if link.status == "avertissement":
                start.report.warnings.append(start.pseudonyms.apply(link.message))
        link = links[row.document_id]
        if link.recording is None:
            return "document sans enregistrement associé (media)"
        if not link.recording.exists():
            return f"enregistrement introuvable : medias/{link.recording.name}"
        if link.status == "refus":
            return start.pseudonyms.apply(link.message)
        clip = quote_clip(project, row, link.recording, Path(row.quote_id))
        try:
            reader = open_recording(link.recording)
            try:
                plan_clip(reader, clip, padding_ms=padding, snap_ms=settings.snap_ms)
            finally:
                reader.close()
        except ExportError as err:
            return start.pseudonyms.apply(str(err))
        planned[row.quote_id] = clip
        # what the clip lets one hear, from its in to its out point: every cue it overlaps
        heard = start.consent.heard_span(
            row.document_id, clip.written_begin_ms, clip.written_end_ms
        ) or (int(row.start), int(row.end))
        first, last = min(heard[0], int(row.start)), max(heard[1], int(row.end))
        if start.pseudonyms.find(project.text(row.document_id)[first:last]):
            return "un nom réel est prononcé dans l'extrait ou sa marge : resserrez le passage"
        reason = start.consent.span_refusal(row.document_id, first, last, "radio")
        if reason:
            return f"dans l'extrait ou sa marge sonore : {reason}"
        return None

    start = begin_export(
        project, destination, "radio", theme=theme, statuses=statuses, strict=strict, check=audible
    )
    report = start.report
    allowed = start.allowed
    report.warnings.extend(
        f"{row.quote_id} : le texte du document a changé depuis le choix de l'extrait."
        for row in allowed.itertuples()
        if row.drifted
    )
    allowed = _theme_order(project, allowed)
    with start.gate:
        folder = start.folder
        clips_dir = folder / "extraits"
        clips_dir.mkdir(parents=True, exist_ok=True)
        clips = [planned[row.quote_id] for row in allowed.itertuples()]
        for clip in clips:
            clip.destination = clips_dir / f"{clip.destination.name}.{audio_format}"
        write_clips(clips)
        files = [clip.destination for clip in clips]
        cues = pd.DataFrame(
            [
                [row.quote_id, row.theme, path.name, start.pseudonyms.apply(clip.source.name),
                 clock(clip.written_begin_ms), clock(clip.written_end_ms), clip.written_begin_ms,
                 clip.written_end_ms, clip.written_duration_ms,
                 short_duration(clip.written_duration_ms), row.attribution,
                 "oui" if clip.spoken_ms > limit_s * 1000 else "non", clip.describe_pieces(),
                 "oui" if clip.clean else "non"]
                for row, clip, path in zip(allowed.itertuples(), clips, files, strict=True)
            ],
            columns=CUE_COLUMNS,
        )  # fmt: skip
        for row, clip in zip(allowed.itertuples(), clips, strict=True):
            if clip.spoken_ms > limit_s * 1000:
                report.warnings.append(
                    f"{row.quote_id} dure {short_duration(clip.spoken_ms)} : plus que le "
                    f"maximum de {short_duration(limit_s * 1000)}."
                )
            if not clip.clean:
                report.warnings.append(
                    f"{row.quote_id} : pas de pause à moins de {settings.snap_ms} ms d'une "
                    "coupe ; elle tombe là où le minutage la place (fondu court) : écoutez-la."
                )
        write_table(cues, folder / "feuille_de_montage.csv", folder / "feuille_de_montage.xlsx",
                    sheet="Feuille de montage")  # fmt: skip
        script = _script_lines(project, allowed, cues, limit_s)
        (folder / "conducteur_radio.md").write_text("\n".join(script) + "\n", encoding="utf-8")
        _write_docx(folder / "conducteur_radio.docx", project, allowed, cues, limit_s)
        if montage:
            from .episode import montage_episode

            montage_episode(project, start, cues, target=loudness)
        report.exported = list(allowed["quote_id"])
        report.write(folder)
    report.files = start.gate.files
    return report


def _theme_order(project: Project, frame: pd.DataFrame) -> pd.DataFrame:
    """Quotes in codebook theme order, then by quote id."""
    order = {code.id: i for i, code in enumerate(project.codebook.themes())}
    frame = frame.assign(_order=frame["theme_id"].map(lambda t: order.get(t, len(order))))
    return frame.sort_values(["_order", "quote_id"]).drop(columns="_order").reset_index(drop=True)


def _script_lines(
    project: Project, quotes: pd.DataFrame, cues: pd.DataFrame, limit_s: float
) -> list[str]:
    total = int(cues["duree_ms"].sum())
    lines = [
        f"# Conducteur radio — {markdown_text(project.name)}",
        "",
        f"Préparé le {dt.date.today().strftime('%d/%m/%Y')} · {len(quotes)} extrait(s) · "
        f"durée totale des extraits : {short_duration(total)}",
        "",
        "Les prénoms ont été changés. Chaque personne a donné son accord pour la diffusion de sa voix.",
    ]
    for theme, group in quotes.groupby("theme", sort=False):
        theme_ms = int(cues[cues["citation"].isin(group["quote_id"])]["duree_ms"].sum())
        lines += [
            "",
            f"## {markdown_text(theme)} ({short_duration(theme_ms)})",
            "",
            "*Annonce du thème : à écrire.*",
        ]
        for row in group.itertuples():
            cue = cues[cues["citation"] == row.quote_id].iloc[0]
            lines += [
                "",
                f"### {row.quote_id} — {markdown_text(row.attribution)}",
                "",
                f"- Extrait : `{cue['fichier_extrait']}` · durée {cue['duree']}",
                f"- Enregistrement : `{cue['fichier_source']}` de {cue['debut']} à {cue['fin']}",
            ]
            if " + " in cue["morceaux"]:  # [...] cuts spliced out of what is heard
                lines.append(f"- Morceaux raccordés : {cue['morceaux']}")
            if cue["trop_long"] == "oui":
                lines.append(
                    f"- **Attention : plus long que le maximum de {short_duration(limit_s * 1000)}.**"
                )
            lines += ["", f"> « {markdown_text(row.public_text)} »"]
    return lines


def _write_docx(
    path: Path, project: Project, quotes: pd.DataFrame, cues: pd.DataFrame, limit_s: float
) -> None:
    import docx
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    document.core_properties.title = "Conducteur radio"
    document.core_properties.author = "miam_qual"
    style = document.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(11)
    document.add_heading("Conducteur radio", level=0)
    total = int(cues["duree_ms"].sum())
    document.add_paragraph(
        f"{project.name} — préparé le {dt.date.today().strftime('%d/%m/%Y')} · {len(quotes)} extrait(s) · "
        f"durée totale des extraits : {short_duration(total)}"
    )
    note = document.add_paragraph(
        "Les prénoms ont été changés. Chaque personne a donné son accord pour la diffusion de sa voix."
    )
    note.runs[0].italic = True
    for theme, group in quotes.groupby("theme", sort=False):
        theme_ms = int(cues[cues["citation"].isin(group["quote_id"])]["duree_ms"].sum())
        document.add_heading(f"{theme} ({short_duration(theme_ms)})", level=1)
        announce = document.add_paragraph("Annonce du thème : à écrire.")
        announce.runs[0].italic = True
        announce.runs[0].font.color.rgb = RGBColor(0x75, 0x75, 0x75)
        for row in group.itertuples():
            cue = cues[cues["citation"] == row.quote_id].iloc[0]
            document.add_heading(f"{row.quote_id} — {row.attribution}", level=2)
            document.add_paragraph(
                f"Extrait : {cue['fichier_extrait']} · durée {cue['duree']} · enregistrement "
                f"{cue['fichier_source']} de {cue['debut']} à {cue['fin']}"
            )
            if cue["trop_long"] == "oui":
                warn = document.add_paragraph(
                    f"Attention : plus long que le maximum de {short_duration(limit_s * 1000)}."
                )
                warn.runs[0].bold = True
                warn.runs[0].font.color.rgb = RGBColor(0xC6, 0x28, 0x28)
            text = document.add_paragraph(f"« {row.public_text} »")
            text.runs[0].italic = True
    document.save(str(path))
