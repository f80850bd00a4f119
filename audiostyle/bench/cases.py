"""Where a bench's cases come from: pairs, a small TOML file, or a registered suite.

A cases file (paths relative to the file)::

    # cases.toml
    [defaults]                 # optional: applies to every case
    offset = 1.0               # seconds into the content
    duration = 5.0             # seconds of content (and of target)
    style_offset = 1.0
    style_duration = 5.0

    [[case]]
    name = "male-to-female"    # optional (default: content stem + style stem)
    content = "speech_male_3436.ogg"
    style = "speech_female_198.ogg"
    target = "answer.wav"      # optional: the true output (ground truth)
    text = "what is said"      # optional: used by the wer metric

    [grid]                     # optional: the same as --grid KEY=V1,V2
    transform = ["librosa", "torchaudio"]
    "phase.n_iter" = [16, 64]

Light module: no numpy or torch.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from audiostyle.bench.specs import CaseSpec
from audiostyle.errors import ParameterError

_CASE_KEYS = {
    "name",
    "content",
    "style",
    "target",
    "text",
    "offset",
    "duration",
    "style_offset",
    "style_duration",
}
_EXCERPT_KEYS = ("offset", "duration", "style_offset", "style_duration")


def _check_file(path: Path, role: str, where: str) -> None:
    if not path.is_file():
        raise ParameterError(f"{where}: {role} file {str(path)!r} does not exist; check the path.")


def case_name(content: str | Path, style: str | Path) -> str:
    """A readable default name: ``contentstem-to-stylestem``.

    >>> case_name("a/speech_male.ogg", "b/speech_female.wav")
    'speech_male-to-speech_female'
    """
    return f"{Path(content).stem}-to-{Path(style).stem}"


def pair_cases(pairs: list[tuple[str | Path, str | Path]], **excerpt: Any) -> list[CaseSpec]:
    """Cases from ``--pair CONTENT STYLE`` (files checked now, names made unique)."""
    out = []
    used: dict[str, int] = {}
    for content, style in pairs:
        for role, p in (("content", content), ("style", style)):
            _check_file(Path(p), role, "--pair")
        name = case_name(content, style)
        used[name] = used.get(name, 0) + 1
        if used[name] > 1:
            name = f"{name}-{used[name]}"
        out.append(CaseSpec(name, str(content), str(style), **excerpt))
    return out


def load_cases_file(path: str | Path, **overrides: Any) -> tuple[list[CaseSpec], dict[str, Any]]:
    """Read a cases file: its cases and its ``[grid]`` table (KEY -> list of values).

    ``overrides`` (excerpt settings given on the command line, ``None`` = not
    given) win over the file's ``[defaults]`` but not over a case's own values.
    """
    path = Path(path)
    where = f"cases file {str(path)!r}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"{where} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"{where} cannot be read: {exc}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(
            f"{where} is not valid TOML: {exc}. See 'audiostyle bench --help' for the format."
        ) from None
    unknown = set(data) - {"defaults", "case", "grid"}
    if unknown:
        raise ParameterError(
            f"{where}: unknown table {sorted(unknown)[0]!r}; use [defaults], [[case]], [grid]."
        )
    defaults = dict(data.get("defaults") or {})
    bad = set(defaults) - set(_EXCERPT_KEYS)
    if bad:
        raise ParameterError(
            f"{where}: [defaults] has unknown key {sorted(bad)[0]!r}; use "
            f"{', '.join(_EXCERPT_KEYS)}."
        )
    defaults.update({k: v for k, v in overrides.items() if v is not None})
    entries = data.get("case") or []
    if not isinstance(entries, list) or not entries:
        raise ParameterError(f"{where} has no [[case]] entries; add one with content and style.")
    root = path.parent
    cases = []
    names = set()
    for i, entry in enumerate(entries, start=1):
        here = f"{where}, case {i}"
        bad = set(entry) - _CASE_KEYS
        if bad:
            raise ParameterError(
                f"{here}: unknown key {sorted(bad)[0]!r}; use {', '.join(sorted(_CASE_KEYS))}."
            )
        for key in ("content", "style"):
            if key not in entry:
                raise ParameterError(f"{here} has no {key} file.")
        files = {}
        for key in ("content", "style", "target"):
            if entry.get(key) is not None:
                p = Path(entry[key]).expanduser()
                p = p if p.is_absolute() else root / p
                _check_file(p, key, here)
                files[key] = str(p)
        name = str(entry.get("name") or case_name(files["content"], files["style"]))
        if name in names:
            raise ParameterError(f"{here}: name {name!r} is used twice; give each case its own.")
        names.add(name)
        excerpt = {k: entry.get(k, defaults.get(k)) for k in _EXCERPT_KEYS}
        excerpt = {k: v for k, v in excerpt.items() if v is not None}
        for k, v in excerpt.items():
            if not isinstance(v, int | float) or isinstance(v, bool) or v < 0:
                raise ParameterError(f"{here}: {k}={v!r} must be a number of seconds >= 0.")
        cases.append(
            CaseSpec(
                name=name,
                content=files["content"],
                style=files["style"],
                target=files.get("target"),
                text=entry.get("text"),
                **{k: float(v) for k, v in excerpt.items()},
            )
        )
    grid = data.get("grid") or {}
    if not isinstance(grid, dict):
        raise ParameterError(f"{where}: [grid] must be a table of KEY = [values].")
    return cases, grid


def suite_cases(
    name: str,
    *,
    size: int,
    seed: int,
    duration: float,
    sample_rate: int,
    options: dict[str, Any] | None = None,
    cache_dir: str | Path | None = None,
) -> list[CaseSpec]:
    """Ask the suite registered as ``name`` for ``size`` cases (built or cached).

    Raises :class:`~audiostyle.errors.DependencyError` (naming the package to
    install) when a synthesizer the suite needs is missing.
    """
    from audiostyle.plugins import create

    if size < 1:
        raise ParameterError(f"--suite-size {size} must be >= 1.")
    if duration <= 0:
        raise ParameterError(f"--duration {duration} must be > 0 seconds for a suite.")
    suite = create("suite", name, options or {})
    if cache_dir is None:
        cache_dir = _default_cache_dir()
    found = suite.cases(
        size=size,
        seed=seed,
        cache_dir=Path(cache_dir),
        duration=float(duration),
        sample_rate=int(sample_rate),
    )
    if not found:
        raise ParameterError(f"suite {name!r} gave no cases for size={size}, seed={seed}.")
    return [CaseSpec.from_case(c) for c in found]


def _default_cache_dir() -> Path:
    try:
        from audiostyle.contracts.suite import default_cache_dir
    except ImportError:  # an older core without it
        return Path.home() / ".cache" / "audiostyle" / "suites"
    return default_cache_dir()
