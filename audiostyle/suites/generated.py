"""Shared machinery of generated suites: per-case seeds, the cache, fitting, tools.

A :class:`GeneratedSuite` builds case ``i`` from its own random generator (seeded by
suite name, seed and ``i``, so the first cases of a larger suite are the cases of a
smaller one) into a cache directory keyed by suite, version, seed, size, duration,
sample rate and options. A ``manifest.json`` is written last, atomically: a directory
with a manifest whose files all exist is reused as it is.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from audiostyle.atomic import atomic_write_text
from audiostyle.contracts.suite import Case, Suite, default_cache_dir
from audiostyle.errors import AudioError, DependencyError, ParameterError

PEAK = 0.9  # every generated file is scaled to this peak (about -0.9 dBFS)
FADE_SECONDS = 0.01  # fade-out where a file is cut at the requested duration
MAX_SIZE = 1000
MAX_DURATION = 600.0  # seconds
MIN_SAMPLE_RATE = 8_000
TOOL_TIMEOUT = 300  # seconds for one synthesizer call


def require_tool(executable: str, *, package: str, what: str) -> str:
    """The path of ``executable`` or a :class:`DependencyError` naming the Debian package."""
    path = shutil.which(executable)
    if path is None:
        raise DependencyError(
            f"{what} needs {executable!r}, which is not on PATH; install it with "
            f"'sudo apt-get install {package}' (Debian/Ubuntu) and try again."
        )
    return path


def run_tool(cmd: list[str], *, what: str, cwd: Path | None = None) -> str:
    """Run a synthesizer; a failure becomes an :class:`AudioError` quoting its output."""
    try:
        done = subprocess.run(
            cmd,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise AudioError(f"{what}: {cmd[0]} took more than {TOOL_TIMEOUT} s; gave up.") from None
    except OSError as exc:
        raise AudioError(f"{what}: cannot run {cmd[0]}: {exc}") from None
    if done.returncode != 0:
        tail = " ".join((done.stderr or done.stdout).split())[-400:]
        raise AudioError(f"{what}: {' '.join(cmd[:3])} ... failed (exit {done.returncode}): {tail}")
    return done.stdout


def case_rng(suite: str, seed: int, index: int) -> random.Random:
    """The random generator of case ``index``: depends on suite, seed and index only."""
    digest = hashlib.sha256(f"{suite}:{seed}:{index}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def read_mono(path: Path, *, sample_rate: int) -> np.ndarray:
    """A synthesizer's output as mono float32 at ``sample_rate``."""
    from audiostyle.audio import load

    return load(path, sample_rate=sample_rate, role="synthesized")


def trim_silence(y: np.ndarray, *, threshold_db: float = -45.0) -> np.ndarray:
    """``y`` without leading and trailing samples quieter than ``threshold_db`` re peak."""
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak == 0.0:
        return y[:0]
    loud = np.flatnonzero(np.abs(y) >= peak * 10 ** (threshold_db / 20))
    return y[loud[0] : loud[-1] + 1]


def fit(y: np.ndarray, *, length: int, sample_rate: int) -> np.ndarray:
    """Pad with zeros or cut (with a short fade-out) to ``length``; scale to :data:`PEAK`."""
    y = np.asarray(y, dtype=np.float32)
    if y.shape[0] > length:
        y = y[:length].copy()
        fade = min(length, int(FADE_SECONDS * sample_rate))
        if fade:
            y[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    elif y.shape[0] < length:
        y = np.concatenate([y, np.zeros(length - y.shape[0], np.float32)])
    peak = float(np.max(np.abs(y)))
    if peak == 0.0:
        raise AudioError("the synthesizer produced silence; check its installation.")
    return (y * (PEAK / peak)).astype(np.float32)


def save_role(stem: Path, role: str, wave: np.ndarray, *, sample_rate: int) -> Path:
    """Write ``{stem}-{role}.wav`` (16-bit PCM) atomically."""
    from audiostyle.audio import save

    return save(stem.parent / f"{stem.name}-{role}.wav", wave, sample_rate=sample_rate, force=True)


class GeneratedSuite(Suite):
    """A suite whose cases are synthesized on demand and cached.

    Subclasses set :attr:`name` and :attr:`version` (bump it whenever the generated
    audio changes) and implement :meth:`prepare` (check tools, resolve settings) and
    :meth:`build_case`.
    """

    name = "generated"
    version = "1"

    # -- to implement ------------------------------------------------------------
    def prepare(self) -> dict[str, Any]:
        """Check the synthesizers; return resolved settings (they join the cache key)."""
        return {}

    def check_build(self, settings: dict[str, Any], workdir: Path) -> None:
        """Last checks before building (not run when the cache answers)."""

    def build_case(
        self,
        index: int,
        *,
        rng: random.Random,
        settings: dict[str, Any],
        workdir: Path,
        stem: Path,
        duration: float,
        sample_rate: int,
    ) -> dict[str, Any]:
        """Write ``{stem}-content.wav``, ``-style.wav``, ``-target.wav``.

        Returns the manifest entry: ``name``, ``text`` (or None) and ``meta``.
        """
        raise NotImplementedError

    # -- the contract ------------------------------------------------------------
    def cases(
        self,
        *,
        size: int,
        seed: int,
        cache_dir: Path | None = None,
        duration: float,
        sample_rate: int,
    ) -> list[Case]:
        """Build (or reuse from ``cache_dir``) ``size`` cases for ``seed``.

        Parameters
        ----------
        size : int
            Number of cases, 1-1000.
        seed : int
            Any integer; the same seed and size give the same files.
        cache_dir : Path, optional
            Root of the cache (default :func:`audiostyle.suites.base.default_cache_dir`).
        duration : float
            Seconds per file (every file is padded or cut to exactly this).
        sample_rate : int
            Hz, at least 8000.

        Returns
        -------
        list of Case
        """
        self._check(size=size, seed=seed, duration=duration, sample_rate=sample_rate)
        settings = self.prepare()
        root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        key = {
            "suite": self.name,
            "version": self.version,
            "seed": int(seed),
            "size": int(size),
            "duration": float(duration),
            "sample_rate": int(sample_rate),
            "options": _plain(self.options),
            "settings": settings,
        }
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]
        folder = root / (
            f"{self.name}-v{self.version}-seed{seed}-n{size}-{duration:g}s-{sample_rate}hz-{digest}"
        )
        manifest = folder / "manifest.json"
        cached = self._read_manifest(manifest, folder)
        if cached is not None:
            return cached
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ParameterError(
                f"cache directory {str(folder)!r} cannot be created ({exc}); "
                "give a writable cache directory."
            ) from None
        entries = []
        with tempfile.TemporaryDirectory(prefix=f"audiostyle-{self.name}-") as tmp:
            self.check_build(settings, Path(tmp))
            for index in range(size):
                stem = folder / f"case{index:03d}"
                entry = self.build_case(
                    index,
                    rng=case_rng(self.name, seed, index),
                    settings=settings,
                    workdir=Path(tmp),
                    stem=stem,
                    duration=duration,
                    sample_rate=sample_rate,
                )
                entry["files"] = {r: f"{stem.name}-{r}.wav" for r in ("content", "style", "target")}
                entries.append(entry)
        atomic_write_text(manifest, json.dumps({"key": key, "cases": entries}, indent=1) + "\n")
        return [self._case(e, folder) for e in entries]

    # -- helpers -----------------------------------------------------------------
    @staticmethod
    def _check(*, size: int, seed: int, duration: float, sample_rate: int) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_SIZE:
            raise ParameterError(f"size={size!r} must be an integer in [1, {MAX_SIZE}] (e.g. 8).")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ParameterError(f"seed={seed!r} must be an integer (e.g. 0).")
        if not 1.0 <= float(duration) <= MAX_DURATION:
            raise ParameterError(
                f"duration={duration!r} must be in [1, {MAX_DURATION:g}] seconds (e.g. 10)."
            )
        if not isinstance(sample_rate, int) or not MIN_SAMPLE_RATE <= sample_rate <= 192_000:
            raise ParameterError(
                f"sample_rate={sample_rate!r} must be an integer in [8000, 192000] Hz (e.g. 22050)."
            )

    @staticmethod
    def _case(entry: dict[str, Any], folder: Path) -> Case:
        files = entry["files"]
        return Case(
            name=entry["name"],
            content=folder / files["content"],
            style=folder / files["style"],
            target=folder / files["target"],
            text=entry.get("text"),
            meta=dict(entry.get("meta", {})),
        )

    def _read_manifest(self, manifest: Path, folder: Path) -> list[Case] | None:
        if not manifest.is_file():
            return None
        try:
            entries = json.loads(manifest.read_text(encoding="utf-8"))["cases"]
            cases = [self._case(e, folder) for e in entries]
        except (OSError, ValueError, KeyError, TypeError):
            return None  # damaged: build again
        if all(p.is_file() for c in cases for p in (c.content, c.style, c.target)):
            return cases
        return None


def _plain(options: Any) -> Any:
    if options is None:
        return None
    if dataclasses.is_dataclass(options):
        from audiostyle.options import as_dict

        return as_dict(options)
    return repr(options)
