"""Contract checks of an initializer: a new float32 start of the domain's shape, on the
device, finite, the inputs untouched, the same for a seed whatever the global RNG."""

from __future__ import annotations

from audiostyle.testing.common import SAMPLE_RATE, chirp, desc, fail, noise, reference_transform

#: Samples of the content (0.5 s) and of the style (0.3 s: shorter, so a start made
#: from the style must repeat it) the checks start from.
CONTENT_SAMPLES = SAMPLE_RATE // 2
STYLE_SAMPLES = SAMPLE_RATE * 3 // 10


def _context(domain: str, *, texture: bool, device: str, seed: int = 0):
    """An :class:`InitContext` as the engine builds it, on a chirp (content) and noise
    (style), with a short Griffin-Lim as the run's phase reconstructor."""
    import torch

    from audiostyle import dsp
    from audiostyle.contracts.init import InitContext
    from audiostyle.phase.griffinlim import GriffinLim
    from audiostyle.phase.options import GriffinLimOptions

    t = reference_transform(device)
    length = CONTENT_SAMPLES
    if domain == "spectrogram":
        length = dsp.transform_covering_length(t, length)
    style = torch.from_numpy(noise(STYLE_SAMPLES)).to(device)
    content = content_rep = None
    if not texture:
        wave = torch.from_numpy(chirp(CONTENT_SAMPLES))
        content = torch.nn.functional.pad(wave, (0, length - CONTENT_SAMPLES)).to(device)
        content_rep = torch.log1p(t.stft(content).abs())
    phase = GriffinLim(GriffinLimOptions(n_iter=4, init="random" if texture else "content"))
    return InitContext(
        domain=domain,
        length=length,
        n_frames=t.n_frames(length),
        transform=t,
        phase=phase,
        style=style,
        style_rep=torch.log1p(t.stft(style).abs()),
        content=content,
        content_rep=content_rep,
        generator=torch.Generator().manual_seed(seed),
        device=torch.device(device),
        noise_scale=1e-3,
    )


def _inputs(context) -> dict:
    names = ("style", "style_rep", "content", "content_rep")
    return {n: getattr(context, n) for n in names if getattr(context, n) is not None}


def check_init(impl, cls, opts, *, device: str) -> list[str]:
    import torch

    from audiostyle.contracts.init import DOMAINS, Initializer

    stage, name = impl.stage, impl.name
    start = cls(opts)
    if not isinstance(start, Initializer):
        raise fail(stage, name, "the instance is not an Initializer.")
    domains = tuple(start.domains)
    if not domains or not set(domains) <= set(DOMAINS):
        raise fail(stage, name, f"domains={domains!r} must be a non-empty subset of {DOMAINS}.")
    registered = tuple(impl.extra.get("domains") or DOMAINS)
    if set(registered) != set(domains):
        raise fail(
            stage,
            name,
            f"registered with domains={registered!r} but the class says {domains!r}; "
            "pass the same to register(..., domains=...).",
        )
    if bool(impl.extra.get("needs_content", False)) != bool(start.needs_content):
        raise fail(
            stage,
            name,
            f"the class says needs_content={start.needs_content!r}, its registration "
            f"{impl.extra.get('needs_content', False)!r}; pass the same to register.",
        )
    passed = ["domains and needs_content as registered"]
    kinds = [False] if start.needs_content else [False, True]
    for domain in domains:
        for texture in kinds:
            where = f"domain={domain!r}{', texture' if texture else ''}"
            context = _context(domain, texture=texture, device=device)
            kept = {k: v.clone() for k, v in _inputs(context).items()}
            x0 = start.initialize(context)
            want = context.expected_shape()
            if not (torch.is_tensor(x0) and x0.dtype == torch.float32 and x0.shape == want):
                raise fail(stage, name, f"{where}: want float32 {want}, got {desc(x0)}.")
            if x0.device.type != torch.device(device).type or not torch.isfinite(x0).all():
                raise fail(stage, name, f"{where}: the start must be finite and on {device}.")
            for key, value in _inputs(context).items():
                if not torch.equal(value, kept[key]):
                    raise fail(stage, name, f"{where}: initialize changed context.{key}.")
                if value.untyped_storage().data_ptr() == x0.untyped_storage().data_ptr():
                    raise fail(
                        stage,
                        name,
                        f"{where}: the start shares memory with context.{key}; "
                        "return a new tensor (e.g. .clone()).",
                    )
            state = torch.random.get_rng_state()
            try:
                torch.manual_seed(12345)  # the global RNG must not matter
                again = start.initialize(_context(domain, texture=texture, device=device))
            finally:
                torch.random.set_rng_state(state)
            if not torch.equal(again, x0):
                raise fail(
                    stage,
                    name,
                    f"{where}: two starts with the same seeded generator differ (draw from "
                    "context.generator, never the global RNG).",
                )
            passed.append(f"{where}: shape, dtype, device, inputs untouched, deterministic")
    return passed
