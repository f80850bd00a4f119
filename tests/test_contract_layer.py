"""The contract layer: every stage's base class in audiostyle.contracts, abstract where
a method must be implemented, still importable from its old module, and enough for
the example plugin (which imports no backend helper and no CLI internals)."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "plugins" / "audiostyle-mel" / "audiostyle_mel"

# (contract module, name, old module, abstract methods)
STAGES = [
    ("transform", "SpectralTransform", "audiostyle.transforms.base", {"stft", "istft"}),
    ("network", "FeatureNetwork", "audiostyle.networks.base", {"forward"}),
    ("optimizer", "Optimizer", "audiostyle.optimizers.base", {"setup", "step"}),
    ("phase", "PhaseReconstructor", "audiostyle.phase.base", {"reconstruct"}),
    ("loss", "LossTerm", "audiostyle.losses.base", {"__call__"}),
    ("metric", "Metric", "audiostyle.metrics.base", {"__call__"}),
    ("suite", "Suite", "audiostyle.suites.base", {"cases"}),
    ("executor", "Executor", "audiostyle.executors.base", {"map"}),
]
DATA = [
    ("stft", "STFTOptions", "audiostyle.transforms.options"),
    ("stft", "STFTConfig", "audiostyle.dsp"),
    ("optimizer", "StepInfo", "audiostyle.optimizers.base"),
    ("optimizer", "OptimizeResult", "audiostyle.optimizers.base"),
    ("loss", "INPUT_KEY", "audiostyle.losses.base"),
    ("suite", "Case", "audiostyle.suites.base"),
    ("suite", "default_cache_dir", "audiostyle.suites.base"),
    ("executor", "Resources", "audiostyle.executors.base"),
    ("executor", "TaskResult", "audiostyle.executors.base"),
    ("network", "init_conv", "audiostyle.networks.base"),
    ("network", "activation", "audiostyle.networks.base"),
    ("commands", "one_line", "audiostyle.cli.errors"),
    ("commands", "fail", "audiostyle.cli.errors"),
]


def test_the_cli_handle_errors_is_the_contracts_plus_its_flag_names():
    """A plugin's command importing handle_errors from its old home keeps the contract's
    one-line errors, and gets the CLI's translation of option names to flags on top."""
    from typer import Exit

    from audiostyle.cli.errors import handle_errors
    from audiostyle.errors import ParameterError

    def command():
        raise ParameterError("segment=0.01 is too short", option="segment")

    with pytest.raises(Exit) as info:
        handle_errors(command)()
    assert info.value.exit_code == 2


@pytest.mark.parametrize(("module", "name", "old", "methods"), STAGES)
def test_every_stage_base_is_an_abc_in_the_contract(module, name, old, methods):
    cls = getattr(importlib.import_module(f"audiostyle.contracts.{module}"), name)
    assert inspect.isabstract(cls)
    assert cls.__abstractmethods__ == methods
    assert getattr(importlib.import_module(old), name) is cls  # third-party plugins keep working
    assert getattr(importlib.import_module("audiostyle.contracts"), name) is cls
    with pytest.raises(TypeError, match="abstract"):
        cls()


@pytest.mark.parametrize(("module", "name", "old"), DATA)
def test_data_types_and_helpers_keep_their_old_homes(module, name, old):
    value = getattr(importlib.import_module(f"audiostyle.contracts.{module}"), name)
    assert getattr(importlib.import_module(old), name) is value


def test_a_subclass_missing_a_method_says_which():
    from audiostyle.contracts import Optimizer

    class Half(Optimizer):
        def setup(self, x):
            self.x = x

    with pytest.raises(TypeError, match="step"):
        Half()


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_the_example_plugin_uses_only_the_public_contract():
    used = set().union(*(_imports(p) for p in PLUGIN.glob("*.py")))
    core = {m for m in used if m == "audiostyle" or m.startswith("audiostyle.")}
    allowed = (
        "audiostyle",
        "audiostyle.contracts",
        "audiostyle.errors",
        "audiostyle.hookspecs",
        "audiostyle.options",
        "audiostyle.dsp",
        "audiostyle.mel",
        "audiostyle.audio",
    )
    wrong = sorted(m for m in core if not any(m == a or m.startswith(a + ".") for a in allowed))
    assert not wrong, f"the example plugin imports internals: {wrong}"
    assert any(m.startswith("audiostyle.contracts") for m in core)


def test_importing_the_contract_package_is_light():
    import subprocess
    import sys

    code = (
        "import sys, audiostyle.contracts, audiostyle.contracts.stft, "
        "audiostyle.contracts.commands; print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"
