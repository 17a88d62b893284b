"""The codebook file and the store move together: the YAML that miam_qual writes reads back
identical, a file that a committed change did not get to replace is rewritten on opening, and a
notebook sees another's changes before making its own."""

from __future__ import annotations

import hashlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miam_qual import Project
from miam_qual.codebook import Code, Codebook, parse_codebook
from miam_qual.store import codes as codes_sql

# Any character a person may type or paste, lone surrogates excepted (not valid UTF-8).
CHARS = st.characters(blacklist_categories=("Cs",))
TRICKY = st.sampled_from(
    ["oui", "no", "yes", "Null", "~", "2024", "#1", "a: b", "x #y", "- tiret", "'", '"', "[a]",
     "l'accès", "« prix »", "a,b", "\t", " ", "é\u2028è", "\ufeff", "\x85", "\x7f", "😀", "\r\n"]
)  # fmt: skip
TEXT = st.lists(st.one_of(TRICKY, st.text(CHARS, max_size=12)), max_size=4).map("".join)
LABEL = TEXT.map(str.strip).filter(bool)


@st.composite
def codebooks(draw) -> Codebook:
    codes: dict[str, Code] = {}
    for t in range(draw(st.integers(0, 3))):
        theme = f"theme_{t}"
        codes[theme] = Code(
            id=theme, label=draw(LABEL), definition=draw(TEXT).strip(),
            codable=draw(st.booleans()), color="#2E7D32",
        )  # fmt: skip
        parents = [theme]
        for c in range(draw(st.integers(0, 3))):
            code_id = f"code_{t}_{c}"
            codes[code_id] = Code(
                id=code_id, label=draw(LABEL), parent=draw(st.sampled_from(parents)),
                definition=draw(TEXT).strip(), inclusion=draw(TEXT).strip(),
                exclusion=draw(TEXT).strip(), example=draw(TEXT).strip(),
                keywords=tuple(draw(st.lists(TEXT.filter(str.strip), max_size=3))),
                codable=draw(st.booleans()), color="#43a047",
            )  # fmt: skip
            parents.append(code_id)
    name = draw(LABEL)
    return Codebook(name, draw(TEXT).strip(), codes)


def fields(book: Codebook) -> list[tuple]:
    return [
        (c.id, c.label, c.parent, c.definition, c.inclusion, c.exclusion, c.example, c.color,
         c.keywords, c.codable)
        for c in book
    ]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(codebooks())
def test_the_yaml_miam_qual_writes_reads_back_identical(book: Codebook):
    again = parse_codebook(book.to_yaml())
    assert fields(again) == fields(book.in_file_order())
    assert (again.name, again.description) == (book.name, book.description)


def test_the_written_yaml_stays_readable():
    book = Codebook(
        "Livre de codes MIAM",
        "",
        {
            "acces": Code(id="acces", label="Accès : prix et distance", codable=False),
            "prix": Code(
                id="prix",
                label="Prix et budget",
                parent="acces",
                color="#43A047",
                definition="Ce que coûtent les produits.\nAussi : les promotions.",
                keywords=("cher", "budget, prix"),
            ),  # fmt: skip
        },
    )
    assert book.to_yaml().splitlines()[4:] == [
        "nom: Livre de codes MIAM",
        "themes:",
        "  - id: acces",
        "    libelle: 'Accès : prix et distance'",
        "    couleur: '#9E9E9E'",
        "    codes:",
        "      - id: prix",
        "        libelle: Prix et budget",
        "        definition: |-",
        "          Ce que coûtent les produits.",
        "          Aussi : les promotions.",
        "        couleur: '#43A047'",
        "        mots_cles: [cher, 'budget, prix']",
    ]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_deleted_codebook_file_is_written_again_from_the_store(project: Project):
    project.add_code("cantine_bio", "Cantine bio", parent="acces")
    root = project.root
    project.close()
    (root / "codebooks" / "livre_de_codes.yml").unlink()
    with Project.open(root) as reopened:
        assert "cantine_bio" in reopened.codebook
        state = codes_sql.codebook_state(reopened.store)
        assert sha(reopened.codebook_path) == state["file_sha256"]
        assert reopened.validate() == []


def test_putting_the_previous_file_back_by_hand_is_a_hand_edit(project: Project):
    # Once a change's file is written, the old file coming back (an editor's undo, a copy) is
    # the user's decision, not an unfinished change: it is synced, not overwritten. (The kill
    # between the commit and the file is in test_faults.py.)
    old_file = project.codebook_path.read_bytes()
    project.add_code("cantine_bio", "Cantine bio", parent="acces")
    assert codes_sql.codebook_state(project.store)["replaced_sha256"] is None
    root = project.root
    project.close()
    (root / "codebooks" / "livre_de_codes.yml").write_bytes(old_file)
    with Project.open(root) as reopened:
        assert "cantine_bio" not in reopened.codebook
        assert reopened.codebook_path.read_bytes() == old_file
        assert reopened.codebook_history().iloc[-1][["action", "code_id"]].tolist() == [
            "suppression", "cantine_bio",
        ]  # fmt: skip


def test_opening_an_unchanged_codebook_reads_the_store_not_the_yaml(project: Project):
    root = project.root
    project.close()
    with Project.open(root) as reopened:
        assert all(code.line is None for code in reopened.codebook)  # built from the store
        assert [c.id for c in reopened.codebook][:2] == ["acces", "prix"]


def test_a_hand_edit_is_synced_and_logged(project: Project):
    text = project.codebook_path.read_text("utf-8")
    project.codebook_path.write_text(
        text + "  - id: ajout_main\n    libelle: Thème ajouté à la main\n", "utf-8"
    )
    assert "ajout_main" in project.codebook  # noticed on the next read
    history = project.codebook_history()
    assert history.iloc[-1][["who", "action", "code_id"]].tolist() == [
        "livre de codes modifié hors de miam_qual", "ajout", "ajout_main",
    ]  # fmt: skip
    state = codes_sql.codebook_state(project.store)
    assert state["file_sha256"] == sha(project.codebook_path)  # the hand-written file is kept


def test_two_notebooks_on_one_project_see_each_others_changes(project: Project):
    other = Project.open(project.root)
    project.add_code("cantine_bio", "Cantine bio", parent="acces")
    assert "cantine_bio" in other.codebook
    other.update_code("cantine_bio", label="Cantine bio et locale", by="karim")
    assert project.codebook.get("cantine_bio").label == "Cantine bio et locale"
    other.close()


def test_a_project_from_before_the_codebook_state_opens_and_records_it(project: Project):
    # The project as miam_qual left it before migration 4:
    project.store.db.execute("DROP TABLE codebook_state")
    project.store.db.execute("DROP TABLE exchange_log")  # migration 5 came later still
    for statement in (  # and migration 6 (corrected texts)
        "DROP TABLE document_versions",
        "DROP TABLE orphan_codings",
        "ALTER TABLE selections DROP COLUMN modified_from",
        "ALTER TABLE selections DROP COLUMN modified_in",
        "DROP TABLE review_replies",  # and migration 7 (the review loop)
        "DROP TABLE review_threads",
        "DROP TABLE coding_audit",
        "DROP TABLE reference_done",  # and migration 8 (training against a reference)
        "DROP TABLE reference_documents",
        "DROP TABLE reference_sets",
    ):
        project.store.db.execute(statement)
    project.store.db.execute("DELETE FROM migrations WHERE version >= 4")
    project.store.db.execute("PRAGMA user_version = 3")
    history = project.codebook_history()
    root = project.root
    project.close()
    with Project.open(root) as reopened:
        state = codes_sql.codebook_state(reopened.store)
        assert state["file_sha256"] == sha(reopened.codebook_path)
        assert state["name"] == "Livre de codes MIAM (démonstration)"
        assert reopened.codebook_history().equals(history)  # nothing to log: nothing changed
        reopened.add_code("cantine_bio", "Cantine bio", parent="acces")
        assert reopened.validate() == []
