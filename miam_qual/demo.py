"""The bundled demo project: fictional MIAM material turned into a coded project.

The material lives in the repository (``corpus/``, ``codebooks/``, ``demo/codages_demo.yml``); a
built wheel carries a copy of those folders in ``miam_qual/demo_data/`` (see ``setup.py``), so
``miam-qual demo`` also works from an installed package. This module builds a project folder from
it: participants and consents, every source file with its
metadata, the shared codebook, the codings of three coders who partly disagree (on codes and on
passages' boundaries), a reference set a trainee coded, and a supervisor's comments, contestation
and approval with the coder's answers (``demo/revue_demo.yml``). Excerpts in
``codages_demo.yml`` are quoted text, located in the imported documents, so the file stays
readable and independent of offsets.
"""

from __future__ import annotations

from pathlib import Path

from .errors import CorpusError
from .project import Project
from .yamlio import expect, line_of, load_yaml, parse_bool, text_of, texts_of

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The copy of the demo material that a built wheel carries (absent in a source checkout).
PACKAGED_MATERIAL = Path(__file__).resolve().parent / "demo_data"
QUESTIONNAIRE = "questionnaire_representations.csv"
ANSWER_PREFIX = "Q"
#: Speaker labels of the team's interviewers (``None``: in every document), so that consent is
#: checked by identity and their questions need none.
INTERVIEWERS = {"Enquêtrice": None, "E": "temoignage_08.txt"}
#: Files of corpus/ that describe the corpus rather than belong to it.
NOT_SOURCES = {"metadonnees.csv", "participants.csv", "LISEZMOI.md"}


def material_root() -> Path:
    """Where the demo material is: the installed package's copy, else the repository."""
    return PACKAGED_MATERIAL if PACKAGED_MATERIAL.is_dir() else REPO_ROOT


def demo_material(root: Path | None = None) -> dict[str, Path]:
    """Paths of the demo material under ``root`` (default: ``material_root()``); raises
    ``CorpusError`` naming what is missing."""
    root = material_root() if root is None else root
    paths = {
        "corpus": root / "corpus",
        "codebook": root / "codebooks" / "livre_de_codes.yml",
        "codings": root / "demo" / "codages_demo.yml",
        "review": root / "demo" / "revue_demo.yml",
    }
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        raise CorpusError(f"Matériel de démonstration introuvable : {', '.join(missing)}.")
    return paths


def build_demo(
    destination: Path | str, *, quiet: bool = False, material: Path | None = None
) -> Project:
    """Build the demo project into ``destination`` (which must not hold a project) from the
    material under ``material`` (default: ``material_root()``); returns it open."""
    paths = demo_material(material)
    project = Project.create(
        destination, name="MIAM — projet de démonstration (fictif)", codebook=paths["codebook"]
    )
    corpus = paths["corpus"]
    who = "démonstration"
    project.import_participants(corpus / "participants.csv", by=who)
    sources = sorted(
        p
        for p in corpus.iterdir()
        if p.is_file() and p.name not in NOT_SOURCES and not p.name.startswith(".")
    )
    questionnaire = [p for p in sources if p.name == QUESTIONNAIRE]
    others = [p for p in sources if p.name != QUESTIONNAIRE]
    project.import_files(others, by=who)
    if questionnaire:
        project.import_files(questionnaire, by=who, type_source="questionnaire")
    if (corpus / "metadonnees.csv").exists():
        project.import_metadata(corpus / "metadonnees.csv")
    for label, document in INTERVIEWERS.items():
        if document is None or document in set(project.documents()["document"]):
            project.identify_speaker(label, interviewer=True, document=document, by=who)
    apply_demo_codings(project, paths["codings"])
    apply_demo_review(project, paths["review"])
    demo_publication(project, by=who)
    if not quiet:
        print(summary(project))
    return project


#: Quotes the demo proposes per theme (from as many people as the testimonies allow).
QUOTES_PER_THEME = 4


def demo_publication(project: Project, *, by: str) -> list[str]:
    """The demo's recordings and quotes, so that notebook 05 has something to show without
    writing anything: stand-in recordings in ``medias/`` (the demo has no real audio), and
    representative excerpts of each theme in the testimonies (``QUOTES_PER_THEME``, from as many
    people as possible) proposed as quotes, those whose speakers consent validated for the uses
    they consent to (the demo is fictional: nobody was asked). Returns the quote ids."""
    from .excerpts import representative_excerpts
    from .publication import (
        TARGETS,
        edit_quote,
        propose_quote,
        quote_consents,
        set_quote_status,
        synthesize_recordings,
    )

    synthesize_recordings(project)
    codings = project.codings(coder="camille").drop_duplicates("selection_id")
    testimonies = codings[codings["document"].str.startswith("temoignage_0")]
    picked = []
    for _theme, theme_codings in testimonies.groupby("theme_id", sort=False):
        # many voices per theme (one excerpt per person first), not one person's first three
        excerpts = representative_excerpts(theme_codings, QUOTES_PER_THEME)
        spans = set(zip(excerpts["document"], excerpts["start"], excerpts["end"], strict=True))
        keys = zip(theme_codings["document"], theme_codings["start"], theme_codings["end"],
                   strict=True)  # fmt: skip
        picked += [c for c, k in zip(theme_codings["coding_id"], keys, strict=True) if k in spans]
    quotes = []
    for number, coding in enumerate(picked):
        quote = propose_quote(project, coding, targets=list(TARGETS), by=by)
        quotes.append(quote)
        if number % 4 == 3:
            continue  # some stay « proposée », to be looked at
        allowed = quote_consents(project, quote).set_index("target")["allowed"]
        targets = [t for t in TARGETS if allowed[t]]
        set_quote_status(project, quote, "retenue", by=by)
        if targets:
            edit_quote(project, quote, targets=targets, by=by)
            set_quote_status(project, quote, "validée", by=by, note="démonstration (fictif)")
    return quotes


def apply_demo_codings(project: Project, path: Path) -> int:
    """Apply the scripted codings of ``codages_demo.yml``; returns how many were written.

    Raises ``CorpusError`` naming the file and line for unreadable YAML, an entry of the wrong
    shape or without ``document``/``extrait``/``codes``/``codeurs``, or an excerpt not found.
    """
    data = load_yaml(path, source=path.name, error=CorpusError, expect_mapping=True)
    where = f"« {path.name} » : ligne"
    for coder in texts_of(
        data, "codeurs", where=f"{where} {line_of(data, 'codeurs')}", error=CorpusError
    ):
        project.add_coder(coder)
    entries = data.get("codages") or []
    expect(
        entries,
        list,
        where=f"{where} {line_of(data, 'codages')}",
        what="« codages »",
        error=CorpusError,
    )
    texts: dict[str, str] = {}
    written = 0
    problems = []
    for number, entry in enumerate(entries, start=1):
        place = f"{where} {line_of(entries, number - 1)}"
        expect(entry, dict, where=place, what=f"l'entrée {number}", error=CorpusError)
        document = text_of(entry, "document", where=place, error=CorpusError)
        excerpt = text_of(entry, "extrait", where=place, error=CorpusError)
        codes = texts_of(entry, "codes", where=place, error=CorpusError)
        coders = texts_of(entry, "codeurs", where=place, error=CorpusError)
        memo = text_of(entry, "memo", where=place, error=CorpusError) or None
        if not (document and excerpt and codes and coders):
            raise CorpusError(
                f"{place} : l'entrée {number} doit avoir « document », « extrait », « codes » "
                "et « codeurs »."
            )
        if document not in texts:
            texts[document] = project.text(document)
        start = texts[document].find(excerpt)
        if start < 0:
            problems.append(
                f"entrée {number} : extrait introuvable dans « {document} » : {excerpt[:50]}"
            )
            continue
        end = start + len(excerpt)
        for coder in coders:
            ids = project.code(document, start, end, codes, coder=coder, memo=memo)
            written += len(ids)
    if problems:
        raise CorpusError(f"« {path.name} » : " + " ; ".join(problems))
    return written


def apply_demo_review(project: Project, path: Path) -> int:
    """Create the reference sets and review threads of ``revue_demo.yml``; returns the number of
    threads. Raises ``CorpusError`` naming the file and line for an entry of the wrong shape or a
    target that is not in the project."""
    from . import training

    data = load_yaml(path, source=path.name, error=CorpusError, expect_mapping=True)
    where = f"« {path.name} » : ligne"
    for entry in data.get("jeux_de_reference") or []:
        place = f"{where} {line_of(entry)}"
        expect(entry, dict, where=place, what="un jeu de référence", error=CorpusError)
        reference = text_of(entry, "codeur_reference", where=place, error=CorpusError) or ""
        name = training.mark_reference(
            project, texts_of(entry, "documents", where=place, error=CorpusError),
            reference_coder=reference, by=reference,
            name=text_of(entry, "nom", where=place, error=CorpusError),
        )  # fmt: skip
        for coder in texts_of(entry, "fini_par", where=place, error=CorpusError):
            training.mark_done(project, name, coder)
    threads = 0
    for entry in data.get("revue") or []:
        place = f"{where} {line_of(entry)}"
        expect(entry, dict, where=place, what="une entrée de revue", error=CorpusError)
        kind = text_of(entry, "type", where=place, error=CorpusError)
        author = text_of(entry, "auteur", where=place, error=CorpusError) or ""
        text = text_of(entry, "texte", where=place, error=CorpusError) or ""
        target = expect(entry.get("cible"), dict, where=place, what="« cible »", error=CorpusError)
        summary = parse_bool(target.get("synthese", False), where=place, error=CorpusError)
        aim = _demo_target(project, target, place)
        if kind == "contestation":
            thread = project.contest(aim, text, author=author)
        elif kind == "approbation":
            thread = project.approve(aim, author=author, text=text)
        elif kind == "commentaire":
            thread = project.comment(aim, text, author=author, summary=summary)
        else:
            raise CorpusError(
                f"{place} : type « {kind} » inconnu (contestation, commentaire, approbation)."
            )
        for answer in entry.get("reponses") or []:
            project.reply(
                thread, text_of(answer, "texte", where=place, error=CorpusError) or "",
                author=text_of(answer, "auteur", where=place, error=CorpusError) or "",
            )  # fmt: skip
        settler = text_of(entry, "regle_par", where=place, error=CorpusError)
        if settler:
            project.settle(thread, author=settler)
        threads += 1
    return threads


def _demo_target(project: Project, target: dict, place: str) -> str:
    """A review target of ``revue_demo.yml``: a code id, or the GUID of the coding described by
    its document, exact excerpt, code and coder."""
    code = text_of(target, "code", where=place, error=CorpusError) or ""
    document = text_of(target, "document", where=place, error=CorpusError)
    if not document:
        return code
    coder = text_of(target, "codeur", where=place, error=CorpusError)
    excerpt = text_of(target, "extrait", where=place, error=CorpusError)
    found = project.codings(document=document, coder=coder, descendants=False)
    found = found[(found["text"] == excerpt) & (found["code_id"] == code)]
    if len(found) != 1:
        raise CorpusError(f"{place} : aucun codage « {code} » de {coder} sur « {excerpt} ».")
    return str(found["coding_id"].iloc[0])


def summary(project: Project) -> str:
    """A short French summary: documents, codes, codings per coder."""
    status = project.status()
    lines = [
        f"Projet : {status['projet']} ({project.root})",
        f"Documents : {status['documents']} ({status['mots']} mots)",
        f"Livre de codes : {status['codes']} codes dans {status['themes']} thèmes",
        f"Participants : {status['participants']}",
        f"Codages : {status['codages']}",
    ]
    lines += [f"  - {coder} : {n}" for coder, n in status["codages_par_codeur"].items()]
    return "\n".join(lines)
