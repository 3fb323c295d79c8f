"""Inputs: formats offered, parameter types, path safety (pure functions, no server)."""

from __future__ import annotations

import os

import pytest

from jupyterlab_nbjobs.errors import InvalidRequest
from jupyterlab_nbjobs.services import inputs


@pytest.fixture
def fresh_formats():
    inputs.export_formats.cache_clear()
    yield
    inputs.export_formats.cache_clear()


def test_formats_that_cannot_work_are_not_offered(fresh_formats, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no xelatex, for the child Python too
    offered = inputs.export_formats()
    assert list(offered)[0] == "ipynb" and "html" in offered
    assert "pdf" not in offered  # no xelatex
    with pytest.raises(InvalidRequest) as err:
        inputs.check_output_formats(["pdf"])
    assert err.value.reason == "unknown_output_format"


def test_pdf_offered_when_xelatex_exists(fresh_formats, monkeypatch, tmp_path):
    # On PATH, where the child Python that lists the formats looks for it.
    xelatex = tmp_path / "xelatex"
    xelatex.write_text("#!/bin/sh\n")
    xelatex.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert inputs.export_formats()["pdf"] == "PDF (LaTeX)"


def test_output_formats_keep_ipynb_first_and_drop_repeats(fresh_formats):
    assert inputs.check_output_formats(["html", "html", "ipynb"]) == ["ipynb", "html"]


@pytest.mark.parametrize("source,expected", [
    ("1", "int"), ("0.5", "float"), ("'a'", "str"), ("True", "bool"), ("[1, 2]", "list"),
    ("{'a': 1}", "dict"), ("None", "None"), ("os.getcwd()", None), (None, None),
])
def test_literal_type(source, expected):
    assert inputs.literal_type(source) == expected


def test_resolve_under_root(tmp_path):
    root = tmp_path / "root"
    (root / "a").mkdir(parents=True)
    assert inputs.resolve_under_root(str(root), "a/x.ipynb") == root / "a" / "x.ipynb"
    os.symlink(tmp_path, root / "up")
    for bad in ("../x", "/abs", "up/x", "a/../../x", ""):
        with pytest.raises(InvalidRequest):
            inputs.resolve_under_root(str(root), bad)
