"""Contract checks of an optimizer: lowers a quadratic, keeps x0, reports and stops by
callback, deterministic, survives NaN."""

from __future__ import annotations

from audiostyle.testing.common import desc, fail


def check_optimizer(impl, cls, opts, *, device: str) -> list[str]:
    import torch

    from audiostyle.contracts.optimizer import Optimizer, OptimizeResult

    stage, name = impl.stage, impl.name
    target = torch.linspace(-1, 1, 8 * 16, device=device).reshape(8, 16)

    def objective(x):
        return (x - target).pow(2).sum()

    x0 = torch.zeros(8, 16, device=device)
    steps = 10
    seen: list[int] = []
    opt = cls(opts)
    if not isinstance(opt, Optimizer):
        raise fail(stage, name, "the instance is not an Optimizer.")
    res = opt.minimize(objective, x0, steps=steps, callback=lambda info: seen.append(info.step))
    if not isinstance(res, OptimizeResult):
        raise fail(stage, name, f"minimize must return an OptimizeResult, got {desc(res)}.")
    if not torch.equal(x0, torch.zeros_like(x0)):
        raise fail(stage, name, "minimize changed x0 in place.")
    if tuple(res.x.shape) != (8, 16) or res.x.dtype != torch.float32:
        raise fail(stage, name, f"the result has {desc(res.x)}, x0 is float32 (8, 16).")
    if res.x.device.type != torch.device(device).type:
        raise fail(stage, name, f"the result is on {res.x.device}, x0 on {device}.")
    start, end = float(objective(x0)), float(objective(res.x))
    if not end < 0.9 * start:
        raise fail(
            stage, name, f"{steps} steps on a quadratic only went from {start:.4g} to {end:.4g}."
        )
    if seen != list(range(1, steps + 1)) or res.steps_done != steps:
        raise fail(
            stage, name, f"callback saw steps {seen}, steps_done={res.steps_done}; want 1..{steps}."
        )
    again = cls(opts).minimize(objective, x0, steps=steps)
    if not torch.equal(again.x, res.x):
        raise fail(stage, name, "two runs from the same start differ.")
    early = cls(opts).minimize(objective, x0, steps=steps, callback=lambda info: info.step >= 3)
    if early.steps_done != 3 or early.stopped != "callback":
        raise fail(
            stage,
            name,
            f"a callback returning True at step 3 gave steps_done={early.steps_done}, "
            f"stopped={early.stopped!r}.",
        )
    calls = {"n": 0}

    def turns_nan(x):
        calls["n"] += 1
        value = objective(x)
        return value * float("nan") if calls["n"] > 2 else value

    bad = cls(opts).minimize(turns_nan, x0, steps=steps)
    if bad.stopped != "non-finite" or not torch.isfinite(bad.x).all():
        raise fail(
            stage,
            name,
            f"an objective turning NaN gave stopped={bad.stopped!r} and a "
            f"{'finite' if torch.isfinite(bad.x).all() else 'non-finite'} result; it must "
            "stop with the last finite state.",
        )
    return ["lowers a quadratic", "x0 untouched", "callback", "deterministic", "NaN fallback"]
