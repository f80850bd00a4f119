"""The pictures of a report page: spectrograms on a shared scale, loss curves (PNG).

Matplotlib (the ``plot`` extra) is imported when the first picture is drawn.
"""

from __future__ import annotations

from audiostyle.report.model import Output

SPECTROGRAM_SIZE = (6.0, 2.4)  # inches
LOSS_SIZE = (5.0, 2.4)
DPI = 80  # 480 x 192 px spectrograms: readable, ~50 kB each


def spectrogram(audio, sample_rate: int):
    from audiostyle.plotting import default_n_fft, spectrogram_db

    return spectrogram_db(audio, sample_rate, n_fft=default_n_fft(sample_rate))


def figure(size: tuple[float, float], *, left: float = 0.12, right: float):
    """A figure and its axes at a fixed place (the same plot area in every picture of a
    page, and no layout solver: that is the slow part of drawing many small figures)."""
    from audiostyle.plotting import new_figure

    fig = new_figure(figsize=size, dpi=DPI)
    fig.set_layout_engine("none")
    ax = fig.add_axes((left, 0.2, right - left, 0.74))
    return fig, ax


def spectrogram_png(
    audio, sample_rate: int, *, db, vmin: float, vmax: float, xmax: float, ymax: float
) -> bytes:
    from audiostyle.plotting import draw_spectrogram, figure_png

    fig, ax = figure(SPECTROGRAM_SIZE, right=0.83)
    image = draw_spectrogram(ax, audio, sample_rate, vmin=vmin, vmax=vmax, db=db)
    ax.set_xlim(0.0, xmax)
    ax.set_ylim(0.0, ymax)
    fig.colorbar(image, cax=fig.add_axes((0.85, 0.2, 0.025, 0.74)), label="dBFS")
    return figure_png(fig)


def loss_png(output: Output) -> bytes:
    from audiostyle.plotting import draw_losses, figure_png

    fig, ax = figure(LOSS_SIZE, left=0.16, right=0.97)
    draw_losses(ax, output.history, initial=output.initial_losses, title=None)
    return figure_png(fig)
