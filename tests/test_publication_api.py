"""The publication package offers exactly its intended names; settings errors are French."""

from __future__ import annotations

import pytest

import miam_qual.publication as publication
from miam_qual import ConfigError
from miam_qual.publication import load_settings


def test_public_names_are_exactly_the_intended_ones():
    assert set(publication.__all__) == {
        "MEDIA_DIR", "STATUSES", "TARGETS", "USE_OF_TARGET", "ExportReport", "PublicationSettings",
        "QuoteBoard", "QuoteExport", "edit_quote", "export_exhibition", "export_radio", "export_social_cards",
        "export_spreadsheet", "list_quotes", "load_settings", "propose_quote", "quote_attribution",
        "quote_consents", "quote_history", "remove_quote", "set_quote_status",
        "synthesize_recordings", "check_recording", "link_recording", "recording_for",
    }  # fmt: skip
    for name in publication.__all__:
        assert getattr(publication, name) is not None
    assert publication.USE_OF_TARGET == {
        "radio": "radio", "exposition": "exposition", "rapport": "citation",
        "réseaux sociaux": "citation", "tableur": "citation",
    }  # fmt: skip


def test_quote_functions_take_the_project_first():
    import inspect

    for name in publication.__all__:
        function = getattr(publication, name)
        if inspect.isfunction(function) and name not in ("quote_attribution", "load_settings"):
            assert next(iter(inspect.signature(function).parameters)) == "project", name


def test_settings_file_is_read_and_checked(tmp_path):
    assert load_settings(tmp_path).max_panel_chars == 280
    (tmp_path / "publication.yml").write_text(
        "longueur_max_panneau: 200\nmarge_audio_ms: 0\n", encoding="utf-8"
    )
    settings = load_settings(tmp_path)
    assert (settings.max_panel_chars, settings.padding_ms) == (200, 0)
    (tmp_path / "publication.yml").write_text("longeur_max: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="réglage inconnu « longeur_max »"):
        load_settings(tmp_path)
