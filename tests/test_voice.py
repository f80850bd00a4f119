"""Voice conversion backends (issue 23) on the bundled speech: F0, cepstra, retrieval."""

from __future__ import annotations

import numpy as np
import pytest

from audiostyle.contracts.conversion import ConversionContext
from audiostyle.errors import DependencyError, ParameterError

RATE = 16_000


def _median_semitones(f0: np.ndarray) -> float:
    return float(12 * np.log2(np.median(f0[f0 > 0])))


@pytest.fixture(scope="module")
def clips():
    from audiostyle.api import demo_clip
    from audiostyle.audio import load

    return (
        load(demo_clip("content"), sample_rate=RATE),  # a man, 5 s
        load(demo_clip("style"), sample_rate=RATE),  # a woman, 5 s
    )


@pytest.fixture(scope="module")
def analyses(clips):
    from audiostyle.plugins import create

    world = create("analysis", "world", {}, sample_rate=RATE)
    return world, world.analyze(clips[0]), world.analyze(clips[1])


def test_voice_preset_moves_the_pitch_to_the_style(clips, analyses):
    import audiostyle
    from audiostyle.plugins import create

    _, c, s = analyses
    result = audiostyle.transfer(*clips, preset="voice", sample_rate=RATE, progress=False)
    # measured by another tracker than the one the conversion used
    harvest = create("analysis", "world", {"f0_method": "harvest"}, sample_rate=RATE)
    out = harvest.analyze(result.audio)
    before = _median_semitones(c.f0) - _median_semitones(s.f0)
    after = _median_semitones(out.f0) - _median_semitones(s.f0)
    assert abs(before) > 4  # a man and a woman
    assert abs(after) < 2  # the target: within 2 semitones
    assert any(n.startswith("f0: median pitch") for n in result.notes)


def test_knn_retrieval_of_a_clip_against_itself_gives_it_back(analyses):
    from audiostyle.conversion.voice_features import active
    from audiostyle.plugins import create

    _, c, s = analyses
    matcher = create("matcher", "knn", {"k": 1})
    same = matcher.match(c, c, context=ConversionContext())
    live = active(c.envelope)
    db = 10 * np.abs(np.log10(same.envelope[live] / c.envelope[live]))
    assert db.max() < 1e-6
    other = matcher.match(c, s, context=ConversionContext())
    assert 10 * np.abs(np.log10(other.envelope[live] / c.envelope[live])).mean() > 1.0


@pytest.mark.parametrize(
    "options",
    [{"k": 1, "context": 2}, {"k": 8, "residual": True}, {"k": 8, "residual": True, "context": 3}],
)
def test_knn_context_and_residual_give_a_clip_against_itself_back(analyses, options):
    from audiostyle.conversion.voice_features import active
    from audiostyle.plugins import create

    _, c, s = analyses
    matcher = create("matcher", "knn", {**options, "blend": 1.0})
    same = matcher.match(c, c, context=ConversionContext())
    live = active(c.envelope)
    # residual: each frame moves by (its style neighbours' mean - its content
    # neighbours' mean), which is nothing when the style is the content
    assert 10 * np.abs(np.log10(same.envelope[live] / c.envelope[live])).max() < 1e-6
    other = matcher.match(c, s, context=ConversionContext())
    assert 10 * np.abs(np.log10(other.envelope[live] / c.envelope[live])).mean() > 1.0


def test_stacked_features_put_each_frame_beside_its_neighbours():
    from audiostyle.conversion.voice_features import stacked

    x = np.arange(10.0).reshape(5, 2)
    assert stacked(x, 0) is x
    s = stacked(x, 1)
    assert s.shape == (5, 6)
    np.testing.assert_array_equal(s[2], [2, 3, 4, 5, 6, 7])  # frames 1, 2, 3
    np.testing.assert_array_equal(s[0], [0, 1, 0, 1, 2, 3])  # edge repeated


def test_cepstral_gives_the_content_the_styles_statistics(analyses):
    from audiostyle.conversion.voice_cepstral import cepstral_frames
    from audiostyle.plugins import create

    _, c, s = analyses
    out = create("conditioner", "cepstral", {}).condition(c, s, context=ConversionContext())

    def stats(a):
        _, _, ceps, live = cepstral_frames(a, n_bands=40, n_ceps=20)
        return ceps[live, 1:21].mean(axis=0), ceps[live, 1:21].std(axis=0)

    (mc, sc), (ms, ss), (mo, so) = stats(c), stats(s), stats(out)
    assert np.abs(mo - ms).mean() < 0.25 * np.abs(mc - ms).mean()
    assert np.abs(so - ss).mean() < 0.35 * np.abs(sc - ss).mean()


def test_knn_refuses_a_style_without_voiced_frames(analyses):
    from audiostyle.plugins import create

    _, c, s = analyses
    unvoiced = s.replace(f0=np.zeros_like(s.f0))  # an F0 tracker that found nothing
    with pytest.raises(ParameterError, match="active voiced frames"):
        create("matcher", "knn", {}).match(c, unvoiced, context=ConversionContext())


def test_knn_refuses_a_style_too_short_for_retrieval(analyses, clips):
    from audiostyle.plugins import create

    world, c, _ = analyses
    short = world.analyze(clips[1][: RATE // 5])  # 0.2 s: 40 frames
    with pytest.raises(ParameterError, match="longer style"):
        create("matcher", "knn", {}).match(c, short, context=ConversionContext())


def test_f0_without_pitch_in_the_content_says_so(analyses):
    from audiostyle.plugins import create

    _, c, s = analyses
    flat = c.replace(f0=np.zeros_like(c.f0))
    ctx = ConversionContext()
    out = create("conditioner", "f0", {}).condition(flat, s, context=ctx)
    assert out is flat
    assert any("no pitch found" in n for n in ctx.notes)


def test_knn_on_an_analysis_without_f0_retrieves_any_kind_with_a_note(clips):
    from audiostyle.plugins import create

    stft = create("analysis", "stft", {"n_fft": 512}, sample_rate=RATE)
    c, s = stft.analyze(clips[0]), stft.analyze(clips[1])
    ctx = ConversionContext()
    out = create("matcher", "knn", {}).match(c, s, context=ctx)
    assert out.envelope.shape == c.envelope.shape
    assert any("no F0" in n for n in ctx.notes)


def test_librispeech_suite_pairs_and_references(tmp_path):
    from audiostyle.plugins import create
    from audiostyle.suites.librispeech import find_root

    try:
        find_root()
    except DependencyError as exc:
        pytest.skip(str(exc))
    sizes = {}
    for split in ("tune", "validate", "all"):
        suite = create("suite", "librispeech", {"split": split})
        cases = suite.cases(size=100, seed=0, cache_dir=tmp_path, duration=2.0, sample_rate=RATE)
        sizes[split] = len(cases)
        for case in cases:
            m = case.meta
            assert m["source"] != m["target"]
            # the speaker is judged on other utterances, never the style clip
            stem = case.style.stem
            assert all(stem not in r for r in m["target_references"])
            assert m["sexes"] == ("same" if m["source_sex"] == m["target_sex"] else "cross")
        if split == "tune":
            assert {m for c in cases for m in (c.meta["source"], c.meta["target"])} == {
                "1688",
                "1998",
                "2033",
            }
    assert sizes == {"tune": 6, "validate": 14, "all": 20}


def test_librispeech_suite_without_the_folder_says_where_it_looked(tmp_path):
    from audiostyle.plugins import create

    suite = create("suite", "librispeech", {"root": str(tmp_path / "nowhere")})
    with pytest.raises(DependencyError, match="root=DIR"):
        suite.cases(size=1, seed=0, cache_dir=tmp_path, duration=1.0, sample_rate=RATE)


def test_voice_preset_on_a_short_style_keeps_frames_and_says_so(clips):
    import audiostyle

    content, style = clips
    result = audiostyle.transfer(
        content[: 2 * RATE], style[: RATE // 2], preset="voice", sample_rate=RATE, progress=False
    )
    assert np.isfinite(result.audio).all()
    assert any("give a longer style" in n for n in result.notes)
