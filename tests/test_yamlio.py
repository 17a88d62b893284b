"""yamlio: the one YAML reader. Plain data with lines, limits, shapes, booleans."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from miam_qual import CodebookError, ConfigError
from miam_qual.yamlio import (
    YamlList,
    YamlMap,
    expect,
    line_of,
    load_yaml,
    parse_bool,
    text_of,
    texts_of,
)

PACKAGE = Path(__file__).resolve().parent.parent / "miam_qual"


def test_plain_data_with_the_line_of_every_key_and_item():
    data = load_yaml("nom: Essai\nthemes:\n  - id: a\n  - id: b\n    codes: []\n", source="x")
    assert data == {"nom": "Essai", "themes": [{"id": "a"}, {"id": "b", "codes": []}]}
    assert isinstance(data, dict) and isinstance(data, YamlMap)
    assert isinstance(data["themes"], list) and isinstance(data["themes"], YamlList)
    assert (line_of(data, "nom"), line_of(data, "themes")) == (1, 2)
    assert (line_of(data["themes"], 0), line_of(data["themes"], 1)) == (3, 4)
    assert line_of(data["themes"][1], "codes") == 5
    assert line_of({"plain": "dict"}, "plain") is None


def test_first_line_shifts_every_line_and_message():
    data = load_yaml("a: 1\nb: 2\n", source="x", first_line=2)
    assert line_of(data, "b") == 3
    with pytest.raises(ConfigError, match=r"^« notes.md » : ligne 3 : en-tête YAML illisible"):
        load_yaml("a: 1\nb: - x\n", source="notes.md", first_line=2, label="en-tête YAML")


def test_same_values_as_pyyaml_safe_loader():
    text = (
        "a: [1, -2, +3, 0, 017, 0x1F, 1_000, 123456789012345678901, 1.5, .inf, 1e3]\n"
        "b: [yes, No, ON, off, true, False, ~, null, '', 'oui']\n"
        "c: {d: 2024-03-01, e: 2024-03-01 10:00:00, f: 'texte', g: \"tab\\tulé\"}\n"
        "h: &x {i: 1}\nj:\n  <<: *x\n  k: 2\n"
    )
    assert load_yaml(text, source="x") == yaml.load(text, Loader=yaml.SafeLoader)


@given(st.dictionaries(st.text(min_size=1), st.text() | st.integers() | st.booleans(), max_size=8))
def test_reads_what_pyyaml_writes_as_pyyaml_reads_it(data):
    text = yaml.safe_dump(data, allow_unicode=True)
    assert load_yaml(text, source="x") == yaml.load(text, Loader=yaml.SafeLoader)


def test_non_text_scalars_remember_how_they_were_written():
    data = load_yaml("a: 0755\nb: non\nc: no\nd: 1.10\ne: [01, yes]\nf: '01'\n", source="x")
    assert (data["a"], data["c"], data["d"]) == (493, False, 1.1)  # YAML 1.1's reading
    assert [text_of(data, k, where="x") for k in "abcdf"] == ["0755", "non", "no", "1.10", "01"]
    assert texts_of(data, "e", where="x") == ["01", "yes"]


def test_expect_mapping_refuses_other_shapes_and_gives_an_empty_map_for_nothing():
    assert load_yaml("# rien\n", source="x", expect_mapping=True) == {}
    with pytest.raises(ConfigError, match=r"« p.yml » : ligne 1 : le fichier doit être un "
                       r"dictionnaire \(clé: valeur\), pas une liste\."):  # fmt: skip
        load_yaml("- a\n- b\n", source="p.yml", expect_mapping=True)


def test_shape_helpers_raise_the_callers_error_class():
    data = load_yaml("a: [1, 2]\nb: {c: d}\nc: [x, [y]]\n", source="x")
    with pytest.raises(
        CodebookError, match=r"^ligne 1 : « a » doit être un texte, pas une liste\.$"
    ):
        text_of(data, "a", where="ligne 1", error=CodebookError)
    with pytest.raises(
        ConfigError, match="« c » : l'élément n° 2 doit être un texte, pas une liste"
    ):
        texts_of(data, "c", where="ligne 3")
    with pytest.raises(ConfigError, match=r"^ici : « b » doit être une liste, pas un dictionnaire"):
        expect(data["b"], list, where="ici", what="« b »")
    assert text_of(data, "absent", where="x", default="défaut") == "défaut"


@pytest.mark.parametrize(
    "value", ["oui", "OUI", " non ", "vrai", "Faux", "true", "FALSE", True, False]
)
def test_parse_bool_accepts_french_and_yaml_booleans(value):
    expected = (
        value if isinstance(value, bool) else value.strip().lower() in ("oui", "vrai", "true")
    )
    assert parse_bool(value, where="x") is expected


@pytest.mark.parametrize("value", ["peut-être", "o", "n", "1", 1, 0, None, ["oui"], ""])
def test_parse_bool_refuses_the_rest(value):
    with pytest.raises(ConfigError, match=r"^ligne 4 : « .* » n'est pas un booléen : écrivez oui"):
        parse_bool(value, where="ligne 4")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", r"ligne 3 : clé « a » écrite deux fois dans le même bloc \(déjà ligne 1\)"),
        ("a: &a [1, *a]\n", r"ligne 1 : l'alias « \*a » se répète à l'intérieur de sa propre ancre"),
        ("a: *nulle_part\n", r"ligne 1 : alias « \*nulle_part » sans ancre"),
        ("a: !!python/object:os.system x\n", r"ligne 1 : étiquette YAML « tag:yaml.org,2002:python/object:os.system » non acceptée"),
        ("a: !!binary aGVsbG8=\n", r"ligne 1 : étiquette YAML « tag:yaml.org,2002:binary » non acceptée"),
        ("a: !!set {x, y}\n", r"ligne 1 : étiquette YAML « tag:yaml.org,2002:set » non acceptée"),
        ("a: 1\n---\nb: 2\n", r"ligne 2 : un seul document attendu"),
        ("? [a, b]\n: 1\n", r"ligne 1 : une clé ne peut pas être une liste ou un dictionnaire"),
        ("a: [1, 2\nb: 3\n", r"ligne 2 : YAML illisible \(did not find expected ',' or '\]'\)"),
    ],
)  # fmt: skip
def test_refusals_name_the_file_and_line(text, message):
    with pytest.raises(ConfigError, match="^« f.yml » : " + message):
        load_yaml(text, source="f.yml")


def test_limits_are_the_callers():
    nested = "".join("  " * i + f"k{i}:\n" for i in range(10)) + "  " * 10 + "fin\n"
    with pytest.raises(
        ConfigError, match=r"ligne 6 : imbrication trop profonde \(plus de 5 niveaux"
    ):
        load_yaml(nested, source="x", max_depth=5)
    with pytest.raises(ConfigError, match=r"ligne 2 : plus de 2 alias"):
        load_yaml("a: &a 1\nb: [*a, *a, *a]\n", source="x", max_aliases=2)
    with pytest.raises(ConfigError, match="fichier trop volumineux"):
        load_yaml("a: " + "x" * 100, source="x", max_bytes=50)
    with pytest.raises(ConfigError, match=r"ligne 1 : plus de 10 valeurs"):
        load_yaml("[" + "1, " * 20 + "1]", source="x", max_nodes=10)


def test_aliases_count_as_what_they_repeat():
    ten = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\n"  # the root, a key, and the list of 9 items: 12
    assert load_yaml(ten + "b: *a\n", source="x", max_nodes=23)["b"] == list(range(1, 10))
    with pytest.raises(ConfigError, match="ligne 3 : plus de 23 valeurs une fois les alias"):
        load_yaml(ten + "b: *a\nc: *a\n", source="x", max_nodes=23)


def test_file_errors_name_the_file(tmp_path):
    path = tmp_path / "projet.yml"
    with pytest.raises(ConfigError, match=r"^« projet.yml » : lecture impossible"):
        load_yaml(path, source="projet.yml")
    path.write_bytes(b"nom: Essai\nlibelle: caf\xe9\n")
    with pytest.raises(
        ConfigError, match=r"^« projet.yml » : ligne 2 : le fichier doit être en UTF-8"
    ):
        load_yaml(path, source="projet.yml")


def test_every_yaml_read_in_the_package_goes_through_yamlio():
    readers = re.compile(r"YAML\(typ=|yaml\.(safe_)?load|CSafeLoader|SafeLoader|\.load\(.*yaml")
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "yamlio.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if readers.search(line)
    ]
    assert offenders == []
