"""Quotes: excerpts chosen for publication, linked to their exact source span.

A quote keeps the document GUID, ``start``/``end`` (code points, end exclusive), the original text
of that span and its recording times; its *display text* may be lightly edited (cuts marked
``[…]``, small corrections) while the original stays beside it. It carries a theme, its targets
(radio, exposition, rapport, réseaux sociaux) and a status::

    proposée → retenue → validée (par la personne) → publiée        écartée (from any status)

Every change (status, text, targets, theme, span) is logged with who and when
(``quote_history``). Editing the text of a quote already validated by the person sends it back
to ``retenue``: the person validated the earlier wording, not the new one.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..common import default_user
from ..errors import QuoteError
from ..privacy.pseudonyms import Pseudonyms
from ..store import documents as docs_sql
from ..store import quotes as sql
from ..text import fold as _fold
from .settings import PublicationSettings, load_settings

if TYPE_CHECKING:
    from ..project import Project

STATUSES = ("proposée", "retenue", "validée", "publiée", "écartée")
TARGETS = ("radio", "exposition", "rapport", "réseaux sociaux")
#: The consent use each target needs (``tableur``: the spreadsheet export, which takes every quote).
USE_OF_TARGET = {
    "radio": "radio",
    "exposition": "exposition",
    "rapport": "citation",
    "réseaux sociaux": "citation",
    "tableur": "citation",
}
#: Allowed status changes (``écartée`` is reachable from everywhere and can be reopened).
TRANSITIONS = {
    "proposée": {"retenue", "écartée"},
    "retenue": {"proposée", "validée", "écartée"},
    "validée": {"retenue", "publiée", "écartée"},
    "publiée": {"validée", "écartée"},
    "écartée": {"proposée"},
}
CUT = "[…]"

#: Columns of ``list_quotes``.
QUOTE_COLUMNS = [
    "quote_id", "quote_guid", "document_id", "document", "start", "end", "original", "display",
    "public_text", "attribution", "theme_id", "theme", "color", "participant", "speaker",
    "begin_ms", "end_ms", "duration_s", "media", "targets", "status", "coding_id", "drifted",
    "created_by", "created_at", "updated_at",
]  # fmt: skip

_ROLE_LABELS = {
    "habitant": ("Habitant", "Habitante"),
    "partenaire": ("Partenaire", "Partenaire"),
    "répondant": ("Répondant", "Répondante"),
}


#: Words that turn a statement around in French: adding or removing one reverses a person's
#: words, so a light edit may do neither (folded, as ``_words`` gives them; ``n`` is ``n'``).
NEGATIONS = frozenset(
    "ne n pas jamais plus rien aucun aucune personne nul nulle guere point ni nullement".split()
)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", _fold(text))


def _located_words(text: str) -> list[tuple[str, int, str]]:
    """``(folded word, start, word as written)`` of each word of ``text``."""
    return [(_fold(m.group()), m.start(), m.group()) for m in re.finditer(r"\w+", text)]


def check_light_edit(
    original: str, display: str, *, minimum: float = 0.75, pseudonyms: Pseudonyms | None = None
) -> None:
    """Refuse a display text that is not a light, meaning-preserving edit of ``original``.

    Cuts (``[…]`` or ``[...]``) may remove words; the words that remain must come from the original
    in the same order, with at most a quarter of them corrected. A negation (``ne``, ``pas``,
    ``jamais``, ``plus``, ``rien``, ``aucun``, ``personne``…) may be neither added nor removed —
    except by cutting its whole sentence — and no name may be added (a capitalised word the
    original has not, even misspelt, or a real name of the private mapping). Raises ``QuoteError``.
    """
    from ..segmentation import sentence_spans

    kept_located = _located_words(display.replace("[...]", " ").replace(CUT, " "))
    kept = [w for w, _s, _r in kept_located]
    if not kept:
        raise QuoteError("Le texte affiché est vide : gardez au moins quelques mots de l'extrait.")
    source_located = _located_words(original)
    source = [w for w, _s, _r in source_located]
    matcher = difflib.SequenceMatcher(a=source, b=kept, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    if same / len(kept) < minimum:
        raise QuoteError(
            f"Le texte affiché s'éloigne trop de l'extrait original ({same} mot(s) sur {len(kept)} "
            "repris) : seules des coupes marquées […] et de petites corrections sont permises."
        )
    sentences = sentence_spans(original)
    sentence_of = [
        next((i for i, (a, b) in enumerate(sentences) if a <= start < b), -1)
        for _w, start, _r in source_located
    ]
    removed: set[int] = set()
    added: list[int] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op in ("delete", "replace"):
            removed.update(range(a1, a2))
        if op in ("insert", "replace"):
            added.extend(range(b1, b2))
    for index in added:
        word = kept[index]
        if word in NEGATIONS:
            raise QuoteError(
                f"Le texte affiché ajoute « {kept_located[index][2]} » : ajouter une négation "
                "renverse les propos de la personne. Gardez ses mots."
            )
    known = set(source)
    for index in added:
        written = kept_located[index][2]
        close = difflib.get_close_matches(kept[index], known, n=1, cutoff=0.8)
        if written[:1].isupper() and kept[index] not in known and not close:
            raise QuoteError(
                f"Le texte affiché ajoute le nom « {written} » qui n'est pas dans l'extrait : "
                "on n'ajoute pas de nom aux propos d'une personne."
            )
    for index in removed:
        if source[index] not in NEGATIONS:
            continue
        sentence = sentence_of[index]
        whole = [i for i, s in enumerate(sentence_of) if s == sentence]
        if sentence < 0 or not set(whole) <= removed:
            raise QuoteError(
                f"Le texte affiché retire « {source_located[index][2]} » : retirer une négation "
                "renverse les propos de la personne. Coupez toute la phrase ou gardez-la."
            )
    if pseudonyms is not None:
        before = set(pseudonyms.leaks(original))
        new_names = [n for n in pseudonyms.leaks(display) if n not in before]
        if new_names:
            raise QuoteError(
                "Le texte affiché ajoute un nom réel de la correspondance privée : on n'ajoute "
                "pas de nom aux propos d'une personne."
            )


def _status(value: str) -> str:
    folded = {_fold(s): s for s in STATUSES}
    aliases = {"validee par la personne": "validée", "proposee": "proposée"}
    key = _fold(value.strip())
    key = _fold(aliases.get(key, key))
    if key not in folded:
        raise QuoteError(f"Statut inconnu « {value} » (statuts : {', '.join(STATUSES)}).")
    return folded[key]


def clean_targets(values: list[str] | str | None) -> list[str]:
    """Canonical, sorted target names (accents and case folded); ``QuoteError`` for one not in
    ``TARGETS``."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    folded = {_fold(t): t for t in TARGETS}
    folded.update({"reseaux": "réseaux sociaux", "reseaux_sociaux": "réseaux sociaux"})
    clean = []
    for item in items:
        key = _fold(str(item).strip())
        if key not in folded:
            raise QuoteError(f"Cible inconnue « {item} » (cibles : {', '.join(TARGETS)}).")
        clean.append(folded[key])
    return sorted(set(clean))


def _quote_number(number: int) -> str:
    return f"C{number:03d}"


# -- reading --------------------------------------------------------------------------------------
def quote_guid(project: Project, quote: str) -> str:
    """GUID of a quote given its GUID or readable id (``C007``); raises ``QuoteError``."""
    guid = sql.resolve(project.store, str(quote))
    if guid is None:
        raise QuoteError(f"Citation inconnue « {quote} ».")
    return guid


def _row(project: Project, quote: str) -> dict:
    row = sql.get_quote(project.store, quote_guid(project, quote))
    if row is None:  # removed in another notebook since it was resolved
        raise QuoteError(f"Citation inconnue « {quote} ».")
    return row


def _readable(project: Project, guid: str) -> str:
    return _quote_number(_row(project, guid)["number"])


def _theme_id(project: Project, code_id: str | None) -> str | None:
    if not code_id:
        return None
    book = project.codebook
    book.get(code_id)  # raises UnknownCode with suggestions
    return book.theme_of(code_id)


def _participant_at(
    project: Project, document_id: str, start: int, *, cache: dict | None = None
) -> tuple[str | None, str | None]:
    """(pseudonym, speaker) of the span: the speaker when the register knows that name, else
    the document's ``participant`` attribute. ``cache`` keeps per-document lookups."""
    cache = {} if cache is None else cache
    if "known" not in cache:
        cache["known"] = set(project.participants()["participant"])
    key = ("doc", document_id)
    if key not in cache:
        units = project.units(document_id, "turn")  # in text order
        attrs = docs_sql.attributes_frame(project.store, [document_id])
        values = attrs.iloc[0].to_dict() if len(attrs) else {}
        turns = (
            units["start"].to_numpy(dtype=np.int64) if len(units) else np.empty(0, np.int64),
            list(units["speaker"]) if len(units) else [],
            list(units["role"]) if len(units) else [],
        )
        cache[key] = (turns, {k: v for k, v in values.items() if isinstance(v, str) and v})
    (starts, speakers, roles), values = cache[key]
    speaker = role = None
    turn = int(np.searchsorted(starts, start, side="right")) - 1  # the last turn begun by start
    if turn >= 0:
        speaker, role = speakers[turn], roles[turn]
    if role == "interviewer":  # the interviewer's words are nobody's quote to consent to
        return None, speaker
    if speaker in cache["known"]:
        return speaker, speaker
    return values.get("participant"), speaker


# -- writing --------------------------------------------------------------------------------------
def propose_quote(
    project: Project,
    coding_id: str | None = None,
    *,
    document: str | None = None,
    start: int | None = None,
    end: int | None = None,
    theme: str | None = None,
    targets: list[str] | str | None = None,
    by: str | None = None,
) -> str:
    """Propose a quote from a coding (``coding_id``) or a span (``document, start, end``).

    ``theme``: a theme or code id (default: the coding's theme). ``by``: who acts (default:
    ``$MIAM_CODEUR`` or the login). Returns the readable id (``C001``); proposing the same span
    again returns the existing quote. Raises ``QuoteError`` (neither a coding nor a span, unknown
    target), ``CodingError``, ``CorpusError``, ``OffsetOutOfRange`` or ``UnknownCode``.
    """
    coding_guid = None
    if coding_id is not None:
        coding = project.coding(coding_id)
        doc, start, end = coding["document_guid"], coding["start"], coding["end"]
        coding_guid = coding["guid"]
        theme = theme or coding["code_id"]
    elif document is not None and start is not None and end is not None:
        doc = project.document_id(document)
    else:
        raise QuoteError("Indiquez un codage (coding_id) ou un passage (document, start, end).")
    assert start is not None and end is not None  # both given, or taken from the coding
    original = project.span_text(document or doc, start, end)
    existing = sql.find_quote(project.store, doc, start, end)
    if existing:
        return _readable(project, existing)
    theme_id = _theme_id(project, theme)
    participant, _speaker = _participant_at(project, doc, start)
    times = project.span_times(doc, start, end)
    who = by or default_user()
    chosen_targets = clean_targets(targets)
    with project.store.transaction():
        guid = sql.add_quote(
            project.store, document=doc, start=start, end=end, original=original,
            coding=coding_guid, theme_id=theme_id, participant=participant,
            begin_ms=times[0] if times else None, end_ms=times[1] if times else None,
            status="proposée", who=who,
        )  # fmt: skip
        if chosen_targets:
            sql.set_targets(project.store, guid, chosen_targets)
            sql.log(project.store, guid, who, "cibles", None, "|".join(chosen_targets))
    return _readable(project, guid)


def edit_quote(
    project: Project,
    quote: str,
    *,
    text: str | None = None,
    theme: str | None = None,
    targets: list[str] | str | None = None,
    participant: str | None = None,
    start: int | None = None,
    end: int | None = None,
    by: str | None = None,
) -> None:
    """Change a quote's display text (light edits only, see ``check_light_edit``), theme,
    targets, participant, or its span (``start``/``end`` re-take the original text and
    timecodes). Each change is logged; editing the text of a validated or published quote sends
    it back to « retenue ». Raises ``QuoteError``, ``ConsentError`` (unknown participant),
    ``OffsetOutOfRange`` or ``UnknownCode``; nothing is written then."""
    row = _row(project, quote)
    guid = row["guid"]
    who = by or default_user()
    changes: dict[str, object] = {}
    log: list[tuple[str, object, object]] = []
    if start is not None or end is not None:
        new_start = row["start"] if start is None else start
        new_end = row["end"] if end is None else end
        doc = row["document_guid"]
        original = project.span_text(doc, new_start, new_end)
        times = project.span_times(doc, new_start, new_end)
        changes.update(start=new_start, end=new_end, original=original, display=original,
                       begin_ms=times[0] if times else None, end_ms=times[1] if times else None)  # fmt: skip
        log.append(("passage", f"{row['start']}-{row['end']}", f"{new_start}-{new_end}"))
        row = {**row, "original": original}
    if text is not None:
        text = unicodedata.normalize("NFC", text.replace("[...]", CUT)).strip()
        check_light_edit(row["original"], text, pseudonyms=Pseudonyms.load(project.root))
        changes["display"] = text
        log.append(("texte", row["display"], text))
        if row["status"] in ("validée", "publiée"):
            changes["status"] = "retenue"
            log.append(("statut", row["status"], "retenue"))
    if theme is not None:
        changes["theme_id"] = _theme_id(project, theme)
        log.append(("theme", row["theme_id"], changes["theme_id"]))
    if participant is not None:
        project.participant_id(participant)  # raises ConsentError when unknown
        changes["participant"] = participant
        log.append(("participant", row["participant"], participant))
    new_targets = clean_targets(targets) if targets is not None else None
    with project.store.transaction():
        if changes:
            sql.update_quote(project.store, guid, changes)
        if new_targets is not None:
            old = sql.targets_of(project.store, guid)
            sql.set_targets(project.store, guid, new_targets)
            log.append(("cibles", "|".join(old), "|".join(new_targets)))
        for action, old_value, new_value in log:
            sql.log(project.store, guid, who, action, old_value, new_value)


def set_quote_status(
    project: Project, quote: str, status: str, *, by: str | None = None, note: str | None = None
) -> None:
    """Move a quote to ``status`` (see ``TRANSITIONS``), logged with ``note`` when given.

    Raises ``QuoteError`` for an unknown status, a move ``TRANSITIONS`` does not allow, or a
    validation for a target whose use a speaker of the quote has not consented to."""
    row = _row(project, quote)
    new = _status(status)
    if new == row["status"]:
        return
    if new not in TRANSITIONS[row["status"]]:
        allowed = ", ".join(sorted(TRANSITIONS[row["status"]]))
        raise QuoteError(
            f"Citation {_quote_number(row['number'])} : passage de « {row['status']} » à « {new} » "
            f"impossible (possibles : {allowed})."
        )
    if new in ("validée", "publiée"):
        _check_consent_for_targets(project, row)
    with project.store.transaction():
        sql.update_quote(project.store, row["guid"], {"status": new})
        sql.log(project.store, row["guid"], by or default_user(), "statut", row["status"],
                new if not note else f"{new} ({note})")  # fmt: skip


def _check_consent_for_targets(project: Project, row: dict) -> None:
    """Refuse validating a quote for a target whose use a speaker in it has not consented to."""
    from ..privacy.consent import ConsentCheck

    targets = sql.targets_of(project.store, row["guid"])
    check = ConsentCheck(project)
    problems = []
    for target in targets:
        reason = check.span_refusal(
            row["document_guid"], row["start"], row["end"], USE_OF_TARGET[target]
        )
        if reason:
            problems.append(f"{target} : {reason}")
    if problems:
        raise QuoteError(
            f"Citation {_quote_number(row['number'])} : validation impossible pour "
            + " ; ".join(problems)
            + ". Retirez ces cibles ou enregistrez d'abord le consentement."
        )


def quote_consents(project: Project, quote: str) -> pd.DataFrame:
    """Each target of the quote with whether every speaker in it consents to its use:
    ``target, use, allowed, reason`` (French reason, empty when allowed). Raises ``QuoteError``
    for an unknown quote."""
    from ..privacy.consent import ConsentCheck

    row = _row(project, quote)
    check = ConsentCheck(project)
    rows = []
    for target in TARGETS:
        use = USE_OF_TARGET[target]
        reason = check.span_refusal(row["document_guid"], row["start"], row["end"], use)
        rows.append((target, use, reason is None, reason or ""))
    return pd.DataFrame(rows, columns=["target", "use", "allowed", "reason"])


def remove_quote(project: Project, quote: str) -> None:
    """Delete a quote and its history (prefer ``set_quote_status(project, q, "écartée")``, which
    keeps a trace). Raises ``QuoteError`` for an unknown quote."""
    guid = quote_guid(project, quote)
    with project.store.transaction():
        sql.delete_quote(project.store, guid)


# -- reading --------------------------------------------------------------------------------------
def quote_history(project: Project, quote: str | None = None) -> pd.DataFrame:
    """Change log of one quote (default: every quote), oldest first:
    ``quote_id, at, who, action, old, new``."""
    frame = sql.history_frame(project.store, quote_guid(project, quote) if quote else None)
    frame.insert(0, "quote_id", frame["number"].map(_quote_number))
    return frame.drop(columns=["quote_guid", "number"])


def list_quotes(
    project: Project,
    *,
    theme: str | None = None,
    status: str | list[str] | None = None,
    target: str | None = None,
    pseudonyms: Pseudonyms | None = None,
    settings: PublicationSettings | None = None,
) -> pd.DataFrame:
    """Quotes, in creation order, filtered by theme id, status(es) and target.

    ``pseudonyms``/``settings``: the private mapping and ``publication.yml`` (default: read from
    the project folder). Columns (``QUOTE_COLUMNS``): ``quote_id`` (C001), ``quote_guid,
    document_id, document, start, end, original, display, public_text`` (display text with
    pseudonyms applied), ``attribution, theme_id, theme, color, participant, speaker, begin_ms,
    end_ms, duration_s, media, targets`` (list), ``status, coding_id, drifted`` (the document's
    text no longer matches the original), ``created_by, created_at, updated_at``. Raises
    ``QuoteError`` for an unknown status or target, ``UnknownCode`` for an unknown theme.
    """
    frame = sql.quotes_frame(project.store)
    pseudonyms = pseudonyms or Pseudonyms.load(project.root)
    settings = settings or load_settings(project.root)
    book = project.codebook
    frame.insert(0, "quote_id", frame["number"].map(_quote_number))
    frame["targets"] = frame["targets"].map(
        lambda t: t.split("|") if isinstance(t, str) and t else []
    )
    frame["theme"] = frame["theme_id"].map(
        lambda t: book.get(t).label if t in book else "Sans thème"
    )
    colors = settings.colors
    frame["color"] = frame["theme_id"].map(
        lambda t: colors.get(t) or (book.get(t).color if t in book else "#455A64")
    )
    frame["public_text"] = frame["display"].map(pseudonyms.apply)
    persons = project.participants().set_index("participant")
    texts: dict[str, str] = {}
    cache: dict = {}
    attributions, speakers, drifted = [], [], []
    for row in frame.itertuples():
        document_id = str(row.document_id)
        if document_id not in texts:
            texts[document_id] = project.text(document_id)
        start, end = int(row.start), int(row.end)
        drifted.append(texts[document_id][start:end] != row.original)
        _p, speaker = _participant_at(project, document_id, start, cache=cache)
        speakers.append(speaker)
        person = persons.loc[row.participant].to_dict() if row.participant in persons.index else {}
        document_values = cache[("doc", document_id)][1]
        attributions.append(
            pseudonyms.apply(quote_attribution(person, document_values, settings=settings))
        )
    frame["attribution"] = attributions
    frame["speaker"] = speakers
    frame["drifted"] = drifted
    for column in ("begin_ms", "end_ms"):  # NaN when the document has no timecodes
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    duration = (frame["end_ms"] - frame["begin_ms"]) / 1000.0
    frame["duration_s"] = duration.round(3)
    if theme is not None:
        frame = frame[frame["theme_id"] == _theme_id(project, theme)]
    if status is not None:
        wanted = [_status(s) for s in ([status] if isinstance(status, str) else status)]
        frame = frame[frame["status"].isin(wanted)]
    if target is not None:
        wanted_target = clean_targets(target)[0]
        frame = frame.loc[frame["targets"].map(lambda t: wanted_target in t).astype(bool)]
    return frame[QUOTE_COLUMNS].reset_index(drop=True)


def quote_attribution(
    person: dict, document: dict, *, settings: PublicationSettings | None = None
) -> str:
    """The attribution line from the template of ``publication.yml`` (``settings``; default:
    the default settings): ``{role}`` (gendered, capitalised), ``{genre}``, ``{tranche_age}``,
    ``{site}`` and any other participant or document attribute (``person`` and ``document`` hold
    them). Parts (separated by commas) whose fields are empty are dropped."""
    template = (settings or PublicationSettings()).attribution
    values: dict[str, str] = {k: v for k, v in document.items() if isinstance(v, str)}
    values.update({k: v for k, v in person.items() if isinstance(v, str)})
    values.pop("participant", None)  # a pseudonym is not an attribution
    role = values.get("role", "")
    feminine = values.get("genre") == "femme"
    if role in _ROLE_LABELS:
        values["role"] = _ROLE_LABELS[role][1 if feminine else 0]
    elif role:
        values["role"] = role[:1].upper() + role[1:]
    else:
        values["role"] = "Participante" if feminine else "Participant"
    parts = []
    for part in template.split(","):
        fields = re.findall(r"\{(\w+)\}", part)
        if any(not values.get(f) for f in fields):
            continue
        parts.append(part.strip().format_map({f: values[f] for f in fields}))
    text = ", ".join(p for p in parts if p)
    return text[:1].upper() + text[1:]
