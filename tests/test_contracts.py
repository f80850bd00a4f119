"""Every registered implementation, built-in or installed, follows its stage contract.

The checks are :mod:`audiostyle.testing.contracts`, the same ones plugin authors run
on their plugins; here they run with tiny sizes so the whole file stays fast.
"""

from __future__ import annotations

import dataclasses

import pytest

from audiostyle import hookimpl, plugins
from audiostyle.errors import DependencyError
from audiostyle.options import option
from audiostyle.testing import (
    CONTRACT_STAGES,
    ContractError,
    check,
    check_options_schema,
    check_plugin,
    registered,
)

ALL = registered()


def _param(stage: str, name: str):
    # Implementations that need the eval extra (perceptual models) get its marker.
    needs = plugins.get_backend(stage, name).extra.get("extra")
    marks = [pytest.mark.eval] if needs == "eval" else []
    return pytest.param(stage, name, id=f"{stage}:{name}", marks=marks)


@pytest.mark.parametrize(("stage", "name"), [_param(s, n) for s, n in ALL])
def test_implementation_follows_its_contract(stage, name):
    try:
        passed = check(stage, name)
    except DependencyError as exc:
        pytest.skip(str(exc))
    assert "options schema" in passed and "loads" in passed
    if stage in CONTRACT_STAGES:
        assert len(passed) > 2, passed  # the stage's own checks ran


def test_every_contract_stage_with_builtins_is_covered():
    stages = {s for s, _ in ALL}
    assert {"transform", "network", "optimizer", "phase", "loss"} <= stages


# -- the checks catch what they claim to catch ------------------------------------------
@dataclasses.dataclass(frozen=True)
class _NetOpts:
    n_filters: int = option(8, "filters")


def _net_plugin(target, options=_NetOpts):
    class _Plugin:
        @hookimpl
        def register_networks(self, register):
            register("contract-probe", target, options=options, description="probe")

    return _Plugin()


def _bad_networks() -> dict:
    import torch
    from torch import nn

    from audiostyle.networks.base import FeatureNetwork

    class GlobalRNG(FeatureNetwork):
        """Keeps PyTorch's default init, drawn from the global RNG: the seed is ignored."""

        def __init__(self, options, *, n_bins, seed=0, device="cpu"):
            super().__init__(options, n_bins=n_bins, seed=seed, device=device)
            self.conv = nn.Conv1d(n_bins, options.n_filters, 3)
            self.freeze()

        def forward(self, rep):
            return {"features": torch.relu(self.conv(rep))}

    class Seeded(FeatureNetwork):
        def __init__(self, options, *, n_bins, seed=0, device="cpu"):
            super().__init__(options, n_bins=n_bins, seed=seed, device=device)
            self.conv = nn.Conv1d(n_bins, options.n_filters, 3)
            with torch.no_grad():
                w = torch.randn(self.conv.weight.shape, generator=self.generator())
                self.conv.weight.copy_(w * 0.1)
                self.conv.bias.zero_()
            self.freeze()

        def forward(self, rep):
            return {"features": torch.relu(self.conv(rep))}

    class Trainable(Seeded):
        """Forgets to freeze its weights."""

        def __init__(self, options, *, n_bins, seed=0, device="cpu"):
            super().__init__(options, n_bins=n_bins, seed=seed, device=device)
            for p in self.parameters():
                p.requires_grad_(True)

    class Float64(Seeded):
        """Returns float64 feature maps."""

        def forward(self, rep):
            return {"features": self.conv(rep).double()}

    class MixesBatch(Seeded):
        """Normalises over the whole batch: items are not independent."""

        def forward(self, rep):
            f = torch.relu(self.conv(rep))
            return {"features": f / f.mean()}

    return {
        "global RNG": GlobalRNG,
        "require grad": Trainable,
        "float32": Float64,
        "not independent": MixesBatch,
    }


@pytest.mark.parametrize("message", ["global RNG", "require grad", "float32", "not independent"])
def test_contract_catches_a_broken_network(message):
    cls = _bad_networks()[message]
    with pytest.raises(ContractError, match=message):
        check_plugin(_net_plugin(cls), name="probe")
    assert "contract-probe" not in plugins.available("network")  # unregistered again


def test_contract_catches_a_bad_transform():
    import torch

    from audiostyle.transforms.options import STFTOptions
    from audiostyle.transforms.torch_stft import TorchSTFT

    class Unnormalised(TorchSTFT):
        """Scales its STFT: disagrees with the torch backend on the same settings."""

        def stft(self, wave):
            return super().stft(wave) * 2

        def istft(self, spec, *, length):
            return super().istft(torch.as_tensor(spec) / 2, length=length)

    class P:
        @hookimpl
        def register_transforms(self, register):
            register("probe-stft", Unnormalised, options=STFTOptions, description="x")

    with pytest.raises(ContractError, match="differs from the torch backend"):
        check_plugin(P(), name="probe")


def test_contract_catches_a_bad_options_schema():
    @dataclasses.dataclass(frozen=True)
    class NoHelp:
        width: int = 3

    @dataclasses.dataclass(frozen=True)
    class WrongType:
        width: int = option(0.5, "a float declared as int")

    for opts, message in ((NoHelp, "no help text"), (WrongType, "'width'")):
        impl = plugins.Implementation("network", "x", "a:B", opts, "", "p")
        with pytest.raises(ContractError, match=message):
            check_options_schema(impl)


def test_a_good_plugin_is_checked_in_one_line():
    from audiostyle.networks.options import RandomCNNOptions
    from audiostyle.networks.random_cnn import RandomCNN

    results = check_plugin(_net_plugin(RandomCNN, options=RandomCNNOptions), name="probe")
    checks = results[("network", "contract-probe")]
    assert "deterministic for a seed" in checks and "gradients flow to the input only" in checks
