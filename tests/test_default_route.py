"""The default preset routes by what the clips are: voices to 'voice', the rest to 'instrument'."""

from __future__ import annotations

import numpy as np
import pytest

import audiostyle
from audiostyle.presets import get_preset
from tests.conftest import SHARED_AUDIO

SR = 16_000


def _clip(name: str, seconds: float = 2.0) -> np.ndarray:
    from audiostyle.audio import load

    return load(audiostyle.demo_clip(name), sample_rate=SR, offset=0.5, duration=seconds)


def test_default_is_a_route_over_the_colour_recipe():
    default, colour = get_preset("default"), get_preset("colour")
    assert default.route == {"speech": "voice", "other": "instrument"}
    default.route = {}
    default.preset, default.description = colour.preset, colour.description
    assert default == colour  # a texture (nothing to route) runs colour's settings


def test_two_voices_take_the_voice_preset_with_the_users_changes():
    r = audiostyle.transfer(_clip("content"), _clip("style"), sample_rate=SR, progress=False)
    assert r.recipe.preset == "voice" and r.recipe.sample_rate == SR  # the user's rate kept
    assert any(n.startswith("route:") and "speech" in n for n in r.notes)
    assert r.audio.shape == (2 * SR,) and np.isfinite(r.audio).all()


def test_music_takes_the_instrument_preset():
    from audiostyle.audio import load

    path = SHARED_AUDIO / "trumpet.ogg"
    other = SHARED_AUDIO / "vibe_ace.ogg"
    if not path.exists() or not other.exists():
        pytest.skip(f"shared audio not found at {SHARED_AUDIO}")
    content = load(path, sample_rate=SR, duration=3.0)
    style = load(other, sample_rate=SR, duration=3.0)
    r = audiostyle.transfer(content, style, sample_rate=SR, progress=False)
    assert r.recipe.preset == "instrument"
    assert any(n.startswith("route:") and "other" in n for n in r.notes)
    assert np.isfinite(r.audio).all() and np.abs(r.audio).max() > 0.01


def test_a_texture_takes_no_route(tiny):
    tiny.pop("preset")
    r = audiostyle.texture(
        _clip("style", 1.0), duration=0.5, progress=False, **{**tiny, "sample_rate": SR}
    )
    assert r.recipe.preset == "default" and r.recipe.analysis is None
    assert any("no route taken" in n for n in r.notes)


def test_warm_state_is_kept_per_routed_recipe():
    """One warm cache (a batch worker's) for a voice pair then a music pair: each run
    gives what a cold run gives (the stages and targets of one routed preset are never
    reused for another)."""
    from tests.conftest import sine

    voice = (_clip("content", 1.0), _clip("style", 1.0))
    tone = (sine(220.0, 1.0, SR), sine(330.0, 1.0, SR))
    kw = {"sample_rate": SR, "progress": False, "steps": 2}
    shared: dict = {}
    warm = [audiostyle.transfer(*pair, shared=shared, **kw) for pair in (voice, tone)]
    cold = [audiostyle.transfer(*pair, **kw) for pair in (voice, tone)]
    assert [w.recipe.preset for w in warm] == ["voice", "instrument"]
    for w, c in zip(warm, cold, strict=True):
        np.testing.assert_array_equal(w.audio, c.audio)


def test_a_route_keeps_explicit_choices_equal_to_the_routing_presets(tmp_path):
    """steps=10 is colour's (the default's) own value: still the user's choice."""
    import soundfile as sf
    from typer.testing import CliRunner

    from audiostyle.cli.app import build_app

    content, style = _clip("content", 1.0), _clip("style", 1.0)
    r = audiostyle.transfer(content, style, sample_rate=SR, steps=10, progress=False)
    assert r.recipe.preset == "voice" and r.recipe.steps == 10 and r.steps_done == 10
    sf.write(tmp_path / "c.wav", content, SR)
    sf.write(tmp_path / "s.wav", style, SR)
    args = ["transfer", str(tmp_path / "c.wav"), str(tmp_path / "s.wav"), "-o"]
    args += [str(tmp_path / "o.wav"), "--steps", "10", "--sample-rate", str(SR)]
    args += ["--save-recipe", str(tmp_path / "r.toml"), "--quiet"]
    out = CliRunner().invoke(build_app(), args)
    assert out.exit_code == 0, out.output
    from audiostyle.recipe import Recipe

    saved = Recipe.load(tmp_path / "r.toml")
    assert saved.preset == "voice" and saved.steps == 10


def test_conditioner_options_reach_the_routed_presets_conditioner():
    r = audiostyle.transfer(
        _clip("content", 1.0),
        _clip("style", 1.0),
        sample_rate=SR,
        progress=False,
        conditioner_options={"cepstral": {"variance": False}},
    )
    assert r.recipe.preset == "voice"
    assert (
        next(c for c in r.recipe.conditioners if c.name == "cepstral").options["variance"] is False
    )
    with pytest.raises(audiostyle.errors.ParameterError, match="conditioners are"):
        audiostyle.transfer(
            _clip("content", 1.0),
            _clip("style", 1.0),
            sample_rate=SR,
            progress=False,
            conditioner_options={"nope": {"k": 1}},
        )
