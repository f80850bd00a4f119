"""Pictures and sounds of a result: spectrograms, loss curves, embeddable audio.

Reusable pieces for notebooks and HTML reports:

- :func:`spectrogram_db`: a magnitude spectrogram in dB (numpy only);
- :func:`db_limits`: one colour scale shared by several spectrograms;
- :func:`spectrogram_png`: one spectrogram as PNG bytes (axes in seconds and Hz);
- :func:`encode_audio`, :func:`audio_data_uri`, :func:`audio_html`: audio as
  Ogg Vorbis / FLAC / WAV bytes, a ``data:`` URI and an ``<audio>`` player;
- :func:`plot_result`: content / style / output spectrograms on one colour scale
  and the loss curves, as a matplotlib Figure (saved as PNG when given a path).

Figures are built with the object-oriented API on an Agg canvas (no pyplot), so
saving works without a display and a notebook shows the returned Figure once.
matplotlib is imported only when a figure is drawn (``pip install
'audiostyle[plot]'``).

>>> import numpy as np
>>> sr = 8000
>>> tone = (0.5 * np.sin(2 * np.pi * 1000 * np.arange(sr) / sr)).astype(np.float32)
>>> db, freqs, times = spectrogram_db(tone, sample_rate=sr, n_fft=256)
>>> db.shape, float(freqs[db.mean(axis=1).argmax()])
((129, 126), 1000.0)
>>> png = spectrogram_png(tone, sr, vmin=-80.0, vmax=0.0, n_fft=256)
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
>>> len(decode_audio(encode_audio(tone, sr, format="flac"))[0])
8000
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from audiostyle.errors import DependencyError, ParameterError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DEFAULT_DYNAMIC_RANGE = 80.0  # dB shown below the loudest bin
DEFAULT_WINDOW_SECONDS = 0.046  # ~46 ms analysis window for pictures
AUDIO_FORMATS = {
    # name: (soundfile format, subtype, MIME type)
    "ogg": ("OGG", "VORBIS", "audio/ogg"),
    "flac": ("FLAC", "PCM_16", "audio/flac"),
    "wav": ("WAV", "PCM_16", "audio/wav"),
}


# -- spectrograms (numpy only) -------------------------------------------------------------
def default_n_fft(sample_rate: int) -> int:
    """The power of two closest to a ~46 ms window (1024 at 22050 Hz, 512 at 8000 Hz).

    >>> default_n_fft(22050), default_n_fft(8000)
    (1024, 512)
    """
    return int(2 ** round(math.log2(max(sample_rate * DEFAULT_WINDOW_SECONDS, 16))))


def _mono(audio: Any, *, name: str = "audio") -> np.ndarray:
    if hasattr(audio, "detach"):  # torch tensor, without importing torch
        audio = audio.detach().cpu().numpy()
    y = np.asarray(audio, dtype=np.float32)
    if y.ndim == 2 and min(y.shape) <= 8:  # (channels, time) or (time, channels)
        y = y.mean(axis=0 if y.shape[0] < y.shape[1] else 1)
    if y.ndim != 1:
        raise ParameterError(f"{name} must be mono, shape (time,); got shape {y.shape}.")
    if not np.isfinite(y).all():
        raise ParameterError(f"{name} contains NaN or Inf samples; they cannot be shown.")
    return y


def spectrogram_db(
    audio: Any,
    sample_rate: int,
    *,
    n_fft: int | None = None,
    hop_length: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Magnitude spectrogram in dB (Hann window, centred, zero padding).

    Parameters
    ----------
    audio : ndarray or Tensor [shape=(time,)]
    sample_rate : int
        In Hz.
    n_fft : int, optional
        Window length in samples (default: :func:`default_n_fft`).
    hop_length : int, optional
        Default ``n_fft // 4``.

    Returns
    -------
    db : ndarray [shape=(n_fft // 2 + 1, frames)]
        Level in dBFS: ``20 log10 |X|``, scaled so that a full-scale sine reads
        0 dB (floored at -200 dB).
    freqs : ndarray [shape=(n_fft // 2 + 1,)]
        Bin centre frequencies in Hz.
    times : ndarray [shape=(frames,)]
        Frame centre times in seconds.
    """
    if sample_rate is None or sample_rate <= 0:
        raise ParameterError(f"sample_rate={sample_rate} must be a positive rate in Hz.")
    y = _mono(audio)
    n_fft = n_fft or default_n_fft(sample_rate)
    hop = hop_length or max(n_fft // 4, 1)
    if n_fft < 2 or hop < 1:
        raise ParameterError(f"n_fft={n_fft} must be >= 2 and hop_length={hop} >= 1.")
    padded = np.pad(y, (n_fft // 2, n_fft // 2))
    if padded.shape[0] < n_fft:
        padded = np.pad(padded, (0, n_fft - padded.shape[0]))
    frames = 1 + (padded.shape[0] - n_fft) // hop
    index = np.arange(n_fft)[None, :] + hop * np.arange(frames)[:, None]
    window = np.hanning(n_fft + 1)[:-1].astype(np.float32)  # periodic Hann
    # Scaled so a full-scale sine at a bin centre reads 0 dBFS.
    spec = np.abs(np.fft.rfft(padded[index] * window, axis=1)).T * (2.0 / window.sum())
    db = 20.0 * np.log10(np.maximum(spec, 1e-10))
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    times = np.arange(frames) * hop / sample_rate
    return db.astype(np.float32), freqs, times


def db_limits(
    spectrograms: Sequence[np.ndarray], *, dynamic_range: float = DEFAULT_DYNAMIC_RANGE
) -> tuple[float, float]:
    """One colour scale for several dB spectrograms: (loudest - range, loudest).

    >>> db_limits([np.array([[-10.0, -50.0]]), np.array([[-3.0]])], dynamic_range=60)
    (-63.0, -3.0)
    """
    if dynamic_range <= 0:
        raise ParameterError(f"dynamic_range={dynamic_range} must be > 0 dB; try 80.")
    peaks = [float(np.max(s)) for s in spectrograms if s is not None and np.size(s)]
    if not peaks:
        raise ParameterError("no spectrogram to take a colour scale from.")
    vmax = max(peaks)
    return vmax - dynamic_range, vmax


def _matplotlib():
    try:
        import matplotlib  # noqa: F401
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise DependencyError(
            "plotting needs matplotlib: pip install 'audiostyle[plot]'."
        ) from None
    return Figure, FigureCanvasAgg


def new_figure(*, figsize: tuple[float, float], dpi: int = 100) -> Figure:
    """A matplotlib Figure on an Agg canvas (no pyplot, no display needed)."""
    figure_cls, canvas_cls = _matplotlib()
    fig = figure_cls(figsize=figsize, dpi=dpi, layout="constrained")
    canvas_cls(fig)
    return fig


def draw_spectrogram(
    ax: Axes,
    audio: Any,
    sample_rate: int,
    *,
    vmin: float | None = None,
    vmax: float | None = None,
    n_fft: int | None = None,
    title: str | None = None,
    db: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
):
    """Draw a dB spectrogram on ``ax``: time in seconds, frequency in Hz.

    ``db`` is a precomputed :func:`spectrogram_db` triple (else it is computed).
    Returns the image (for a colour bar).
    """
    spec, freqs, times = db if db is not None else spectrogram_db(audio, sample_rate, n_fft=n_fft)
    if vmax is None:
        vmax = float(spec.max())
    if vmin is None:
        vmin = vmax - DEFAULT_DYNAMIC_RANGE
    duration = len(_mono(audio)) / sample_rate if audio is not None else float(times[-1])
    image = ax.imshow(
        spec,
        origin="lower",
        aspect="auto",
        interpolation="antialiased",
        extent=(0.0, max(duration, 1e-9), 0.0, float(freqs[-1])),
        vmin=vmin,
        vmax=vmax,
        cmap="magma",
    )
    ax.set_xlabel("time (s)")
    ax.set_ylabel("frequency (Hz)")
    if title:
        ax.set_title(title)
    return image


def figure_png(fig: Figure, *, dpi: int | None = None) -> bytes:
    """A figure rendered as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def spectrogram_png(
    audio: Any,
    sample_rate: int,
    *,
    vmin: float | None = None,
    vmax: float | None = None,
    n_fft: int | None = None,
    title: str | None = None,
    figsize: tuple[float, float] = (6.0, 2.5),
    dpi: int = 100,
    colorbar: bool = True,
) -> bytes:
    """One spectrogram as PNG bytes (axes in seconds and Hz, colour bar in dBFS).

    Give the same ``vmin`` / ``vmax`` (see :func:`db_limits`) to several calls to
    compare pictures on one colour scale; by default the scale runs 80 dB down from
    this clip's loudest bin.
    """
    fig = new_figure(figsize=figsize, dpi=dpi)
    ax = fig.add_subplot()
    image = draw_spectrogram(ax, audio, sample_rate, vmin=vmin, vmax=vmax, n_fft=n_fft, title=title)
    if colorbar:
        fig.colorbar(image, ax=ax, label="dBFS")
    return figure_png(fig)


# -- loss curves --------------------------------------------------------------------------
def draw_losses(
    ax: Axes,
    history: Sequence[dict[str, float]],
    *,
    initial: dict[str, float] | None = None,
    title: str | None = "losses",
) -> None:
    """Loss curves on ``ax``: the total and every term against the step.

    ``initial`` (the losses before the first step) is drawn at step 0. A log scale
    is used when every value is positive.
    """
    initial = dict(initial or {})
    if "total" in initial:
        initial["loss"] = initial.pop("total")
    skip = {"step", "evaluations"}
    names: list[str] = []
    for row in [initial, *history]:
        names += [k for k in row if k not in skip and k not in names]
    names.sort(key=lambda k: (k != "loss", k))
    values = []
    for name in names:
        steps = [0] if name in initial else []
        ys = [initial[name]] if name in initial else []
        for row in history:
            if name in row:
                steps.append(int(row["step"]))
                ys.append(float(row[name]))
        if not ys:
            continue
        values += ys
        ax.plot(
            steps,
            ys,
            label="total" if name == "loss" else name,
            linewidth=2.0 if name == "loss" else 1.2,
            marker="o" if len(ys) < 12 else None,
            markersize=3,
        )
    if not values:
        ax.text(0.5, 0.5, "no optimisation steps", ha="center", va="center")
        ax.set_axis_off()
        return
    positive = [v for v in values if math.isfinite(v) and v > 0]
    if positive and max(positive) > 20 * min(positive):  # spans decades: log scale
        ax.set_yscale("log", nonpositive="mask")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    if title:
        ax.set_title(title)


# -- a whole result -----------------------------------------------------------------------
def plot_result(
    result: Any,
    path: str | Path | None = None,
    *,
    n_fft: int | None = None,
    dynamic_range: float = DEFAULT_DYNAMIC_RANGE,
    figsize: tuple[float, float] | None = None,
    dpi: int = 100,
    force: bool = True,
) -> Figure:
    """Spectrograms of content / style / output on one colour scale, and the losses.

    Parameters
    ----------
    result : Result
        From :func:`audiostyle.transfer` or :func:`audiostyle.texture` (anything with
        ``audio``, ``sample_rate``, ``content``, ``style``, ``history`` and
        ``initial_losses``).
    path : str or Path, optional
        Save the figure there as PNG (atomically).
    n_fft : int, optional
        Analysis window of the pictures (default ~46 ms).
    dynamic_range : float
        dB shown below the loudest bin of the three clips.
    figsize, dpi
        Figure size in inches and resolution.
    force : bool
        Overwrite ``path`` if it exists (default); ``False`` refuses.

    Returns
    -------
    matplotlib.figure.Figure
    """
    sr = result.sample_rate
    clips = [
        (name, audio)
        for name, audio in (
            ("content", getattr(result, "content", None)),
            ("style", getattr(result, "style", None)),
            ("output", result.audio),
        )
        if audio is not None and len(audio)
    ]
    specs = {name: spectrogram_db(audio, sr, n_fft=n_fft) for name, audio in clips}
    vmin, vmax = db_limits(list(s[0] for s in specs.values()), dynamic_range=dynamic_range)
    n_panels = len(clips) + 1
    rows = math.ceil(n_panels / 2)
    fig = new_figure(figsize=figsize or (11.0, 3.2 * rows), dpi=dpi)
    grid = fig.add_gridspec(rows, 2)
    image = None
    axes = []
    for i, (name, audio) in enumerate(clips):
        share = axes[0] if axes else None
        ax = fig.add_subplot(grid[i // 2, i % 2], sharey=share)
        image = draw_spectrogram(ax, audio, sr, vmin=vmin, vmax=vmax, title=name, db=specs[name])
        axes.append(ax)
    k = len(clips)
    loss_ax = fig.add_subplot(grid[k // 2, k % 2] if k % 2 else grid[k // 2, :])
    draw_losses(loss_ax, result.history, initial=getattr(result, "initial_losses", None))
    if image is not None:
        fig.colorbar(image, ax=axes, label="dBFS", shrink=0.9)
    if path is not None:
        save_figure(fig, path, force=force, dpi=dpi)
    return fig


def save_figure(fig: Figure, path: str | Path, *, force: bool = True, dpi: int | None = None):
    """Write ``fig`` as PNG atomically; return the path."""
    from audiostyle.atomic import atomic_write_bytes
    from audiostyle.errors import AudioError, OutputExistsError

    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ParameterError(f"figure {str(path)!r}: give a .png file name.")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise AudioError(f"directory {str(parent)!r} of {str(path)!r} does not exist.")
    if path.exists() and not force:
        raise OutputExistsError(f"{str(path)!r} already exists; pass force=True to overwrite it.")
    atomic_write_bytes(path, figure_png(fig, dpi=dpi))
    return path


# -- audio for HTML -----------------------------------------------------------------------
def encode_audio(audio: Any, sample_rate: int, *, format: str = "ogg") -> bytes:  # noqa: A002
    """Mono audio as file bytes: ``ogg`` (Vorbis, smallest), ``flac`` or ``wav`` (16 bit).

    Samples are clipped to [-1, 1]. Vorbis is about 6x smaller than FLAC for speech;
    use ``flac`` for browsers without Ogg Vorbis (older Safari).
    """
    import soundfile as sf

    if format not in AUDIO_FORMATS:
        raise ParameterError(f"format={format!r} is not one of {', '.join(AUDIO_FORMATS)}.")
    if sample_rate is None or sample_rate <= 0:
        raise ParameterError(f"sample_rate={sample_rate} must be a positive rate in Hz.")
    y = np.clip(_mono(audio), -1.0, 1.0)
    if y.size == 0:
        raise ParameterError("audio has no samples; nothing to encode.")
    fmt, subtype, _ = AUDIO_FORMATS[format]
    buf = io.BytesIO()
    sf.write(buf, y, int(sample_rate), format=fmt, subtype=subtype)
    return buf.getvalue()


def decode_audio(data: bytes) -> tuple[np.ndarray, int]:
    """Bytes from :func:`encode_audio` (or a ``data:`` URI) back to (samples, rate)."""
    import soundfile as sf

    if isinstance(data, str) and data.startswith("data:"):
        data = base64.b64decode(data.partition(",")[2])
    y, rate = sf.read(io.BytesIO(data), dtype="float32")
    return y, int(rate)


def audio_data_uri(audio: Any, sample_rate: int, *, format: str = "ogg") -> str:  # noqa: A002
    """``data:audio/...;base64,...`` of :func:`encode_audio`'s bytes."""
    data = encode_audio(audio, sample_rate, format=format)
    mime = AUDIO_FORMATS[format][2]
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def audio_html(
    audio: Any,
    sample_rate: int,
    *,
    format: str = "ogg",  # noqa: A002
    label: str | None = None,
) -> str:
    """An ``<audio controls>`` player with the clip embedded as a ``data:`` URI."""
    import html

    uri = audio_data_uri(audio, sample_rate, format=format)
    title = f' title="{html.escape(label)}"' if label else ""
    mime = AUDIO_FORMATS[format][2]
    return (
        f'<audio controls preload="metadata"{title}>'
        f'<source src="{uri}" type="{mime}">'
        "your browser cannot play embedded audio</audio>"
    )


def png_html(png: bytes, *, alt: str = "") -> str:
    """An ``<img>`` with PNG bytes embedded as a ``data:`` URI."""
    import html

    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'
