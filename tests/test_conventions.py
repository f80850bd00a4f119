"""Python packaging conventions (issue 22): ``python -m``, ``py.typed``, one version,
the versions a report records, the suites' cache directory."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import audiostyle
from audiostyle import api
from audiostyle.suites import base

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_python_dash_m_runs_the_cli():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "audiostyle", "--version"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"audiostyle {audiostyle.__version__}"


def test_the_package_is_marked_typed():
    assert (ROOT / "audiostyle" / "py.typed").is_file()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["audiostyle"]


def test_the_version_is_written_once_in_pyproject():
    assert audiostyle.__version__ == metadata.version("audiostyle")
    assert metadata.version("audiostyle") == PYPROJECT["project"]["version"]
    source = (ROOT / "audiostyle" / "__init__.py").read_text(encoding="utf-8")
    assert f'"{PYPROJECT["project"]["version"]}"' not in source


def test_versions_include_every_dependency_that_changes_the_output():
    found = api.versions()
    assert {"silero-vad", "soxr", "torch", "librosa", "numpy"} <= set(found)
    assert found["silero-vad"] == metadata.version("silero-vad")
    assert found["soxr"] == metadata.version("soxr")


def test_pyproject_has_classifiers_and_declares_what_it_imports():
    project = PYPROJECT["project"]
    assert "Typing :: Typed" in project["classifiers"]
    assert any(c.startswith("License :: ") for c in project["classifiers"])
    names = {d.split(">")[0].split("=")[0].split("<")[0] for d in project["dependencies"]}
    assert {"platformdirs", "tomli-w", "silero-vad", "soxr"} <= names


def test_suites_cache_dir_comes_from_platformdirs(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.delenv(base.CACHE_ENV, raising=False)
    monkeypatch.setattr(platformdirs, "user_cache_path", lambda app: tmp_path / "cache" / app)
    assert base.default_cache_dir() == tmp_path / "cache" / "audiostyle" / "suites"
    monkeypatch.setenv(base.CACHE_ENV, str(tmp_path / "mine"))
    assert base.default_cache_dir() == tmp_path / "mine"


@pytest.mark.parametrize("name", ["AUDIOSTYLE_PROGRESS", "AUDIOSTYLE_CACHE_DIR"])
def test_environment_variables_are_documented(name):
    assert name in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_cli_runs_without_click_installed():
    """typer vendors its click: a base install has no ``click`` to import."""
    code = (
        "import sys; sys.modules['click'] = None\n"
        "sys.argv = ['audiostyle', 'bench', '--help']\n"
        "from audiostyle.cli import main; main()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "--pair" in done.stdout


def test_dependency_bounds_are_the_tested_ones():
    from packaging.requirements import Requirement

    reqs = {Requirement(d).name: Requirement(d) for d in PYPROJECT["project"]["dependencies"]}
    # silero-vad 6.0 needs torchaudio and onnxruntime, 6.2.2 torchaudio<2.10.
    assert not reqs["silero-vad"].specifier.contains("6.2.2")
    assert reqs["silero-vad"].specifier.contains("6.2.3")
    torch_spec = reqs["torch"].specifier
    assert not torch_spec.contains("2.10.0") and not torch_spec.contains("99.0")  # bounded
    assert torch_spec.contains(metadata.version("torch").split("+")[0])  # CI's torch
    torchaudio_extra = PYPROJECT["project"]["optional-dependencies"]["torchaudio"]
    assert "torch==2.11.0" in torchaudio_extra and torch_spec.contains("2.11.0")
