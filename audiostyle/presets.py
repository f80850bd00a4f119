"""Named presets: the published recipes and the project's own default.

Each preset is a function returning a fresh :class:`Recipe`, registered in
``PRESETS`` with a one-line description. Values follow ../DESIGN.md ("The published
recipes, exact values").
"""

from __future__ import annotations

# The registry (Preset, PRESETS, preset, get_preset) lives in audiostyle.recipe.registry
# so that Recipe.load can resolve a file's preset without importing this module; it is
# re-exported here, its public home.
from audiostyle.recipe import (
    PRESETS,
    LossChoice,
    Preset,
    Recipe,
    StageChoice,
    get_preset,
    preset,
)

__all__ = ["PRESETS", "Preset", "get_preset", "preset"]


@preset(
    "default",
    "audiostyle's own recipe: a speech detector routes two voices to 'voice' (the "
    "style's pitch and per-frame vocal tract) and anything else to 'instrument' (the "
    "style's spectrum at each note's pitch and loudness); a texture runs 'colour'",
)
def _default() -> Recipe:
    # Decided once per run, before any work (audiostyle.run): the preset the route
    # leads to runs with the user's overrides over it. Issue 23 (voices) and 20
    # (instruments) measured each on material not used to tune it; a texture has no
    # content to detect, so it runs this recipe's own (colour's) settings.
    r = _colour()
    r.route = {"speech": "voice", "other": "instrument"}
    return r


@preset(
    "colour",
    "issue 14's default: the content coloured toward the style's spectral envelope "
    "(0.6 of the way for two voices, 0.32 otherwise), then 10 L-BFGS steps of Gram style "
    "loss from it, content phase; fast",
)
def _colour() -> Recipe:
    # Tuned for 10 s at 22.05 kHz on two CPU cores (issue 14; benchmarks/presets.py
    # compares it with the published presets and each lever with its alternative):
    # n_fft 1024 with hop 512 (overlap 2) and 512 filters of width 11 cost ~6 GFLOP per evaluation
    # (a quarter of 1024 filters at hop 256, for the same speaker similarity and MFCC
    # timbre on the speech cases); the loss is divided by its starting value
    # (loss_norm="initial"), otherwise its ~1e-3 scale stalls L-BFGS's curvature test
    # and extra steps burn evaluations for nothing; 40 steps (~50 evaluations) reach
    # what 60 did; the minimal L-BFGS skips torch.optim's torch._dynamo import; the
    # content start and the content's own phase keep timing, words and pitch.
    # envelope=0.6 (issue 14, measured on the voice, music and suite cases): colouring
    # the content toward the style's long-term envelope moves speaker similarity, MFCC
    # timbre and the log-spectral distance to the true target further than 40 steps of
    # Gram loss did (which moved them away); 10 steps at content weight 1 on top add a
    # little (suite LSD 9.21 -> 9.14 dB timbre, 15.77 -> 15.65 voices) for ~1 s.
    # envelope="auto": 0.6 for two voices, 0.32 otherwise (a speech detector decides;
    # audiostyle.envelope.auto_strength): at 0.6 the music case (Brahms -> trumpet) lands
    # 8.4 MFCC units from its content, twice as far as the published presets allow.
    return Recipe(
        transform=StageChoice("torch", {"n_fft": 1024, "overlap": 2}),
        network=StageChoice(
            "random-cnn",
            {"n_filters": 512, "kernel_size": 11, "padding": "same", "init": "kaiming"},
        ),
        optimizer=StageChoice("lbfgs"),  # implementation="minimal" (its default)
        phase=StageChoice("griffin-lim", {"n_iter": 0, "init": "content"}),
        losses={
            "content": LossChoice(1.0, {"reduction": "mean"}),
            "style": LossChoice(1.0, {"normalize": "frames", "reduction": "mean", "form": "auto"}),
        },
        init="auto",
        loss_norm="initial",
        steps=10,
        envelope="auto",
    )


@preset(
    "voice",
    "one speaker into another (issue 23): WORLD analysis with an octave check, the style's "
    "log-F0 median and spread, its long-term colour per loudness class, its cepstral mean "
    "and spread, then each frame's envelope from its nearest style frames in "
    "speaker-normalised cepstra (smoothed over 3 frames); no optimisation; fast",
)
def _voice() -> Recipe:
    # Chosen on the librispeech suite's tune half (readers 1688, 1998, 2033) and reported
    # on both halves (benchmarks/librispeech.py; README, Voice conversion). Each part is a
    # stage with its options: the bench's ablation rows take one out at a time.
    r = _colour()
    r.steps = 0
    r.envelope = 0.0
    r.analysis = StageChoice("world")  # octave_check="track": dio's octave slips undone
    # colour before cepstral (stop 26, tune half: similarity 0.714 -> 0.727 with it,
    # DNSMOS 2.93 -> 2.91; WER 0.59 -> 0.67, the price of a stronger change).
    r.conditioners = [StageChoice("f0"), StageChoice("colour"), StageChoice("cepstral")]
    # A style too short to retrieve from keeps the content's frames, with a note (the
    # matcher's own default is an error).
    # blend 0.5, k 16: half of the retrieved envelope, 16 neighbours (tune half: k 4 or 16
    # within 0.01 of similarity, 16 cleaner; blend 1 takes all and costs the words).
    # smooth 3 (of 1, 3, 5 on the tune half): DNSMOS 2.91 -> 2.98 for 0.006 of similarity;
    # 5 costs more similarity and gives no more.
    r.matcher = StageChoice("knn", {"k": 16, "blend": 0.5, "smooth": 3, "too_short": "keep"})
    return r


@preset(
    "instrument",
    "instrument timbre (issue 20): each content frame takes the style's spectrum at the "
    "nearest pitch, loudness and age in its note (pitch by WORLD harvest; k=8 neighbours, "
    "their harmonics shifted onto the content's), content phase kept; no optimisation "
    "steps; fast",
)
def _instrument() -> Recipe:
    # benchmarks/instrument.py measures it (timbre suite halves, real music pairs,
    # ablations, timing against ulyanov2016 in the same run). The optimisation stages
    # are the default's, at 0 steps: the converted wave is written as it is.
    r = _colour()
    r.envelope = 0.0
    r.steps = 0
    # n_fft 2048 (93 ms): harmonics resolved down to E2 for the shift onto the content's.
    # harvest (not dio): on the tuning half LSD 8.69 -> 8.48 dB and pitch agreement
    # 0.928 -> 0.945 (MFCC to the style 4.80 -> 5.06); dio slips by octaves on plucked
    # and struck notes (banjo, piano). It runs the two halves of a clip in two threads.
    r.analysis = StageChoice("pitched-stft", {"n_fft": 2048, "f0_method": "harvest"})
    r.matcher = StageChoice("timbre")
    return r


# Every published recipe analyses the audio as librosa's stft of its time did: Hann
# window, centred frames padded by reflection (librosa's default until 0.10),
# hop = n_fft // 4 (hop_length None derives it), at librosa.load's 22.05 kHz.
PUBLISHED_RATE = 22_050  # Hz


def _librosa_stft(n_fft: int) -> StageChoice:
    return StageChoice(
        "torch", {"n_fft": n_fft, "window": "hann", "center": True, "pad_mode": "reflect"}
    )


def _random_phase_gl(n_iter: int) -> StageChoice:
    """Classic Griffin-Lim from uniform random phase, no momentum."""
    return StageChoice("griffin-lim", {"n_iter": n_iter, "init": "random", "momentum": 0.0})


CLAMP_NOTE = (
    "clamps the log-magnitude to [0, 1] every step: every bin louder than |X| = e - 1 is "
    "cut to that level (few bins, but ~95% of the energy of speech or music), so the loud "
    "harmonics are flattened to the quiet ones' level: thin, buzzy, 12-15 dB quieter"
)


@preset(
    "ulyanov2016",
    "Ulyanov & Lebedev 2016: n_fft 2048, 1 layer of 4096 filters of width 11, content "
    "weight 1e-2, L-BFGS 300 from noise, Griffin-Lim 500 from random phase",
)
def _ulyanov2016() -> Recipe:
    # alpha * sum (F - Fc)^2 + sum (G - Gs)^2 with G = F^T F / frames.
    return Recipe(
        transform=_librosa_stft(2048),
        network=StageChoice(
            "random-cnn",
            {
                "n_filters": 4096,
                "kernel_size": 11,
                "padding": "none",
                "init": "ulyanov",
                "bias": False,
                "activation": "relu",
            },
        ),
        optimizer=StageChoice("lbfgs", {"history_size": 10, "line_search": "strong_wolfe"}),
        phase=_random_phase_gl(500),
        losses={
            "content": LossChoice(1e-2, {"reduction": "sum", "scale": 1.0}),
            "style": LossChoice(1.0, {"normalize": "frames", "reduction": "sum", "scale": 1.0}),
        },
        init="noise",
        noise_scale=1e-3,
        steps=300,
        sample_rate=PUBLISHED_RATE,
    )


@preset(
    "seed2020",
    "the 2020 seed blog: Conv1d k3 -> ReLU -> Conv1d k3 (4096), Adam lr 1e-4 for 20000 "
    "steps from the content, weights 1000 (style) and 2 (content) applied twice, "
    f"Griffin-Lim 500 from random phase; {CLAMP_NOTE}",
)
def _seed2020() -> Recipe:
    # 1000 * MSE(1000 G, 1000 Gs) + 2 * MSE(2 F, 2 Fc), G = F F^T / (a b c).
    return Recipe(
        transform=_librosa_stft(2048),
        network=StageChoice(
            "seed-cnn",
            {
                "n_filters": 4096,
                "kernel_size": 3,
                "padding": "same",
                "activation": "relu",
                "init": "default",
                "bias": True,
                "conv2_input": "hidden",
            },
        ),
        optimizer=StageChoice("adam", {"lr": 1e-4}),
        phase=_random_phase_gl(500),
        losses={
            "content": LossChoice(2.0, {"reduction": "mean", "scale": 2.0}),
            "style": LossChoice(
                1000.0, {"normalize": "elements", "reduction": "mean", "scale": 1000.0}
            ),
        },
        init="content",
        clamp=1.0,
        steps=20_000,
        sample_rate=PUBLISHED_RATE,
    )


@preset(
    "dipani2018",
    "Dipani 2018: style only, Conv1d k3 (4096, no activation), MSE(2500 G, 2500 Gs), "
    f"Adam lr 0.03 for 2500 steps from the content, Griffin-Lim 500; {CLAMP_NOTE}",
)
def _dipani2018() -> Recipe:
    # Style only: MSE(2500 G, 2500 Gs), G = F F^T / (a b c); no content term.
    return Recipe(
        transform=_librosa_stft(2048),
        network=StageChoice(
            "random-cnn",
            {
                "n_filters": 4096,
                "kernel_size": 3,
                "padding": "same",
                "activation": "none",
                "init": "default",
                "bias": True,
            },
        ),
        optimizer=StageChoice("adam", {"lr": 0.03}),
        phase=_random_phase_gl(500),
        losses={
            "style": LossChoice(
                1.0, {"normalize": "elements", "reduction": "mean", "scale": 2500.0}
            ),
        },
        init="content",
        clamp=1.0,
        steps=2500,
        sample_rate=PUBLISHED_RATE,
    )


@preset(
    "mazzzystar2018",
    "randomCNN voice transfer 2018: n_fft 512, Conv2d 3x1 (32 filters, N(0,1)), "
    "LeakyReLU 0.2, Gram over time, content weight 100, Adam lr 1e-3 for 20000 steps "
    "from noise, Griffin-Lim 50",
)
def _mazzzystar2018() -> Recipe:
    # 100 * sum (A - Ac)^2 / (4 C H W) + sum (G - Gs)^2 / (4 C^2 H W), G = A A^T with
    # A the (C * H, W) map: the Gram over time.
    return Recipe(
        transform=_librosa_stft(512),
        network=StageChoice(
            "random-cnn-2d",
            {
                "n_filters": 32,
                "kernel_freq": 3,
                "kernel_time": 1,
                "padding": "none",
                "activation": "leaky_relu",
                "init": "normal",
                "bias": True,
            },
        ),
        optimizer=StageChoice("adam", {"lr": 1e-3}),
        phase=_random_phase_gl(50),
        losses={
            "content": LossChoice(100.0, {"reduction": "sum", "divisor": "4chw"}),
            "style": LossChoice(1.0, {"normalize": "none", "reduction": "sum", "divisor": "4c2hw"}),
        },
        init="noise",
        noise_scale=1e-3,
        steps=20_000,
        sample_rate=PUBLISHED_RATE,
    )
