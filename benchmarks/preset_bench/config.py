"""Settings of the presets benchmark: the cases' audio, the presets, the keys."""

from __future__ import annotations

from pathlib import Path

SHARED_AUDIO = Path(__file__).resolve().parents[3] / "shared" / "audio"


PUBLISHED = ("ulyanov2016", "seed2020", "dipani2018", "mazzzystar2018")


RATE = 22_050  # Hz: every preset's processing rate


MALE = SHARED_AUDIO / "speech_male_3436.ogg"


FEMALE = SHARED_AUDIO / "speech_female_198.ogg"


TRUMPET = SHARED_AUDIO / "trumpet.ogg"


BRAHMS = SHARED_AUDIO / "brahms_hungarian_dance_5.ogg"


SCALING_CONTENT = BRAHMS  # 45 s: long enough for the 40 s point without looping


HEAVY_MODULES = ("torch", "torchaudio", "librosa", "numpy", "scipy")


SUITES = ("timbre", "voices")  # ground-truth groups: --suite-budget, LSD to the target


KEY_VERSION = 1  # bump when a result or score file changes meaning: old ones are not reused


SPEC_FIELDS = ("preset", "seed", "content", "style", "duration", "style_duration", "budget")


CASE_FIELDS = ("content", "style", "target", "text", "duration", "style_duration")


# The summary's columns: (metric key, short header).
SUMMARY_KEYS = (
    ("lsd.to_target", "LSD tgt"),
    ("mfcc-timbre.to_style", "MFCC sty"),
    ("mfcc-timbre.to_content", "MFCC cnt"),
    ("pitch", "pitch"),
    ("speaker-similarity.to_style", "spk sty"),
    ("speaker-similarity.to_target", "spk tgt"),
    ("wer.vs_content", "WER"),
    ("dnsmos.ovrl", "DNSMOS"),
)


# Default's lever variants (--levers): name -> overrides of api.transfer.
LEVERS: dict[str, dict] = {
    "default": {},
    "envelope: off (before it: 40 steps, content weight 0.1)": {
        "envelope": 0.0,
        "steps": 40,
        "content_weight": 0.1,
    },
    "envelope: 0.6 for every pair (not auto)": {"envelope": 0.6},
    "envelope: 0.32 for every pair (not auto)": {"envelope": 0.32},
    "envelope: 1.0 (the style's)": {"envelope": 1.0},
    "steps: 0 (envelope only)": {"steps": 0},
    "phase: fast-GL 32 from content phase": {
        "phase": "fast-griffin-lim",
        "phase_options": {"n_iter": 32, "init": "content", "momentum": 0.99},
    },
    "phase: GL 100 from random phase": {
        "phase_options": {"n_iter": 100, "init": "random", "momentum": 0.0},
    },
    "start: noise": {"init": "noise"},
    "gram: channels x channels": {"losses": {"style": {"form": "channels"}}},
    "optimizer: torch.optim.LBFGS": {"optimizer_options": {"implementation": "torch"}},
    "network: bfloat16": {"network_options": {"compute_dtype": "bfloat16"}},
    "network: 1024 filters": {"network_options": {"n_filters": 1024}},
    "transform: hop 256": {"transform_options": {"hop_length": 256}},
    "threads: 1": {"env": {"OMP_NUM_THREADS": "1"}},
}
