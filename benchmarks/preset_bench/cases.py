"""The groups of cases: two voices, music, and the ground-truth suites."""

from __future__ import annotations

from preset_bench.config import BRAHMS, FEMALE, MALE, RATE, TRUMPET


def build_cases(names: list[str], *, duration: float, suite_size: int) -> dict[str, list[dict]]:
    """Groups of cases: ``{"voice": [...], "music": [...], "timbre": [...], ...}``."""
    groups: dict[str, list[dict]] = {}
    if "voice" in names:
        groups["voice"] = [
            {"name": "male->female", "content": str(MALE), "style": str(FEMALE)},
            {"name": "female->male", "content": str(FEMALE), "style": str(MALE)},
        ]
    if "music" in names:
        # The trumpet clip is 5.3 s: Brahms (strings) is the 10 s content.
        groups["music"] = [
            {"name": "brahms->trumpet", "content": str(BRAHMS), "style": str(TRUMPET)}
        ]
    for suite in ("timbre", "voices"):
        if suite not in names:
            continue
        from audiostyle.bench.cases import suite_cases

        try:
            found = suite_cases(suite, size=suite_size, seed=0, duration=duration, sample_rate=RATE)
        except Exception as exc:  # noqa: BLE001 - a missing synthesizer: say so, carry on
            print(f"suite {suite}: not run ({type(exc).__name__}: {exc})")
            continue
        groups[suite] = [
            {
                "name": c.name,
                "content": c.content,
                "style": c.style,
                "target": c.target,
                "text": c.text,
            }
            for c in found
        ]
    for cases in groups.values():
        for c in cases:
            c.setdefault("duration", duration)
            c.setdefault("style_duration", duration)
    return groups
