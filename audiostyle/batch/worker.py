"""The worker side: one row computed from its task.

A task's inputs are either paths (the worker reads them: the driver's disk is shared,
or this is the driver's machine) or shipped bytes (an executor's handle with a
``read()`` method, e.g. a Ray object reference): shipped inputs are written once per
worker process to its own temporary folder and decoded from there by the same code
as a path, so a row gives the same samples either way.

A worker keeps the built stages and the style's targets of its last
:data:`WARM_ENTRIES` (recipe, style) pairs (:func:`audiostyle.run_files.run_files`'s
``shared``), so rows that share a recipe and a style do not rebuild them.

A task carries the versions of audiostyle and of the plugins the driver loaded; a
worker whose versions differ fails the row with a message naming both.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audiostyle.errors import AudiostyleError, NumericalError

WARM_ENTRIES = 2  # (recipe, style) pairs whose stages and targets a worker keeps


class VersionMismatchError(AudiostyleError):
    """A worker runs other versions of audiostyle or its plugins than the driver."""


class MissingInputError(AudiostyleError):
    """An input path does not exist on the worker's node."""


@dataclass(frozen=True)
class RowTask:
    """What a worker needs for one row (picklable).

    ``content`` and ``style`` are paths, or shipped inputs (objects with ``read()``
    returning the file's bytes and ``name``/``sha256`` attributes). ``write_to``: the
    worker writes the output to a temporary file beside this path (a folder the
    driver sees too) instead of sending the audio back.
    """

    number: int
    content: Any
    style: Any
    recipe: Any
    offset: float = 0.0
    duration: float | None = None
    style_offset: float = 0.0
    style_duration: float | None = None
    style_sha256: str = ""
    versions: dict[str, str] | None = None
    write_to: str | None = None


@dataclass
class RowOutput:
    """What a worker sends back: the audio (or the file it wrote) and how it was made."""

    audio: Any
    sample_rate: int
    timings: dict[str, float]
    final_losses: dict[str, float]
    steps_done: int
    evaluations: int
    threads: int
    notes: list[str] = field(default_factory=list)
    initial_losses: dict[str, float] = field(default_factory=dict)
    history: list[dict[str, float]] = field(default_factory=list)
    frames: int = 0
    written: str | None = None  # the temporary file written by the worker (write_to)
    warm: bool = False  # the stages and the style's targets were already built


def stack_versions() -> dict[str, str]:
    """``{distribution: version}`` of audiostyle and of the plugin distributions this
    process loads (entry-point group ``audiostyle``, honouring AUDIOSTYLE_LOAD_PLUGINS)."""
    from importlib import metadata

    from audiostyle.plugins import ENTRY_POINT_GROUP, LOAD_PLUGINS_ENV

    try:
        out = {"audiostyle": metadata.version("audiostyle")}
    except metadata.PackageNotFoundError:
        out = {"audiostyle": "not installed"}
    wanted = os.environ.get(LOAD_PLUGINS_ENV)
    allowed = None if wanted is None else {w.strip() for w in wanted.split(",") if w.strip()}
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if allowed is not None and ep.name not in allowed:
            continue
        dist = getattr(ep, "dist", None)
        if dist is not None:
            out[dist.name] = dist.version
    return out


_VERSIONS: dict[str, str] | None = None


def check_versions(expected: dict[str, str] | None) -> None:
    """Raise :class:`VersionMismatchError` if this worker's versions differ from
    ``expected`` (the driver's); each one the driver has must match."""
    global _VERSIONS
    if not expected:
        return
    if _VERSIONS is None:
        _VERSIONS = stack_versions()
    wrong = [
        f"{dist} {_VERSIONS.get(dist, 'not installed')} here, {version} on the driver"
        for dist, version in sorted(expected.items())
        if _VERSIONS.get(dist, "not installed") != version
    ]
    if wrong:
        from audiostyle.executors.base import worker_name

        raise VersionMismatchError(
            f"worker {worker_name()} runs other versions than the driver: {'; '.join(wrong)}. "
            "Install the same versions on every node, or ship them with "
            "--executor-opt runtime_env=..."
        )


def _inputs_dir() -> Path:
    root = Path(tempfile.gettempdir()) / f"audiostyle-inputs-{os.getuid()}"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    return root


def local_input(source: Any, *, role: str) -> str:
    """A path this worker can read for a task's input: the path itself, or the shipped
    bytes written (once per worker process and file) to a private temporary folder."""
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.exists():
            from audiostyle.executors.base import worker_name

            raise MissingInputError(
                f"{role} file {str(path)!r} does not exist on the worker's node "
                f"({worker_name()}); the workers do not see the driver's files there. Use "
                "--executor-opt inputs=ship (the driver sends the inputs), or put them on "
                "a disk every node mounts at the same path."
            )
        return str(path)
    folder = _inputs_dir() / source.sha256
    path = folder / Path(source.name).name
    if not path.exists():
        folder.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(source.read())
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return str(path)


_WARM: OrderedDict[str, dict[str, Any]] = OrderedDict()


def _warm_state(task: RowTask) -> tuple[dict[str, Any], bool]:
    """The ``shared`` dict of this task's (recipe, style, style segment), and whether it
    was already there; the least recently used one is dropped past WARM_ENTRIES."""
    key = json.dumps(
        [
            task.recipe.to_dict(),
            task.style_sha256 or str(task.style),
            task.style_offset,
            task.style_duration,
        ],
        sort_keys=True,
        default=str,
    )
    if key in _WARM:
        _WARM.move_to_end(key)
        return _WARM[key], True
    state: dict[str, Any] = {}
    _WARM[key] = state
    while len(_WARM) > WARM_ENTRIES:
        _WARM.popitem(last=False)
    return state, False


def run_row(task: RowTask) -> RowOutput:
    """Compute one row (runs on a worker): :func:`audiostyle.run_files.run_files`."""
    import torch

    from audiostyle.run_files import run_files

    check_versions(task.versions)
    content = local_input(task.content, role="content")
    style = local_input(task.style, role="style")
    shared, warm = _warm_state(task)
    try:
        result = run_files(
            content,
            style,
            recipe=task.recipe,
            offset=task.offset,
            duration=task.duration,
            style_offset=task.style_offset,
            style_duration=task.style_duration,
            progress=False,
            shared=shared,
        )
    except AudiostyleError as exc:  # name a shipped input as the manifest does
        text = str(exc)
        for local, source in ((content, task.content), (style, task.style)):
            if not isinstance(source, str | Path):
                text = text.replace(local, f"{source.name} (shipped)")
        if text != str(exc) and len(exc.args) == 1:
            exc.args = (text,)
        raise
    if result.partial:
        raise NumericalError(
            f"the optimisation stopped at step {result.nonfinite_step} of "
            f"{result.recipe.steps} with NaN/Inf losses; nothing was written. Lower the "
            "learning rate or the loss weights for this row."
        )
    audio, written = result.audio, None
    if task.write_to is not None:
        written = _write_beside(Path(task.write_to), audio, sample_rate=result.sample_rate)
        audio = None
    return RowOutput(
        audio=audio,
        sample_rate=result.sample_rate,
        timings=result.timings,
        final_losses=result.final_losses,
        steps_done=result.steps_done,
        evaluations=result.evaluations,
        threads=torch.get_num_threads(),
        notes=list(result.notes),
        initial_losses=dict(result.initial_losses),
        history=list(result.history),
        frames=len(result.audio),
        written=written,
        warm=warm,
    )


def _write_beside(path: Path, audio, *, sample_rate: int) -> str:
    """Write the output to a temporary file beside ``path`` (the driver renames it)."""
    from audiostyle.executors.base import worker_name

    if not path.parent.is_dir():
        raise MissingInputError(
            f"output folder {str(path.parent)!r} does not exist on the worker's node "
            f"({worker_name()}); outputs=workers needs --out-dir on a disk every node "
            "mounts at the same path (or use outputs=driver)."
        )
    from audiostyle.batch.commit import write_temporary

    return str(write_temporary(path, audio, sample_rate=sample_rate))
