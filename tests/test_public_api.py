"""The public API is exactly what we mean to offer."""

import miam_qual


def test_public_names_are_exactly_the_intended_ones():
    assert set(miam_qual.__all__) == {
        "AttributeValueError", "Code", "Codebook", "CodebookError", "CodingError", "ConfigError",
        "ConsentError", "CorpusError", "DuplicateCode", "EncodingError", "ExportError", "MiamError",
        "OffsetOutOfRange", "Project", "ProjectConfig", "ProjectError", "QuoteError", "UnknownCode",
        "UnknownCoder", "UnreadableFile", "load_codebook", "read_source",
    }  # fmt: skip
    for name in miam_qual.__all__:
        assert getattr(miam_qual, name) is not None


def test_every_error_is_a_miam_error():
    for name in miam_qual.__all__:
        obj = getattr(miam_qual, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, miam_qual.MiamError)
