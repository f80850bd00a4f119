"""Long-term spectral envelope matching: colour the content toward the style's.

A Gram loss on a random network matches the *correlations* of feature channels; it
moves the long-term spectral balance of the content (bright / dark, the formant
region of a voice, the register of an instrument) only slowly and partly. This
module does that part in one step, before the optimisation: the content's
long-term mean level in dB (frames within ``active_db`` of the loudest, so pauses
do not count) in each of ``n_bands`` mel bands is compared with the style's, and
every bin of the content is multiplied by a gain that moves each band
a fraction ``strength`` of the way (in dB) to the style's level. The gain is smooth
across frequency (interpolated between band centres in dB), limited to
``max_db``, and scaled so the content keeps its energy. Pitch, timing and words
stay where they were: only the colour changes.

With ``classes=3`` (the recipe's ``envelope_classes``, default 3) the colour follows
loudness: each clip's frames are split softly into quiet, middle and loud thirds (by
its own loudness terciles), and the content's quiet frames take the colour of the
style's quiet frames, its loud frames that of the style's loud ones. Onsets, tails and
weak consonants have a different tilt from vowel nuclei and sustained notes; one
colour for all mixes the two voices' loudness distributions into the colour. Measured
on issue 14's speech pair (envelope 0.6, no steps): speaker similarity to the style
0.715 -> 0.728 (male to female) and 0.690 -> 0.709 (female to male); the voices suite's
LSD to the true target 15.77 -> 15.48 dB, lower on all 8 cases; with the classes'
memberships shuffled across frames the gain vanishes (0.7155 / 0.6889).

``strength="auto"`` (the ``default`` preset; :func:`auto_strength`) picks the
strength by what the two clips are: :data:`AUTO_SPEECH` when both are speech
(:mod:`audiostyle.speech`, a trained voice activity detector), :data:`AUTO_OTHER`
otherwise. A voice's identity sits largely in its long-term envelope (formant region,
brightness), so a voice is coloured most of the way; an instrument's MFCC timbre also
lives in how its spectrum moves with the notes, which a fixed colour cannot give, and
a strong colour takes it far from the content (issue 14's music case: Brahms coloured
toward a trumpet at 0.6 is 8.7 MFCC units from itself and 9.2 from the trumpet; at
0.32 it is 4.7 and 12.1).

>>> import torch
>>> n_bins = 257
>>> dark = torch.linspace(1.0, 0.01, n_bins)[:, None].repeat(1, 10)  # power per bin
>>> bright = torch.linspace(0.01, 1.0, n_bins)[:, None].repeat(1, 10)
>>> g = envelope_gain(dark, bright, sample_rate=8000, strength=1.0)
>>> g.shape  # a gain per bin and frame (one colour here: the same in every frame)
torch.Size([257, 10])
>>> bool(g[-1, 0] > 10 * g[0, 0])  # the top is lifted against the bottom
True
>>> float(((dark * g**2).sum() / dark.sum()).round(decimals=4))  # energy kept
1.0
"""

from __future__ import annotations

import functools

import torch

from audiostyle.dsp import ACTIVE_DB, active_frames  # noqa: F401 - ACTIVE_DB: old home
from audiostyle.errors import ParameterError
from audiostyle.mel import hz_to_mel

MAX_DB = 30.0  # no band moves more than this
FLOOR_DB = 80.0  # band levels are floored this far below the loudest
CLASS_WIDTH_DB = 2.0  # softness of the loudness-class boundaries
SHRINK_FRAMES = 10.0  # a class's envelope counts the whole clip's as this many frames
AUTO_SPEECH = 0.6  # strength="auto" when the content and the style are both speech
AUTO_OTHER = 0.32  # strength="auto" otherwise (music, instruments, textures, mixtures)
_TINY = 1e-20


def band_weights(
    n_bins: int, *, sample_rate: int, n_bands: int, device=None, dtype=torch.float64
) -> torch.Tensor:
    """Triangular mel bands over ``n_bins`` STFT bins: shape ``(n_bands, n_bins)``.

    Each bin's weights sum to 1 (a partition of unity), so band values can be
    interpolated back to bins. Bands are spaced evenly on the mel scale from 0 Hz to
    Nyquist; neighbouring centres are at least one bin apart (fewer bands at a tiny
    ``n_fft``).
    """
    if n_bands < 2:
        raise ParameterError(f"n_bands={n_bands} must be >= 2.")
    freqs = torch.linspace(0, sample_rate / 2, n_bins, device=device, dtype=dtype)
    mel = hz_to_mel(freqs, htk=True)  # HTK mels: the bands are spaced on these
    centres = torch.linspace(0, float(mel[-1]), min(n_bands, n_bins), device=device, dtype=dtype)
    spacing = centres[1] - centres[0]
    # Hat functions centred on each band, width one spacing on either side: they
    # sum to 1 at every bin between the first and the last centre.
    w = (1 - (mel[None, :] - centres[:, None]).abs() / spacing).clamp_min(0)
    return w / w.sum(0, keepdim=True).clamp_min(_TINY)


def band_db(power: torch.Tensor, w: torch.Tensor, *, floor_db: float = FLOOR_DB) -> torch.Tensor:
    """Level in dB of each band in each frame, shape ``(n_bands, frames)``, floored
    ``floor_db`` below the loudest value (digital silence is not minus infinity)."""
    db = 10 * torch.log10((w @ power).clamp_min(_TINY))
    return db.clamp_min(db.max() - floor_db)


def loudness_classes(
    power: torch.Tensor, active: torch.Tensor, *, n_classes: int, width_db: float = CLASS_WIDTH_DB
) -> torch.Tensor:
    """Soft membership of every frame in ``n_classes`` loudness classes: ``(K, frames)``.

    The class boundaries are the clip's own loudness quantiles over its active frames
    (terciles for 3 classes), softened by a sigmoid ``width_db`` wide; each frame's
    memberships sum to 1. One class: every frame in it.
    """
    n = power.shape[1]
    if n_classes == 1:
        return torch.ones(1, n, dtype=power.dtype, device=power.device)
    loud = 10 * torch.log10(power.sum(0).clamp_min(_TINY))
    q = torch.arange(1, n_classes, dtype=loud.dtype, device=loud.device) / n_classes
    edges = torch.quantile(loud[active], q)
    above = torch.sigmoid((loud[None, :] - edges[:, None]) / width_db)  # (K-1, frames)
    ones = torch.ones(1, n, dtype=loud.dtype, device=loud.device)
    zeros = torch.zeros(1, n, dtype=loud.dtype, device=loud.device)
    return (torch.cat([ones, above]) - torch.cat([above, zeros])).clamp_min(0)


def envelope_gain(
    content_power: torch.Tensor,
    style_power: torch.Tensor,
    *,
    sample_rate: int,
    strength: float,
    n_bands: int = 40,
    max_db: float = MAX_DB,
    classes: int = 1,
    width_db: float = CLASS_WIDTH_DB,
    shrink_frames: float = SHRINK_FRAMES,
) -> torch.Tensor:
    """Per-bin, per-frame amplitude gain moving the content's envelope toward the style's.

    Parameters
    ----------
    content_power, style_power : Tensor [shape=(n_bins, frames)]
        Power spectrograms (|STFT|²) of the same STFT settings; frame counts may differ.
    sample_rate : int
    strength : float
        0 = no change, 1 = each band at the style's level (relative to the clip's
        total), 0.5 = halfway in dB.
    n_bands : int
        Mel bands the envelopes are pooled in (fewer = smoother).
    max_db : float
        Largest boost or cut of any band.
    classes : int
        Loudness classes (:func:`loudness_classes`). 1: one colour for the whole clip.
        K > 1: the content's quiet frames take the colour of the style's quiet frames,
        its loud frames that of the style's loud ones (each class's envelope is a shape:
        its mean over bands is removed, so the classes' levels are not transferred); a
        frame between two classes gets the mix of their colours.
    width_db : float
        Softness of the class boundaries.
    shrink_frames : float
        Each class's envelope is pulled toward the whole clip's as if it had this many
        more frames of it (a class of few frames is not trusted alone).

    Returns
    -------
    Tensor [shape=(n_bins, content frames)]: multiply the content's complex STFT by it.
    The content's total energy over its active frames is kept.
    """
    if not 0 <= strength <= 1:
        raise ParameterError(f"envelope strength {strength} must be in [0, 1].")
    if classes < 1:
        raise ParameterError(f"envelope classes={classes} must be >= 1; e.g. 3.")
    if content_power.shape[0] != style_power.shape[0]:
        raise ParameterError(
            f"content has {content_power.shape[0]} bins and style {style_power.shape[0]}: "
            "the envelopes need the same STFT settings."
        )
    cp = content_power.double()
    w = band_weights(cp.shape[0], sample_rate=sample_rate, n_bands=n_bands, device=cp.device)
    opts = dict(classes=classes, width_db=width_db, shrink_frames=shrink_frames)
    style_env, _, _ = class_envelopes(style_power.double(), w, **opts)
    content_env, members, active = class_envelopes(cp, w, **opts)
    d = style_env - content_env  # (n_bands, classes)
    d = d - d.mean(0, keepdim=True)  # shapes only: the overall level is the content's
    d = (strength * d).clamp(-max_db, max_db)
    gain = 10 ** ((w.T @ (d @ members)) / 20)  # dB interpolated between band centres
    on = cp[:, active]
    keep = (on.sum() / (on * gain[:, active] ** 2).sum().clamp_min(_TINY)).sqrt()
    return (gain * keep).to(content_power.dtype)


def class_envelopes(
    power: torch.Tensor,
    w: torch.Tensor,
    *,
    classes: int,
    width_db: float = CLASS_WIDTH_DB,
    shrink_frames: float = SHRINK_FRAMES,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Each loudness class's mean band level in dB over the active frames.

    A log mean, as MFCCs and the log-spectral distance see a spectrum: the mean power
    would follow the loudest frames only and, matched, moves the MFCC means away from
    the style's. Each class's mean is pulled toward the whole clip's as if it had
    ``shrink_frames`` more frames of it.

    Returns
    -------
    (envelopes [shape=(n_bands, classes)], memberships [shape=(classes, frames)],
    active frames [shape=(frames,)])
    """
    active = active_frames(power)
    db = band_db(power[:, active], w)
    members = loudness_classes(power, active, n_classes=classes, width_db=width_db)
    weight = members[:, active]
    whole = db.mean(1, keepdim=True)
    envelopes = (db @ weight.T + shrink_frames * whole) / (weight.sum(1) + shrink_frames)
    return envelopes, members, active


def auto_rule() -> dict[str, object]:
    """What ``envelope="auto"`` decides by: its strengths, the detector's threshold and
    reach, and the detector's package version (a resumable batch keys its rows by it)."""
    from audiostyle import speech

    return {
        "speech": AUTO_SPEECH,
        "other": AUTO_OTHER,
        "threshold": speech.THRESHOLD,
        "max_seconds": speech.MAX_SECONDS,
        "silero-vad": _detector_version(),
    }


@functools.lru_cache(maxsize=1)
def _detector_version() -> str | None:
    """silero-vad's version, looked up once per process (a batch asks once per row)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("silero-vad")
    except PackageNotFoundError:
        return None


def auto_strength(content, style, *, sample_rate: int) -> tuple[float, str]:
    """The strength ``envelope="auto"`` uses for this pair, and a note saying why.

    :data:`AUTO_SPEECH` if both clips are speech by :func:`audiostyle.speech.is_speech`
    (their first 30 s), else :data:`AUTO_OTHER`.

    Parameters
    ----------
    content, style : ndarray [shape=(n,)]
        Mono audio at ``sample_rate``.
    sample_rate : int

    Returns
    -------
    (float, str): the strength and a one-line note for the run's report.
    """
    from audiostyle.speech import is_speech, speech_probability

    p = {
        role: speech_probability(y, sample_rate=sample_rate)
        for role, y in (("content", content), ("style", style))
    }
    both = all(is_speech(v) for v in p.values())
    strength = AUTO_SPEECH if both else AUTO_OTHER
    kind = "both speech" if both else "not both speech"
    return strength, (
        f"envelope auto: speech probability content {p['content']:.2f}, style "
        f"{p['style']:.2f} ({kind}) -> strength {strength}"
    )
