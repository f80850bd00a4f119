"""Audio I/O: read (wav/flac/ogg with soundfile, mp3 via librosa), mono, resample;
write by extension, atomically, never overwriting unless asked."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audiostyle.atomic import atomic_path
from audiostyle.errors import AudioError, OutputExistsError, ParameterError

WRITE_FORMATS = {".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG"}
READ_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif", ".oga")
SILENCE_PEAK = 1e-6  # below this peak amplitude a clip counts as digital silence
MAX_PEAK = 1e4  # float audio belongs in [-1, 1]; far beyond this it is not audio
MIN_RATE, MAX_RATE = 1_000, 768_000  # Hz: beyond these a file's header is wrong
FULL_DISK_BYTES = 1 << 20  # a failed write with less free space than this: the disk is full
MAX_SECONDS = 4 * 3600  # the longest excerpt read at once (~1.3 GB of float32 at 22.05 kHz)


@dataclass
class AudioInfo:
    """What :func:`load` found, for notes and reports."""

    path: str
    native_rate: int
    channels: int
    resampled: bool
    downmixed: bool


def _check_readable(path: Path, role: str) -> None:
    if not path.exists():
        raise AudioError(f"{role} file {str(path)!r} does not exist; check the path.")
    if path.is_dir():
        raise AudioError(f"{role} {str(path)!r} is a directory; give an audio file.")
    if path.stat().st_size == 0:
        raise AudioError(f"{role} file {str(path)!r} is empty (0 bytes); give a real audio file.")
    if not os.access(path, os.R_OK):
        raise AudioError(f"{role} file {str(path)!r} is not readable; check permissions.")


def load(
    path: str | Path,
    *,
    sample_rate: int,
    offset: float = 0.0,
    duration: float | None = None,
    role: str = "audio",
    info: list[AudioInfo] | None = None,
) -> np.ndarray:
    """Read an audio file as mono float32 at ``sample_rate``.

    Parameters
    ----------
    path : str or Path
    sample_rate : int
        Target rate in Hz; the file is resampled if it differs.
    offset, duration : float
        Segment to read, in seconds (``duration=None``: to the end).
    role : str
        "content" / "style", used in error messages.

    Returns
    -------
    ndarray [shape=(time,)], float32
    """
    path = Path(path)
    check_excerpt(offset, duration, role=role)
    _check_readable(path, role)
    data, native = _read(path, role=role, offset=offset, duration=duration)
    if data.size == 0 or data.shape[0] == 0:
        raise AudioError(
            f"{role} file {str(path)!r} has no samples"
            f"{' after offset ' + str(offset) + ' s' if offset else ''}; "
            "give a longer clip or a smaller --offset."
        )
    downmixed = data.ndim > 1 and data.shape[1] > 1
    channels = data.shape[1] if data.ndim > 1 else 1
    if data.ndim > 1:
        data = data.mean(axis=1)
    data = np.ascontiguousarray(data, dtype=np.float32)
    if not np.isfinite(data).all():
        bad = int((~np.isfinite(data)).sum())
        raise AudioError(
            f"{role} file {str(path)!r} contains {bad} NaN or Inf samples; repair or re-export it."
        )
    resampled = native != sample_rate
    if resampled:
        data = resample(data, native, sample_rate)
    if info is not None:
        info.append(AudioInfo(str(path), native, channels, resampled, downmixed))
    return data


def check_excerpt(offset: float, duration: float | None, *, role: str = "audio") -> None:
    """``offset`` is a finite number of seconds >= 0, ``duration`` None or one > 0.

    >>> check_excerpt(float("nan"), None, role="content")
    Traceback (most recent call last):
    ...
    audiostyle.errors.ParameterError: content offset=nan must be a finite number of seconds >= 0...
    """
    if not _finite(offset) or offset < 0:
        raise ParameterError(
            f"{role} offset={offset} must be a finite number of seconds >= 0; e.g. 0 or 1.5."
        )
    if duration is not None and (not _finite(duration) or duration <= 0):
        raise ParameterError(
            f"{role} duration={duration} must be a finite number of seconds > 0 "
            "(leave it out to read to the end); e.g. 10."
        )


def _finite(x) -> bool:
    import math

    try:
        return not isinstance(x, bool) and math.isfinite(x)
    except TypeError:
        return False


def _read(
    path: Path, *, role: str, offset: float, duration: float | None
) -> tuple[np.ndarray, int]:
    import soundfile as sf

    try:
        with sf.SoundFile(str(path)) as f:
            native = f.samplerate
            start = int(round(offset * native))
            if start:
                f.seek(min(start, f.frames))
            frames = -1 if duration is None else int(round(duration * native))
            _check_header(path, role, native, f.frames - min(start, f.frames), frames)
            data = f.read(frames=frames, dtype="float32", always_2d=True)
        return data, native
    except sf.LibsndfileError as exc:
        sf_error = exc
    except RuntimeError as exc:  # older soundfile
        sf_error = exc
    # Formats libsndfile cannot read (e.g. some mp3): try librosa / audioread.
    if path.suffix.lower() not in (".mp3", ".m4a", ".aac"):
        raise AudioError(
            f"{role} file {str(path)!r} cannot be read as audio ({sf_error}); it is corrupt "
            f"or not a supported format ({', '.join(READ_EXTENSIONS)})."
        ) from None
    try:
        import librosa

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y, native = librosa.load(
                str(path), sr=None, mono=False, offset=offset, duration=duration, dtype=np.float32
            )
    except Exception as exc:  # noqa: BLE001
        raise AudioError(
            f"{role} file {str(path)!r} cannot be decoded ({exc}); it is corrupt or needs ffmpeg."
        ) from None
    y = np.atleast_2d(y).T  # (time, channels)
    return y, int(native)


def _check_header(path: Path, role: str, rate: int, left: int, wanted: int) -> None:
    """Refuse an absurd rate or length before reading (and resampling) a single sample.

    A header that claims 1 Hz turns a 132 kB file into ~18 hours at 22.05 kHz (7 GB).
    """
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioError(
            f"{role} file {str(path)!r} claims a sample rate of {rate} Hz; audio is "
            f"{MIN_RATE}-{MAX_RATE} Hz, so its header is wrong: re-export it, or rewrite "
            "the rate with 'sox -r RATE in.wav out.wav' if you know it."
        )
    frames = left if wanted < 0 else min(wanted, left)
    seconds = frames / rate
    if seconds > MAX_SECONDS:
        raise AudioError(
            f"{role} file {str(path)!r} holds {seconds / 3600:.1f} hours from the offset; "
            f"audiostyle reads at most {MAX_SECONDS / 3600:g} hours at once: take an excerpt "
            "with --offset and --duration (--style-offset, --style-duration for the style)."
        )


def resample(y: np.ndarray, orig: int, target: int) -> np.ndarray:
    """High-quality resampling (soxr)."""
    import soxr

    return soxr.resample(y, orig, target, quality="HQ").astype(np.float32, copy=False)


def check_output(path: str | Path, *, force: bool = False, what: str = "output") -> Path:
    """Check, before any work, that ``path`` can be written; return it as a Path.

    The extension must be a supported format, the directory must exist and accept
    a new file (tried for real, so read-only mounts and permissions are caught), and
    the file must not exist unless ``force``.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in WRITE_FORMATS:
        raise ParameterError(
            f"{what} {str(path)!r}: unsupported extension {ext or '(none)'!r}; use one of "
            f"{', '.join(WRITE_FORMATS)}."
        )
    check_writable(path, force=force, what=what)
    return path


def check_writable(path: str | Path, *, force: bool = False, what: str = "output") -> Path:
    """Check that ``path`` (any kind of file) can be created or replaced."""
    import tempfile

    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise AudioError(
            f"{what} directory {str(parent)!r} does not exist; create it first "
            f"(mkdir -p {parent}) or choose another path."
        )
    if path.is_dir():
        raise AudioError(f"{what} {str(path)!r} is a directory; give a file name.")
    if path.exists() and not force:
        raise OutputExistsError(
            f"{what} {str(path)!r} already exists; pass --force to overwrite it."
        )
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=parent)
    except OSError as exc:
        raise AudioError(
            f"{what} directory {str(parent)!r} is not writable ({exc.strerror or exc}); "
            "choose another directory or fix its permissions."
        ) from None
    os.close(fd)
    os.unlink(probe)
    return path


def save(path: str | Path, audio: np.ndarray, *, sample_rate: int, force: bool = False) -> Path:
    """Write mono audio atomically; the format follows the extension.

    Raises :class:`OutputExistsError` if ``path`` exists and ``force`` is false, and
    :class:`AudioError` (writing nothing) for NaN/Inf samples or a failed write.
    """
    path = check_output(path, force=force)
    audio = _checked_output(audio)
    with atomic_path(path) as tmp:
        write_to(tmp, audio, sample_rate=sample_rate, ext=path.suffix)
    return path


def _checked_output(audio: np.ndarray) -> np.ndarray:
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim != 1 or audio.size == 0:
        raise AudioError(f"refusing to write audio of shape {audio.shape}; expected (time,) > 0.")
    if not np.isfinite(audio).all():
        raise AudioError("refusing to write audio with NaN or Inf samples; nothing was written.")
    return audio


def write_to(tmp: str | Path, audio: np.ndarray, *, sample_rate: int, ext: str) -> None:
    """Write ``audio`` to ``tmp`` in the format of extension ``ext`` (no checks, not atomic).

    The building block of :func:`save` and of :class:`audiostyle.atomic.AtomicGroup`.
    """
    import soundfile as sf

    audio = _checked_output(audio)
    fmt = WRITE_FORMATS[ext.lower()]
    subtype = {"WAV": "PCM_16", "FLAC": "PCM_16", "OGG": "VORBIS"}[fmt]
    try:
        sf.write(str(tmp), audio, sample_rate, format=fmt, subtype=subtype)
    except sf.SoundFileRuntimeError as exc:
        # libsndfile's errors are not OSErrors; make it one (disk full, I/O error) so
        # the atomic writer names the target and says that nothing was written.
        raise _write_error(Path(tmp), exc) from exc


def _write_error(tmp: Path, exc: Exception) -> OSError:
    """The :class:`OSError` behind a failed libsndfile write, with its likely cause."""
    import errno
    import shutil

    detail = getattr(exc, "error_string", None) or str(exc)
    try:
        free = shutil.disk_usage(tmp.parent if str(tmp.parent) else ".").free
    except OSError:
        free = None
    if free is not None and free < FULL_DISK_BYTES:
        return OSError(
            errno.ENOSPC, f"No space left on device ({free} bytes free; libsndfile: {detail})"
        )
    return OSError(errno.EIO, f"libsndfile could not write the audio ({detail})")


def check_signal(
    y: np.ndarray, *, role: str, source: str | None, n_fft: int, sample_rate: int
) -> None:
    """Check a loaded clip against the recipe before the expensive work.

    Names the file (``source``) in the message; the engine repeats the checks for
    array inputs without a file name.
    """
    where = f"{role} file {source!r}" if source else role
    if not np.isfinite(y).all():
        bad = int((~np.isfinite(y)).sum())
        raise AudioError(f"{where} contains {bad} NaN or Inf samples; repair the audio.")
    if y.shape[0] < n_fft:
        raise AudioError(
            f"{where} has {y.shape[0]} samples ({y.shape[0] / sample_rate:.3f} s), shorter "
            f"than the analysis window (n_fft={n_fft}); use a longer clip or a smaller "
            "--transform-opt n_fft."
        )
    if role == "style" and float(np.abs(y).max()) < SILENCE_PEAK:
        raise AudioError(
            f"{where} is digital silence (peak below {SILENCE_PEAK:g}): there is no style to "
            "take; give a style clip with sound in it (or another --style-offset)."
        )
    peak = float(np.abs(y).max())
    if peak > MAX_PEAK:
        raise AudioError(
            f"{where} has samples up to {peak:.3g}, far outside [-1, 1]; normalise it "
            "(audio is expected as floats in [-1, 1])."
        )
