"""Clips shipped with the package for ``audiostyle demo`` and the tests.

Both are 5-second excerpts of LibriSpeech (CC-BY 4.0); attribution beside each clip.
"""

from pathlib import Path

HERE = Path(__file__).parent

DEMO_CLIPS = {
    "content": HERE / "content_speech_male.ogg",
    "style": HERE / "style_speech_female.ogg",
}
