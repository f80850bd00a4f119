"""The plugin manager: registration, lookup errors, options parsing, failures."""

import dataclasses

import pytest

from audiostyle import hookimpl, plugins
from audiostyle.errors import ParameterError, PluginError, UnknownBackendError
from audiostyle.options import option


def test_builtins_registered():
    assert {"torch", "torchaudio", "librosa"} <= set(plugins.available("transform"))
    assert "random-cnn" in plugins.available("network")
    assert {"adam", "lbfgs"} <= set(plugins.available("optimizer"))
    assert {"griffin-lim", "fast-griffin-lim"} <= set(plugins.available("phase"))
    impl = plugins.get_backend("network", "random-cnn")
    assert impl.description and impl.distribution == "audiostyle"


def test_unknown_name_suggests_closest():
    with pytest.raises(UnknownBackendError) as err:
        plugins.get_backend("transform", "torchadio")
    msg = str(err.value)
    assert "'torchaudio'" in msg and "Installed:" in msg and "librosa" in msg


def test_option_validation():
    impl = plugins.get_backend("network", "random-cnn")
    o = impl.parse_options({"n_filters": "64", "bias": "true"})
    assert o.n_filters == 64 and o.bias is True
    with pytest.raises(ParameterError, match="n_filter.*Did you mean 'n_filters'.*Valid"):
        impl.parse_options({"n_filter": "3"})
    with pytest.raises(ParameterError, match="not an integer"):
        impl.parse_options({"n_filters": "many"})
    with pytest.raises(ParameterError, match="activation"):
        impl.parse_options({"activation": "relux"})


@dataclasses.dataclass(frozen=True)
class _Opts:
    width: int = option(3, "a width")


class _Good:
    @hookimpl
    def register_networks(self, register):
        register("fake-net", "tests.test_plugins:_NotANetwork", options=_Opts, description="fake")


class _NotANetwork:
    pass


class _Raises:
    @hookimpl
    def register_networks(self, register):
        raise RuntimeError("boom")


class _Duplicate:
    @hookimpl
    def register_networks(self, register):
        register("random-cnn", "x.y:Z", description="clash")


@pytest.fixture
def extra_plugin():
    names = []

    def add(obj, name):
        plugins.registry.register_plugin(obj, name=name, distribution="test-dist")
        names.append(name)

    yield add
    for n in names:
        plugins.registry.unregister_plugin(n)


def test_broken_plugins_reported_not_fatal(extra_plugin):
    extra_plugin(_Raises(), "raiser")
    extra_plugin(_Duplicate(), "dup")
    extra_plugin(_Good(), "good")
    found = plugins.available("network")
    assert "random-cnn" in found and found["random-cnn"].plugin.startswith("audiostyle.")
    errors = {f.plugin: f for f in plugins.failures()}
    assert "boom" in errors["raiser"].error and errors["raiser"].distribution == "test-dist"
    assert "already registered" in errors["dup"].error
    # Registered, but its class breaks the contract: selecting it is a clear error.
    with pytest.raises(PluginError, match="stage contract"):
        plugins.create("network", "fake-net", n_bins=5)
