"""Write a :class:`~audiostyle.report.model.Report` as one HTML page.

The page opens from disk with no server and no network: its audio (Ogg Vorbis or
FLAC) and pictures (PNG) sit in a folder beside it, ``PAGE_files/`` (or, with
``embed=True``, inside the page as ``data:`` URIs), and its style sheet and the few
lines of script that sort the table are inline (package data in
``report/assets``). No CDN, no web font. This module writes the page;
:mod:`~audiostyle.report.page` is its markup, :mod:`~audiostyle.report.figures`
its pictures.

- Every clip gets a player (``<audio controls>`` with an ``aria-label``) and a
  spectrogram; all spectrograms of a page share one colour scale (dBFS, the loudest
  bin of any clip at the top, :data:`~audiostyle.plotting.DEFAULT_DYNAMIC_RANGE` dB
  below it at the bottom) and the same axes (seconds up to the longest clip, Hz up
  to the highest Nyquist frequency), so they can be compared by eye.
- Every output gets its loss curves and its resolved recipe (in a collapsed
  ``<details>``).
- The metric table works without script: it is a plain table with the best value
  of each ranked column in bold. The script turns each header into a ``<button>``
  that sorts the rows (within their groups) and keeps ``aria-sort`` up to date.

The page and its folder are replaced together (written beside, then renamed), so
an interrupted write leaves the previous report or none, never half of one.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from audiostyle.errors import AudioError, OutputExistsError, ParameterError
from audiostyle.report.figures import loss_png, spectrogram, spectrogram_png
from audiostyle.report.model import Report, slug
from audiostyle.report.page import page

PAGE_FORMATS = ("ogg", "flac")  # compressed: a page of many outputs stays small


def assets_dir(path: str | Path) -> Path:
    """The folder beside a page that holds its audio and pictures: ``PAGE_files``.

    >>> assets_dir("out/report.html").as_posix()
    'out/report_files'
    """
    path = Path(path)
    return path.with_name(f"{path.stem}_files")


def check_page(path: str | Path, *, force: bool = False) -> Path:
    """Check, before any work, that a report can be written at ``path``.

    It must end in ``.html`` (or ``.htm``), its directory must exist, and neither it
    nor its ``PAGE_files`` folder may exist unless ``force``.
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ParameterError(f"--html {str(path)!r}: give a file name ending in .html.")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise ParameterError(
            f"--html {str(path)!r}: directory {str(parent)!r} does not exist; create it first."
        )
    if path.is_dir():
        raise ParameterError(f"--html {str(path)!r} is a directory; give a file name.")
    folder = assets_dir(path)
    if not force:
        for existing in (path, folder):
            if existing.exists():
                raise OutputExistsError(
                    f"{str(existing)!r} already exists; pass --force (force=True) to "
                    "overwrite the report."
                )
    if folder.exists() and not folder.is_dir():
        raise ParameterError(
            f"{str(folder)!r} is a file, but the report keeps its audio and pictures in a "
            "folder of that name; move it away."
        )
    if not os.access(parent, os.W_OK):
        raise AudioError(f"directory {str(parent)!r} is not writable; choose another --html path.")
    return path


# -- assets ------------------------------------------------------------------------------
class _Assets:
    """Where audio and pictures go: files in a staging folder, or ``data:`` URIs."""

    def __init__(self, staging: Path | None, public: str) -> None:
        self.staging = staging
        self.public = public  # the folder's name as the page refers to it
        self.names: set[str] = set()

    def add(self, name: str, data: bytes, mime: str) -> str:
        """Store ``data``; return the URL the page uses for it."""
        if name in self.names:
            raise ParameterError(f"report: asset {name!r} is written twice.")
        self.names.add(name)
        if self.staging is None:
            return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        (self.staging / name).write_bytes(data)
        return f"{quote(self.public)}/{quote(name)}"


# -- the page ----------------------------------------------------------------------------
def write(
    report: Report,
    path: str | Path,
    *,
    audio_format: str = "ogg",
    force: bool = False,
    embed: bool = False,
    dynamic_range: float | None = None,
) -> Path:
    """Write ``report`` as an HTML page at ``path`` (and its ``PAGE_files`` folder).

    Parameters
    ----------
    report : Report
    path : str or Path
        The page (``.html``).
    audio_format : {"ogg", "flac"}
        Ogg Vorbis (small; every current browser but old Safari) or FLAC (lossless,
        about 6x larger for speech).
    force : bool
        Replace an existing page and folder.
    embed : bool
        Put the audio and pictures inside the page (``data:`` URIs; one file to send,
        a third larger) instead of in ``PAGE_files``.
    dynamic_range : float, optional
        dB between the top and the bottom of the shared colour scale (default 80).

    Returns
    -------
    Path
        The page.
    """
    from audiostyle.atomic import _publish, deferred_sigint
    from audiostyle.plotting import DEFAULT_DYNAMIC_RANGE

    if audio_format not in PAGE_FORMATS:
        raise ParameterError(
            f"audio_format={audio_format!r}: a report uses compressed audio, "
            f"one of {', '.join(PAGE_FORMATS)} (flac is lossless)."
        )
    dynamic_range = DEFAULT_DYNAMIC_RANGE if dynamic_range is None else dynamic_range
    report.check()
    path = check_page(path, force=force)
    folder = assets_dir(path)
    parent = path.parent if str(path.parent) else Path(".")
    staging = None if embed else Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=parent))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".html", dir=parent)
    os.close(fd)
    tmp_page = Path(tmp_name)
    old = None
    try:
        text = render(
            report,
            _Assets(staging, folder.name),
            audio_format=audio_format,
            dynamic_range=dynamic_range,
        )
        tmp_page.write_text(text, encoding="utf-8")
        with deferred_sigint():
            if folder.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=parent))
                os.replace(folder, old / "x")
            if staging is not None:
                os.chmod(staging, 0o777 & ~_umask())
                os.replace(staging, folder)
                staging = None
            _publish(tmp_page, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp_page.unlink()
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise AudioError(
                f"cannot write the report {str(path)!r}: {exc.strerror or exc}; "
                "check the directory is writable and has free space."
            ) from exc
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def render(
    report: Report, assets: _Assets, *, audio_format: str = "ogg", dynamic_range: float = 80.0
) -> str:
    """The page's HTML text; audio and pictures go to ``assets`` as they are made."""
    from audiostyle.plotting import AUDIO_FORMATS, db_limits, encode_audio

    clips = report.clips()
    if not clips and not report.tables:
        raise ParameterError("report has nothing to show: no clips and no table.")
    mime = AUDIO_FORMATS[audio_format][2]
    # Pass 1: encode every clip and find the shared colour scale and axes.
    peaks, urls, durations = [], {}, {}
    stems = {clip.key: f"{i:03d}-{slug(clip.key)}" for i, clip in enumerate(clips)}
    for clip in clips:
        audio = clip.load()
        stem = stems[clip.key]
        urls[clip.key] = assets.add(
            f"{stem}.{audio_format}",
            encode_audio(audio, clip.sample_rate, format=audio_format),
            mime,
        )
        durations[clip.key] = len(audio) / clip.sample_rate
        peaks.append(spectrogram(audio, clip.sample_rate)[0])
        peaks[-1] = peaks[-1].max(keepdims=True)  # keep only the loudest bin
    images: dict[str, tuple[str, str]] = {}
    if clips:
        vmin, vmax = db_limits(peaks, dynamic_range=dynamic_range)
        xmax = max(durations.values())
        ymax = max(c.sample_rate for c in clips) / 2
        # Pass 2: the spectrograms, on that scale and those axes.
        for clip in clips:
            audio = clip.load()
            png = spectrogram_png(
                audio,
                clip.sample_rate,
                db=spectrogram(audio, clip.sample_rate),
                vmin=vmin,
                vmax=vmax,
                xmax=xmax,
                ymax=ymax,
            )
            images[clip.key] = (
                assets.add(f"{stems[clip.key]}-spectrogram.png", png, "image/png"),
                f"Spectrogram of {clip.label}: time 0 to {xmax:.2f} s, frequency 0 to "
                f"{ymax:.0f} Hz, level {vmin:.0f} to {vmax:.0f} dBFS "
                f"({durations[clip.key]:.2f} s of audio at {clip.sample_rate} Hz)",
            )
    losses = {}
    for out in report.outputs:
        if out.history or out.initial_losses:
            losses[out.clip.key] = assets.add(
                f"{stems[out.clip.key]}-losses.png", loss_png(out), "image/png"
            )
    scale = (vmin, vmax) if clips else None
    return page(report, urls, images, losses, mime=mime, scale=scale)
