"""The public API is exactly what we mean to offer, and importing it stays light."""

import inspect
import re
import subprocess
import sys

import miam_qual
from miam_qual import errors


def test_public_names_are_exactly_the_intended_ones():
    assert set(miam_qual.__all__) == {
        "Code", "Codebook", "Project", "ProjectConfig", "load_codebook", "read_source",
        *errors.__all__,
    }  # fmt: skip
    assert len(miam_qual.__all__) == len(set(miam_qual.__all__))
    for name in miam_qual.__all__:
        assert getattr(miam_qual, name) is not None


def test_every_error_class_is_public_and_a_miam_error():
    defined = {
        name
        for name, obj in vars(errors).items()
        if isinstance(obj, type)
        and issubclass(obj, Exception)
        and obj.__module__ == errors.__name__
    }
    assert defined == set(errors.__all__)
    for name in errors.__all__:
        error = getattr(miam_qual, name)
        assert issubclass(error, miam_qual.MiamError)
        assert error.__doc__ and error.__doc__.strip(), f"{name} has no docstring"
        # the docstring's tree draws every class
        assert re.search(rf"\s{name}\s", errors.__doc__), f"{name} missing from errors.py's tree"


def test_errors_users_catch_are_specific():
    assert issubclass(miam_qual.StoreLocked, miam_qual.StorageError)
    assert issubclass(miam_qual.StorageError, miam_qual.ProjectError)
    assert issubclass(miam_qual.CodebookConflict, miam_qual.CodebookError)
    assert issubclass(miam_qual.UnknownAttribute, miam_qual.AttributeValueError)


def test_no_module_raises_the_bare_root_error():
    import pathlib

    package = pathlib.Path(miam_qual.__file__).parent
    offenders = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "raise MiamError(" in line
    ]
    assert offenders == []


def test_project_methods_are_the_concept_modules_functions():
    """Each ``Project`` method has one home: bound from its concept module, not re-wrapped."""
    from miam_qual import codebook_edit, coding, importing, participants, review

    for module in (importing, participants, codebook_edit, coding, review):
        for name, function in vars(module).items():
            if (
                inspect.isfunction(function)
                and function.__module__ == module.__name__
                and not name.startswith("_")
                and next(iter(inspect.signature(function).parameters), None) == "project"
                and name in vars(miam_qual.Project)
            ):
                assert vars(miam_qual.Project)[name] is function
    assert miam_qual.Project.code is coding.code
    assert miam_qual.Project.import_files is importing.import_files


def test_importing_the_package_loads_no_heavy_optional_part():
    heavy = [
        "spacy", "matplotlib", "weasyprint", "anywidget", "ipywidgets", "docx", "openpyxl",
        "odf", "lxml", "av", "jinja2", "PIL", "wordcloud", "pypdf", "pypdfium2",
    ]  # fmt: skip
    code = f"import sys, miam_qual\nprint(' '.join(m for m in {heavy!r} if m in sys.modules))\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_every_subpackage_lists_a_small_documented_surface():
    import importlib

    for name in (
        "analysis",
        "agreement",
        "reports",
        "publication",
        "privacy",
        "widgets",
        "exchange",
    ):
        package = importlib.import_module(f"miam_qual.{name}")
        assert package.__doc__, f"miam_qual.{name} has no docstring"
        names = package.__all__
        assert len(names) == len(set(names)) and len(names) <= 30, name
        for public in names:
            obj = getattr(package, public)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                assert obj.__doc__ and obj.__doc__.strip(), (
                    f"miam_qual.{name}.{public} undocumented"
                )
                # one home: a re-exported error belongs to miam_qual, not to a subpackage
                assert not (inspect.isclass(obj) and issubclass(obj, miam_qual.MiamError)), public
