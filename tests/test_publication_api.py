"""The publication package offers exactly its intended names; settings errors are French."""

from __future__ import annotations

import pytest

import miam_qual.publication as publication
from miam_qual import ConfigError, MiamError
from miam_qual.publication import load_settings


def test_public_names_are_exactly_the_intended_ones():
    assert set(publication.__all__) == {
        "MEDIA_DIR", "STATUSES", "TARGETS", "USE_OF_TARGET", "ExportReport", "PublicationSettings",
        "Pseudonyms", "QuoteError", "Quotes", "export_exhibition", "export_radio",
        "export_social_cards", "export_spreadsheet", "load_settings", "names_to_review",
        "synthesize_recordings",
    }  # fmt: skip
    assert issubclass(publication.QuoteError, MiamError)
    assert publication.USE_OF_TARGET == {
        "radio": "radio", "exposition": "exposition", "rapport": "citation",
        "réseaux sociaux": "citation", "tableur": "citation",
    }  # fmt: skip


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
