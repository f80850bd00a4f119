"""Clips shipped with the package for ``audiostyle demo`` and the tests.

Both are 5-second excerpts of LibriSpeech (CC-BY 4.0); attribution beside each clip.
"""

from pathlib import Path

HERE = Path(__file__).parent

DEMO_CLIPS = {
    "content": HERE / "content_speech_male.ogg",
    "style": HERE / "style_speech_female.ogg",
}


def demo_clip(which: str) -> Path:
    """Path of a clip shipped with the package: ``"content"`` or ``"style"``.

    >>> demo_clip("content").suffix
    '.ogg'
    """
    from audiostyle.errors import ParameterError

    if which not in DEMO_CLIPS:
        raise ParameterError(f"demo clip {which!r} is not one of {', '.join(DEMO_CLIPS)}.")
    return DEMO_CLIPS[which]
