"""The review loop (``miam_qual/review.py``): threads on codings, codes and theme summaries,
replies and settling, the per-coding state for the coding panel, and the audit trail of every
change to codings, written in the same transaction as the change. Real projects, real SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from miam_qual import (
    CodingError,
    CorpusError,
    IntegrityViolation,
    Project,
    ReviewError,
    UnknownCode,
    UnknownCoder,
)
from miam_qual.review import AUDIT_COLUMNS, THREAD_COLUMNS
from miam_qual.store import DB_FILE
from miam_qual.store.migrations import MIGRATIONS

CORE = Path(__file__).parent / "data" / "core"
DOC = "entretien_cantine.txt"


@pytest.fixture
def coded(project: Project) -> Project:
    project.add_coder("zoé")  # the supervisor
    project.import_files([CORE / DOC, CORE / "temoignage_cp1252.txt"])
    return project


def code_words(project: Project, words: str, code: str = "prix", coder: str = "camille") -> str:
    start = project.text(DOC).index(words)
    return project.code(DOC, start, start + len(words), code, coder=coder)


def word_at(project: Project, word: str) -> tuple[int, int]:
    at = project.text(DOC).index(word)
    return at, at + len(word)


def rows(project: Project, table: str) -> list[tuple]:
    return [tuple(r) for r in project.store.db.execute(f"SELECT * FROM {table}")]


def no_review_rows(project: Project) -> bool:
    return not rows(project, "review_threads") and not rows(project, "review_replies")


# -- threads ------------------------------------------------------------------------------------
def test_a_contested_coding_is_answered_settled_and_leaves_the_list(coded: Project):
    coding = code_words(coded, "Depuis huit ans")
    thread = coded.contest(coding, "  Ce n'est pas une question de prix.\n", author="zoé")
    [row] = coded.to_review().to_dict("records")
    assert list(coded.to_review().columns) == THREAD_COLUMNS
    assert row["thread_id"] == thread and row["kind"] == "contestation"
    assert (row["about"], row["document"], row["passage"]) == ("codage", DOC, "Depuis huit ans")
    assert (row["code"], row["coder"], row["author"]) == ("Prix et budget", "camille", "zoé")
    assert row["text"] == "Ce n'est pas une question de prix." and row["status"] == "ouvert"
    assert row["replies"] == 0 and row["coding_id"] == coding and not row["coding_removed"]
    assert coded.review_state(DOC) == {coding: "contesté"}
    coded.reply(thread, "D'accord, je le déplace.", author="camille")
    coded.reply(thread, "Merci !", author="zoé")
    replies = coded.replies(thread)
    assert replies[["author", "text"]].values.tolist() == [
        ["camille", "D'accord, je le déplace."],
        ["zoé", "Merci !"],
    ]
    [row] = coded.to_review(coder="camille").to_dict("records")
    assert (row["replies"], row["last_reply_by"]) == (2, "zoé")
    coded.settle(thread, author="camille")
    assert coded.to_review().empty and list(coded.to_review().columns) == THREAD_COLUMNS
    [row] = coded.threads(coding).to_dict("records")
    assert (row["status"], row["settled_by"]) == ("réglé", "camille") and row["settled_at"]
    assert coded.review_state(DOC) == {coding: "réglé"}
    # a settled thread takes no more answers and cannot be settled twice
    for action in (
        lambda: coded.reply(thread, "Encore ?", author="zoé"),
        lambda: coded.settle(thread, author="zoé"),
    ):
        with pytest.raises(ReviewError, match="réglé par camille"):
            action()
    assert len(coded.replies(thread)) == 2


def test_comments_on_a_code_and_a_theme_summary_concern_every_coder(coded: Project):
    on_code = coded.comment("prix", "Distinguer prix perçu et prix payé.", author="zoé")
    on_summary = coded.comment("acces", "Synthèse trop courte.", author="zoé", summary=True)
    mine = code_words(coded, "Depuis huit ans", coder="karim")
    coded.comment(mine, "Pourquoi ce code ?", author="zoé")
    table = coded.to_review(coder="camille")  # nothing of camille's, but the shared threads
    assert table["thread_id"].tolist() == [on_code, on_summary]
    assert table["about"].tolist() == ["code", "synthèse"]
    assert table["code"].tolist() == ["Prix et budget", "Accès à une alimentation de qualité"]
    assert table["document"].tolist() == ["", ""] and table["passage"].tolist() == ["", ""]
    assert len(coded.to_review(coder="karim")) == 3
    assert coded.threads("prix")["thread_id"].tolist() == [on_code]
    assert coded.threads("acces", summary=True)["thread_id"].tolist() == [on_summary]
    assert coded.threads("acces").empty  # the theme itself has no thread
    assert len(coded.threads()) == 3


def test_an_approval_needs_no_answer_and_is_not_written_twice(coded: Project):
    coding = code_words(coded, "Depuis huit ans")
    approval = coded.approve(coding, author="zoé")
    assert coded.to_review().empty
    assert coded.review_state(DOC) == {coding: "approuvé"}
    assert coded.approve(coding, author="zoé") == approval
    [row] = coded.threads(coding).to_dict("records")
    assert (row["kind"], row["status"], row["settled_by"]) == ("approbation", "réglé", "zoé")
    # a later comment takes over until it is settled
    later = coded.comment(coding, "Vérifier le tour précédent.", author="karim")
    assert coded.review_state(DOC) == {coding: "commenté"}
    coded.settle(later, author="camille")
    assert coded.review_state(DOC) == {coding: "réglé"}
    contested = coded.contest(coding, "Finalement non.", author="zoé")
    assert coded.review_state(coded.document_id(DOC)) == {coding: "contesté"}
    assert coded.to_review()["thread_id"].tolist() == [contested]
    coded.settle(contested, author="camille")
    again = coded.approve(coding, author="zoé")  # approving after the contestation is new
    assert again != approval and coded.review_state(DOC) == {coding: "approuvé"}
    assert coded.approve(coding, author="zoé") == again


def test_contestations_come_first_in_the_list(coded: Project):
    first = code_words(coded, "Depuis huit ans")
    second = code_words(coded, "Ils goûtent plus volontiers", "qualite")
    note = coded.comment(first, "Joli passage.", author="zoé")
    contest = coded.contest(second, "Ce n'est pas la qualité.", author="zoé")
    assert coded.to_review()["thread_id"].tolist() == [contest, note]
    assert coded.to_review()["kind"].tolist() == ["contestation", "commentaire"]


def test_a_thread_on_a_removed_coding_still_says_where_it_was(coded: Project):
    coding = code_words(coded, "Depuis huit ans")
    coded.contest(coding, "À retirer.", author="zoé")
    coded.uncode(coding)
    [row] = coded.to_review().to_dict("records")
    assert row["coding_removed"] and row["passage"] == "Depuis huit ans"
    assert (row["document"], row["code"], row["coder"]) == (DOC, "Prix et budget", "camille")
    assert coded.review_state(DOC) == {}
    assert coded.threads(coding)["coding_removed"].tolist() == [True]  # found by its GUID
    with pytest.raises(CodingError, match="inconnu"):
        coded.comment(coding, "Et maintenant ?", author="zoé")  # but takes no new thread


def test_a_thread_follows_its_coding_moved_to_another_code(coded: Project):
    coding = code_words(coded, "Depuis huit ans")
    coded.contest(coding, "Plutôt la qualité ?", author="zoé")
    coded.move_coding(coding, "qualite", by="camille")
    [row] = coded.to_review().to_dict("records")
    assert (row["code"], row["code_id"]) == ("Qualité perçue des produits", "qualite")


@pytest.mark.parametrize(
    ("write", "error", "named"),
    [
        (lambda p, c: p.comment("prx", "Texte.", author="zoé"), UnknownCode, "prx"),
        (
            lambda p, c: p.comment("0b7e1b7c-0000-4000-8000-000000000000", "Texte.", author="zoé"),
            CodingError,
            "0b7e1b7c-0000-4000-8000-000000000000",
        ),  # fmt: skip
        (lambda p, c: p.comment("zzz", "Texte.", author="zoé", summary=True), UnknownCode, "zzz"),
        (lambda p, c: p.contest("prix", "Texte.", author="zoé"), CodingError, "prix"),
        (lambda p, c: p.approve("nope", author="zoé"), CodingError, "nope"),
        (lambda p, c: p.comment(c, "Texte.", author="inconnue"), UnknownCoder, "inconnue"),
        (lambda p, c: p.approve(c, author="inconnue"), UnknownCoder, "inconnue"),
        (lambda p, c: p.comment(c, "   ", author="zoé"), ReviewError, "vide"),
        (lambda p, c: p.contest(c, "x" * 50_001, author="zoé"), ReviewError, "trop long"),
        (lambda p, c: p.comment(c, "Texte.", author="  "), ReviewError, "nom"),
        (lambda p, c: p.reply("pas-un-fil", "Texte.", author="zoé"), ReviewError, "pas-un-fil"),
        (lambda p, c: p.settle("pas-un-fil", author="zoé"), ReviewError, "pas-un-fil"),
    ],
)
def test_refusals_name_what_is_unknown_and_write_nothing(coded: Project, write, error, named):
    coding = code_words(coded, "Depuis huit ans")
    with pytest.raises(error, match=named):
        write(coded, coding)
    assert no_review_rows(coded)


def test_readers_refuse_unknown_filters(coded: Project):
    with pytest.raises(UnknownCoder, match="personne"):
        coded.to_review(coder="personne")
    with pytest.raises(UnknownCode, match="prx"):
        coded.audit_trail(code="prx")
    with pytest.raises(UnknownCoder, match="personne"):
        coded.audit_trail(coder="personne")
    with pytest.raises(CorpusError):
        coded.audit_trail(document="absent.txt")
    with pytest.raises(CorpusError):
        coded.review_state("absent.txt")
    with pytest.raises(ReviewError, match="inconnu"):
        coded.replies("pas-un-fil")


def test_reply_to_a_reply_is_refused_when_the_author_is_unknown(coded: Project):
    coding = code_words(coded, "Depuis huit ans")
    thread = coded.comment(coding, "Une question.", author="zoé")
    with pytest.raises(UnknownCoder):
        coded.reply(thread, "Réponse.", author="stagiaire")
    with pytest.raises(UnknownCoder):
        coded.settle(thread, author="stagiaire")
    assert coded.replies(thread).empty and coded.to_review()["status"].tolist() == ["ouvert"]


def test_threads_survive_reopening_the_project(coded: Project):
    coding = code_words(coded, "Depuis huit ans")
    thread = coded.comment(
        coding, "Accents : « ça », emoji 🙂, retour\r\nà la ligne.", author="zoé"
    )
    root = coded.root
    coded.close()
    with Project.open(root) as reopened:
        [row] = reopened.threads(coding).to_dict("records")
        assert row["thread_id"] == thread
        assert row["text"] == "Accents : « ça », emoji 🙂, retour\r\nà la ligne."


# -- the audit trail ----------------------------------------------------------------------------
def test_every_change_to_codings_is_in_the_trail_with_who_and_when(coded: Project):
    coding = code_words(coded, "Depuis huit ans")
    other = code_words(coded, "Depuis huit ans", "qualite", coder="karim")
    coded.code_many([{"document": DOC, "start": 0, "end": 10, "code": "prix", "coder": "karim"}])
    coded.move_coding(coding, "proximite", by="zoé")
    coded.uncode(other, by="zoé")
    trail = coded.audit_trail()
    assert list(trail.columns) == AUDIT_COLUMNS
    assert trail[["action", "who", "coder", "code_id", "previous_code_id"]].values.tolist() == [
        ["ajouté", "camille", "camille", "prix", None],
        ["ajouté", "karim", "karim", "qualite", None],
        ["ajouté", "karim", "karim", "prix", None],
        ["déplacé", "zoé", "camille", "proximite", "prix"],
        ["retiré", "zoé", "karim", "qualite", None],
    ]
    assert trail["at"].str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$").all()
    assert (trail["at"] >= trail["at"].shift().fillna("")).all()
    removed = trail.iloc[4]
    assert (removed["document"], removed["text"], removed["coding_id"]) == (
        DOC, "Depuis huit ans", other
    )  # fmt: skip
    assert trail.iloc[3]["previous_code"] == coded.codebook.get("prix").label
    # applying a code already there records nothing; moving onto the same code neither
    code_words(coded, "Depuis huit ans", "proximite")
    assert coded.move_coding(coding, "proximite") == coding
    assert len(coded.audit_trail()) == 5
    # filters
    assert coded.audit_trail(coder="karim")["action"].tolist() == ["ajouté", "ajouté", "retiré"]
    assert coded.audit_trail(code="prix")["action"].tolist() == ["ajouté", "ajouté", "déplacé"]
    assert len(coded.audit_trail(document=DOC)) == 5
    assert coded.audit_trail(document="temoignage_cp1252.txt").empty
    # uncode defaults to the coding's coder
    coded.uncode(coding)
    assert coded.audit_trail().iloc[-1][["action", "who"]].tolist() == ["retiré", "camille"]


def test_moving_a_coding_keeps_its_guid_and_memo_and_refuses_a_duplicate(coded: Project):
    coding = code_words(coded, "Depuis huit ans")
    coded.set_memo("coding", coding, "à garder", author="camille")
    code_words(coded, "Depuis huit ans", "qualite")
    with pytest.raises(CodingError, match="déjà codé ce passage"):
        coded.move_coding(coding, "qualite")
    with pytest.raises(CodingError, match="thème"):
        coded.move_coding(coding, "acces")
    with pytest.raises(UnknownCode):
        coded.move_coding(coding, "prx")
    with pytest.raises(CodingError, match="inconnu"):
        coded.move_coding("pas-un-codage", "qualite")
    assert coded.coding(coding)["code_id"] == "prix"
    coded.move_coding(coding, "proximite")
    row = coded.codings().set_index("coding_id").loc[coding]
    assert (row["code_id"], row["memo"]) == ("proximite", "à garder")


def test_a_merge_records_each_coding_it_moves_or_merges_away(coded: Project):
    moved = code_words(coded, "Depuis huit ans")
    twin = code_words(coded, "Ils goûtent plus volontiers")
    kept = code_words(coded, "Ils goûtent plus volontiers", "qualite")
    assert coded.merge_codes("prix", "qualite", by="zoé") == 1
    merged = coded.audit_trail()[lambda t: t["action"] == "fusionné"]
    assert merged[["coding_id", "who", "code_id", "previous_code_id"]].values.tolist() == [
        [moved, "zoé", "qualite", "prix"],
        [twin, "zoé", "qualite", "prix"],
    ]
    assert merged["detail"].tolist()[1] == "doublon réuni au codage déjà présent"
    assert coded.coding(moved)["code_id"] == "qualite" and coded.coding(kept)
    # the code merged away is still a filter of the trail, and shows by its id
    trail = coded.audit_trail(code="prix")
    assert len(trail) == 4 and trail.iloc[-1]["previous_code"] == "prix"


def test_a_corrected_text_records_the_codings_it_reanchors(coded: Project):
    intact = code_words(coded, "Au début")
    changed = code_words(coded, "Depuis huit ans")
    gone = code_words(coded, "ça partait à la poubelle", "qualite")
    text = coded.text(DOC)
    at, bin_at = text.index("huit"), text.index("ça partait à la poubelle")
    coded.edit_text(
        DOC,
        [(at, at + 4, "neuf"), (bin_at, bin_at + len("ça partait à la poubelle"), "")],
        by="zoé",
    )
    anchored = coded.audit_trail()[lambda t: t["action"] == "re-ancré"]
    assert intact not in set(anchored["coding_id"])  # words intact: nothing to record
    by_coding = anchored.set_index("coding_id")
    assert by_coding.loc[changed, "text"] == "Depuis neuf ans"
    assert by_coding.loc[changed, "who"] == "zoé"
    assert "passage modifié" in by_coding.loc[changed, "detail"]
    assert "« Depuis huit ans »" in by_coding.loc[changed, "detail"]
    assert "passage orphelin" in by_coding.loc[gone, "detail"]
    # the orphan placed again, then removed for good, is recorded too
    orphan = coded.orphan_codings(DOC)["orphan_id"].iloc[0]
    place = coded.text(DOC).index("Au début")
    coded.place_orphan(orphan, place, place + len("Au début"), by="karim")
    last = coded.audit_trail().iloc[-1]
    assert (last["action"], last["who"], last["text"]) == ("re-ancré", "karim", "Au début")
    coded.uncode(orphan)
    assert coded.audit_trail().iloc[-1]["action"] == "retiré"


def test_removing_an_orphan_leaves_a_trace(coded: Project):
    gone = code_words(coded, "ça partait à la poubelle")
    text = coded.text(DOC)
    at = text.index("ça partait à la poubelle")
    coded.edit_text(DOC, [(at, at + len("ça partait à la poubelle"), "")], by="zoé")
    coded.remove_orphan(gone)
    last = coded.audit_trail().iloc[-1]
    assert (last["action"], last["coding_id"], last["who"]) == ("retiré", gone, "camille")
    assert last["text"] == "ça partait à la poubelle"


# -- failures midway ----------------------------------------------------------------------------
def sabotage(project: Project, table: str) -> None:
    """A temporary trigger that makes every insert into ``table`` fail, midway through a write."""
    project.store.db.execute(
        f"CREATE TEMP TRIGGER sabotage AFTER INSERT ON main.{table} "
        "BEGIN SELECT RAISE(ABORT, 'sabotage'); END"
    )


@pytest.mark.parametrize(
    "write",
    [
        lambda p, c: p.code(DOC, 0, 10, "prix", coder="karim"),
        lambda p, c: p.code_many(
            [{"document": DOC, "start": 0, "end": 10, "code": "prix", "coder": "karim"}]
        ),
        lambda p, c: p.uncode(c),
        lambda p, c: p.move_coding(c, "qualite"),
        lambda p, c: p.merge_codes("prix", "qualite"),
        lambda p, c: p.edit_text(DOC, [(*word_at(p, "huit"), "neuf")], by="zoé"),
    ],
    ids=["code", "code_many", "uncode", "move_coding", "merge_codes", "edit_text"],
)
def test_a_failing_audit_insert_undoes_the_coding_change(coded: Project, write):
    coding = code_words(coded, "Depuis huit ans")
    before = {t: rows(coded, t) for t in ("codings", "selections", "coding_audit", "codes")}
    sabotage(coded, "coding_audit")
    with pytest.raises(IntegrityViolation, match="rien n'a été écrit"):
        write(coded, coding)
    coded.store.db.execute("DROP TRIGGER sabotage")
    assert {t: rows(coded, t) for t in before} == before
    assert not coded.store.db.in_transaction


@pytest.mark.parametrize("table", ["review_threads", "review_replies"])
def test_a_failing_thread_insert_writes_nothing(coded: Project, table: str):
    coding = code_words(coded, "Depuis huit ans")
    thread = coded.comment(coding, "Première question.", author="zoé")
    before = {t: rows(coded, t) for t in ("review_threads", "review_replies")}
    sabotage(coded, table)
    with pytest.raises(IntegrityViolation):
        if table == "review_threads":
            coded.contest(coding, "Non.", author="zoé")
        else:
            coded.reply(thread, "Réponse.", author="camille")
    coded.store.db.execute("DROP TRIGGER sabotage")
    assert {t: rows(coded, t) for t in before} == before


# -- migration 7 on an older database -----------------------------------------------------------
def test_migration_7_upgrades_a_project_from_before_the_review_loop(coded: Project):
    coding = code_words(coded, "Depuis huit ans")
    # The database as miam_qual left it at schema 6: every table a later migration made, gone.
    at_6 = sqlite3.connect(":memory:")
    for version, _name, migration in MIGRATIONS:
        if version <= 6:
            migration(at_6)
    kept = {r[0] for r in at_6.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    db = coded.store.db
    db.execute("PRAGMA foreign_keys = OFF")
    later = [
        r[0]
        for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
        if r[0] not in kept and r[0] != "migrations"
    ]
    assert {"review_threads", "review_replies", "coding_audit"} <= set(later)
    for table in reversed(later):
        db.execute(f'DROP TABLE "{table}"')
    db.execute("DELETE FROM migrations WHERE version > 6")
    db.execute("PRAGMA user_version = 6")
    db.execute("PRAGMA foreign_keys = ON")
    root = coded.root
    coded.close()
    old = sqlite3.connect(root / DB_FILE)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 6
    old.close()
    with Project.open(root) as reopened:
        assert reopened.store.schema_version() == MIGRATIONS[-1][0]
        names = [r[0] for r in reopened.store.db.execute("SELECT name FROM migrations")]
        assert "review" in names and len(names) == len(MIGRATIONS)
        assert reopened.audit_trail().empty  # what happened before is not invented
        assert reopened.coding(coding)["code_id"] == "prix"
        reopened.contest(coding, "Après la mise à jour.", author="zoé")
        reopened.uncode(coding)
        assert reopened.audit_trail()["action"].tolist() == ["retiré"]
        assert reopened.to_review()["coding_removed"].tolist() == [True]
        assert reopened.validate() == []


# -- the supervisors' report --------------------------------------------------------------------
def test_the_report_lists_open_threads_and_changes_with_consent_and_pseudonyms(
    project: Project, tmp_path: Path
):
    import lxml.html
    import spacy

    from miam_qual.privacy.consent import NOT_QUOTABLE
    from miam_qual.reports import write_report

    source = tmp_path / "marche.txt"
    source.write_text(
        "Habitante 1 : Le prix du pain a encore augmenté.\n"
        "Habitante 2 : Je cuisine tout moi-même.\n"
        "Habitant 3 : Je préfère ne pas en parler.\n",
        encoding="utf-8",
    )
    project.import_files([source], by="test")
    for person, uses in (
        ("Habitante 1", {"analyse": True, "citation": True}),
        ("Habitante 2", {"analyse": True, "citation": False}),
        ("Habitant 3", {"analyse": False, "citation": False}),
    ):
        project.add_participant(person)
        for use, granted in uses.items():
            project.set_consent(person, use, granted, date="2025-01-01")
    (project.root / "prive").mkdir(exist_ok=True)
    (project.root / "prive" / "pseudonymes.yml").write_text(
        "remplacements:\n  Jeanne Martin: Habitante 9\n", encoding="utf-8"
    )
    project.add_coder("zoé")
    text = project.text("marche.txt")
    ids = {}
    for words in ("Le prix du pain", "Je cuisine tout", "Je préfère ne pas"):
        start = text.index(words)
        ids[words] = project.code("marche.txt", start, start + len(words), "prix", coder="camille")
    project.contest(ids["Le prix du pain"], "Jeanne Martin dirait <b>non</b>.", author="zoé")
    project.comment(ids["Je cuisine tout"], "Plutôt cuisine maison ?", author="zoé")
    project.comment(ids["Je préfère ne pas"], "Refus de parler : à coder ?", author="zoé")
    project.comment("prix", "Définition à revoir.", author="karim")
    [path] = write_report(project, tmp_path / "r.html", format="html", nlp=spacy.blank("fr"))
    raw = path.read_text(encoding="utf-8")
    assert "Jeanne Martin" not in raw and "Habitante 9 dirait &lt;b&gt;non&lt;/b&gt;." in raw
    page = lxml.html.fromstring(raw)
    assert "6. Revue des codages" in [h.text_content() for h in page.xpath("//h2")]
    [threads, changes] = page.xpath("//h2[@id='revue']/following-sibling::table")[:2]
    rows = [[td.text_content() for td in tr.xpath("td")] for tr in threads.xpath("tbody/tr")]
    assert [r[0] for r in rows] == ["contestation", "commentaire", "commentaire"]
    assert "« Le prix du pain »" in rows[0][2]
    assert f"« {NOT_QUOTABLE} »" in rows[1][2]  # Habitante 2 did not consent to quotation
    assert rows[2][1] == "code" and rows[2][5] == "Définition à revoir."
    assert "Refus de parler" not in raw  # Habitant 3 refused analysis: the thread is left out
    actions = [[td.text_content() for td in tr.xpath("td")] for tr in changes.xpath("tbody/tr")]
    assert [a[2] for a in actions] == ["ajouté", "ajouté"]  # Habitant 3's coding left out

    # The same section in the Word and Excel reports, read back.
    import docx
    import openpyxl

    written = write_report(project, tmp_path / "r", format=["docx", "xlsx"], nlp=spacy.blank("fr"))
    [word] = [p for p in written if p.suffix == ".docx"]
    [excel] = [p for p in written if p.suffix == ".xlsx"]
    document = docx.Document(str(word))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings.index("6. Revue des codages") < headings.index("7. Notes de méthode")
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in document.tables]
    cells = "\n".join(c for t in tables for r in t for c in r)
    assert "Jeanne Martin" not in cells and "Refus de parler" not in cells
    threads_table = next(t for t in tables if t[0][:2] == ["Type", "Sur"])
    assert [r[0] for r in threads_table[1:]] == ["contestation", "commentaire", "commentaire"]
    assert threads_table[1][2].startswith("« Le prix du pain »")
    assert threads_table[1][5] == "Habitante 9 dirait <b>non</b>."
    assert NOT_QUOTABLE in threads_table[2][2]
    assert threads_table[3][1] == "code" and threads_table[3][5] == "Définition à revoir."
    changes_table = next(t for t in tables if t[0][:3] == ["Le", "Par", "Action"])
    assert [r[2] for r in changes_table[1:]] == ["ajouté", "ajouté"]
    book = openpyxl.load_workbook(excel, read_only=True)
    sheet = list(book["Revue - fils ouverts"].values)
    assert sheet[0][:3] == ("Type", "Sur", "Document")
    assert [r[0] for r in sheet[1:]] == ["contestation", "commentaire", "commentaire"]
    assert "Habitante 9 dirait <b>non</b>." in sheet[1]
    assert [r[2] for r in list(book["Revue - changements"].values)[1:]] == ["ajouté", "ajouté"]
    book.close()


def test_codings_brought_by_a_merge_are_in_the_trail(coded: Project, tmp_path: Path):
    from miam_qual.exchange import merge

    code_words(coded, "Depuis huit ans")
    laptop = Project.open(coded.backup(tmp_path / "portable"))
    try:
        laptop.add_coder("lea")
        code_words(laptop, "Ils goûtent plus volontiers", "qualite", coder="lea")
        merge(coded, laptop.root, by="zoé")
        merge(coded, laptop.root, by="zoé")  # nothing new: nothing recorded
    finally:
        laptop.close()
    [row] = coded.audit_trail(coder="lea").to_dict("records")
    [brought] = coded.codings(coder="lea")["coding_id"]
    assert (row["action"], row["who"], row["coding_id"]) == ("ajouté", "zoé", brought)
    assert row["text"] == "Ils goûtent plus volontiers" and row["detail"].startswith("apporté par")
    assert len(coded.audit_trail()) == 2
