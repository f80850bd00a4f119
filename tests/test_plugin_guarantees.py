"""A bad plugin never takes the tool down.

Each broken plugin here is installed through a REAL entry point: a directory with a
``*.dist-info/entry_points.txt`` per distribution (exactly what pip writes), put on
``PYTHONPATH`` of an ``audiostyle`` subprocess that runs with
``AUDIOSTYLE_LOAD_PLUGINS`` unset, so ``importlib.metadata`` finds them as it finds
any installed plugin. Every failure is listed by ``audiostyle plugins`` (plugin,
distribution, error), other commands keep working, and selecting a broken
implementation is a one-line error.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import tiny_flags

# plugin (entry-point name) -> (distribution, module name, module source)
PLUGINS = {
    "good": (
        "as-good",
        "as_good",
        """
        from audiostyle import hookimpl
        from audiostyle.networks.options import RandomCNNOptions

        @hookimpl
        def register_networks(register):
            register("good-net", "audiostyle.networks.random_cnn:RandomCNN",
                     options=RandomCNNOptions, description="a plugin that works")
        """,
    ),
    "broken-import": (
        "as-broken-import",
        "as_broken_import",
        """
        import audiostyle_no_such_dependency  # the plugin's dependency is missing
        """,
    ),
    "raising-hook": (
        "as-raising-hook",
        "as_raising_hook",
        """
        from audiostyle import hookimpl

        @hookimpl
        def register_networks(register):
            raise RuntimeError("the hook exploded")
        """,
    ),
    "duplicate": (
        "as-duplicate",
        "as_duplicate",
        """
        from audiostyle import hookimpl

        @hookimpl
        def register_networks(register):
            register("random-cnn", "as_duplicate:Whatever", description="same name")
        """,
    ),
    "bad-contract": (
        "as-bad-contract",
        "as_bad_contract",
        """
        from audiostyle import hookimpl
        from audiostyle.networks.options import RandomCNNOptions

        class NotANetwork:  # not a FeatureNetwork subclass
            def __init__(self, *args, **kwargs):
                pass

        @hookimpl
        def register_networks(register):
            register("not-a-network", "as_bad_contract:NotANetwork",
                     options=RandomCNNOptions, description="broken")
            register("bad-options", "as_bad_contract:NotANetwork", options=dict,
                     description="options is not a dataclass")
        """,
    ),
    "bad-command": (
        "as-bad-command",
        "as_bad_command",
        """
        from audiostyle import hookimpl

        @hookimpl
        def register_commands(cli):
            raise ValueError("cannot add my command")
        """,
    ),
    "clash-command": (
        "as-clash-command",
        "as_clash_command",
        """
        from audiostyle import hookimpl

        @hookimpl
        def register_commands(cli):
            @cli.command("transfer")
            def hijack():
                print("the plugin's transfer")

            @cli.command()
            def clash_extra():
                print("an extra command that is fine")
        """,
    ),
    "typo-hook": (
        "as-typo-hook",
        "as_typo_hook",
        """
        from audiostyle import hookimpl

        @hookimpl
        def register_network(register):  # misspelled hook name
            pass
        """,
    ),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A directory holding the broken plugins as installed distributions."""
    root = tmp_path_factory.mktemp("site")
    for ep_name, (dist, module, source) in PLUGINS.items():
        (root / f"{module}.py").write_text(textwrap.dedent(source))
        info = root / f"{dist.replace('-', '_')}-0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
        (info / "entry_points.txt").write_text(f"[audiostyle]\n{ep_name} = {module}\n")
    return root


def run(site: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k != "AUDIOSTYLE_LOAD_PLUGINS"}
    full["PYTHONPATH"] = os.pathsep.join([str(site), full.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", "from audiostyle.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=300,
    )


def failure_lines(stdout: str) -> dict[str, str]:
    lines = stdout.split("plugins that failed to load:\n", 1)[1].splitlines()
    return {line.split()[0]: line for line in lines if line.strip()}


def test_plugins_lists_every_failure_with_plugin_distribution_and_error(site):
    res = run(site, "plugins", "--no-options")
    assert res.returncode == 0, res.stderr
    # The working plugin and every built-in are there.
    assert "good-net" in res.stdout and "[as-good, plugin good]" in res.stdout
    assert "random-cnn" in res.stdout and "lbfgs" in res.stdout
    failed = failure_lines(res.stdout)
    expected = {
        "broken-import": ("as-broken-import", "ModuleNotFoundError", "audiostyle_no_such_dep"),
        "raising-hook": ("as-raising-hook", "RuntimeError", "the hook exploded"),
        "duplicate": ("as-duplicate", "'random-cnn' is already registered by plugin", ""),
        "bad-contract": ("as-bad-contract", "options must be a dataclass", ""),
        "bad-command": ("as-bad-command", "register_commands raised ValueError", "my command"),
        "typo-hook": ("as-typo-hook", "unknown hook 'register_network'", "'register_networks'"),
        "clash-command": ("as-clash-command", "command 'transfer' is already taken", ""),
    }
    for plugin, parts in expected.items():
        assert plugin in failed, res.stdout
        for part in parts:
            assert part in failed[plugin], failed[plugin]
    # The duplicate did not replace the built-in.
    line = next(x for x in res.stdout.splitlines() if x.strip().startswith("random-cnn"))
    assert "[audiostyle]" in line


def test_other_commands_still_work(site):
    res = run(site, "presets")
    assert res.returncode == 0 and "ulyanov2016" in res.stdout, res.stderr
    res = run(site, "--help")
    assert res.returncode == 0 and "transfer" in res.stdout
    # A plugin's command named like a built-in is dropped; its other commands stay.
    res = run(site, "transfer", "--help")
    assert res.returncode == 0 and "CONTENT" in res.stdout.upper(), res.stdout
    assert "the plugin's transfer" not in res.stdout
    res = run(site, "clash-extra")
    assert res.returncode == 0 and "an extra command that is fine" in res.stdout, res.stderr


def test_selecting_a_broken_implementation_is_one_clear_line(site, wav_files, tmp_path):
    content, style = wav_files
    out = tmp_path / "out.wav"
    flags = [str(content), str(style), "-o", str(out), "--quiet", *tiny_flags()]
    # The class does not follow the stage contract.
    res = run(site, "transfer", *flags, "--network", "not-a-network")
    assert res.returncode == 1, res.stdout + res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert "does not follow the stage contract" in lines[0]
    assert "plugin 'bad-contract' (distribution as-bad-contract)" in lines[0]
    assert not out.exists()
    # The plugin that failed to import is named when its implementation is asked for.
    res = run(site, "transfer", *flags, "--network", "from-a-broken-plugin")
    lines = res.stderr.strip().splitlines()
    assert res.returncode != 0 and len(lines) == 1, res.stderr
    assert "no feature network named 'from-a-broken-plugin'" in lines[0]
    assert "failed to load (one may provide it)" in lines[0] and "broken-import" in lines[0]
    # A working plugin's implementation still runs a real transfer beside the broken ones.
    res = run(site, "transfer", *flags, "--network", "good-net")
    assert res.returncode == 0, res.stderr
    assert out.stat().st_size > 1000


def test_disable_plugin_and_load_plugins_env(site):
    res = run(site, "--disable-plugin", "raising-hook", "plugins", "network", "--no-options")
    assert res.returncode == 0
    assert "raising-hook" not in res.stdout and "broken-import" in res.stdout
    res = run(site, "plugins", "network", "--no-options", env={"AUDIOSTYLE_LOAD_PLUGINS": "good"})
    assert "good-net" in res.stdout and "failed to load" not in res.stdout
    res = run(site, "plugins", "network", "--no-options", env={"AUDIOSTYLE_LOAD_PLUGINS": ""})
    assert "good-net" not in res.stdout and "failed to load" not in res.stdout


def test_plugins_check_runs_the_contracts(site):
    res = run(site, "plugins", "network", "--check")
    assert res.returncode == 1, res.stdout + res.stderr
    out = res.stdout.splitlines()
    at = {
        line.split()[0]: i
        for i, line in enumerate(out)
        if line.startswith("  ") and not line.startswith("   ")
    }
    assert (
        "ok:" in out[at["good-net"] + 1] and "deterministic for a seed" in out[at["good-net"] + 1]
    )
    assert "FAILED" in out[at["not-a-network"] + 1]
    assert "stage contract" in out[at["not-a-network"] + 1]


def test_a_disabled_plugin_is_not_imported(site, tmp_path):
    # A plugin that leaves a mark when imported and adds a command.
    extra = tmp_path / "spy-site"
    extra.mkdir()
    (extra / "as_spy.py").write_text(
        textwrap.dedent(
            """
            import os, pathlib
            pathlib.Path(os.environ["AS_SPY_MARK"]).write_text("imported")
            from audiostyle import hookimpl

            @hookimpl
            def register_commands(cli):
                @cli.command("spy-hello")
                def spy_hello():
                    print("the spy plugin's command ran")
            """
        )
    )
    info = extra / "as_spy-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: as-spy\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[audiostyle]\nspy = as_spy\n")
    mark = tmp_path / "mark"
    path = os.pathsep.join([str(extra), str(site), os.environ.get("PYTHONPATH", "")])
    env = {"PYTHONPATH": path.rstrip(os.pathsep), "AS_SPY_MARK": str(mark)}
    res = run(site, "spy-hello", env=env)
    assert res.returncode == 0 and "spy plugin's command ran" in res.stdout
    assert mark.exists()
    mark.unlink()
    res = run(site, "--disable-plugin", "spy", "spy-hello", env=env)
    assert res.returncode == 2 and "spy plugin's command ran" not in res.stdout
    assert not mark.exists(), "a blocked plugin was imported"
    res = run(site, "--disable-plugin=broken-import", "plugins", "--no-options", env=env)
    assert res.returncode == 0 and "broken-import" not in res.stdout
    assert "raising-hook" in res.stdout  # the others still load (and fail) as before
