"""The plugin manager and the registry of implementations, one per stage.

Built-in plugins (``audiostyle/default_plugins/``) are registered by module path;
third-party plugins by entry points of group ``audiostyle``. Set
``AUDIOSTYLE_LOAD_PLUGINS`` to a comma-separated list of entry-point names to load
only those, or to an empty string to load none. ``block("name")`` (the CLI's
``--disable-plugin``) keeps a plugin from loading.

A plugin that fails to import or raises in its hook does not break the tool: the
failure is recorded (plugin, distribution, error) and shown by
``audiostyle plugins``; the other plugins load.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import pluggy

from audiostyle import hookspecs
from audiostyle.errors import ParameterError, PluginError, UnknownBackendError
from audiostyle.options import NoOptions, build, closest_hint

ENTRY_POINT_GROUP = "audiostyle"
LOAD_PLUGINS_ENV = "AUDIOSTYLE_LOAD_PLUGINS"

DEFAULT_PLUGINS = (
    "audiostyle.default_plugins.transforms",
    "audiostyle.default_plugins.networks",
    "audiostyle.default_plugins.optimizers",
    "audiostyle.default_plugins.phase",
    "audiostyle.default_plugins.inits",
    "audiostyle.default_plugins.losses",
    "audiostyle.default_plugins.metrics",
    "audiostyle.default_plugins.suites",
    "audiostyle.default_plugins.executors",
    "audiostyle.default_plugins.conversion",
    "audiostyle.default_plugins.voice",
    "audiostyle.default_plugins.timbre",
)


@dataclass(frozen=True)
class Stage:
    """One pluggable stage: its CLI name, hook name and human name."""

    key: str
    hook: str
    title: str


STAGES: dict[str, Stage] = {
    s.key: s
    for s in (
        Stage("transform", "register_transforms", "spectral transform"),
        Stage("network", "register_networks", "feature network"),
        Stage("optimizer", "register_optimizers", "optimizer"),
        Stage("phase", "register_phase_reconstructors", "phase reconstructor"),
        Stage("init", "register_initializers", "initializer"),
        Stage("loss", "register_losses", "loss term"),
        Stage("metric", "register_metrics", "quality metric"),
        Stage("executor", "register_executors", "executor"),
        Stage("suite", "register_suites", "benchmark suite"),
        Stage("analysis", "register_analyses", "analysis/synthesis transform"),
        Stage("conditioner", "register_conditioners", "conditioner"),
        Stage("matcher", "register_matchers", "matcher"),
        Stage("vocoder", "register_vocoders", "vocoder"),
    )
}

# A stage may name a base class its implementations must subclass (checked on load):
# the ABCs of the contract (audiostyle.contracts; the old audiostyle.<stage>.base paths
# re-export them, so a plugin subclassing either passes).
_CONTRACTS: dict[str, str] = {
    "transform": "audiostyle.contracts.transform:SpectralTransform",
    "network": "audiostyle.contracts.network:FeatureNetwork",
    "optimizer": "audiostyle.contracts.optimizer:Optimizer",
    "phase": "audiostyle.contracts.phase:PhaseReconstructor",
    "init": "audiostyle.contracts.init:Initializer",
    "loss": "audiostyle.contracts.loss:LossTerm",
    "metric": "audiostyle.contracts.metric:Metric",
    "suite": "audiostyle.contracts.suite:Suite",
    "executor": "audiostyle.contracts.executor:Executor",
    "analysis": "audiostyle.contracts.conversion:AnalysisSynthesis",
    "conditioner": "audiostyle.contracts.conversion:Conditioner",
    "matcher": "audiostyle.contracts.conversion:Matcher",
    "vocoder": "audiostyle.contracts.conversion:Vocoder",
}

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")


@dataclass(frozen=True)
class Implementation:
    """A registered implementation of a stage."""

    stage: str
    name: str
    target: str | type
    options: type
    description: str
    plugin: str
    distribution: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def target_path(self) -> str:
        """The import path of the implementing class."""
        if isinstance(self.target, str):
            return self.target
        return f"{self.target.__module__}:{self.target.__qualname__}"

    def load(self) -> type:
        """Import and return the implementing class, checking the stage contract."""
        if not isinstance(self.target, str):
            cls = self.target
        else:
            module_name, _, attr = self.target.partition(":")
            try:
                module = importlib.import_module(module_name)
                cls = module
                for part in attr.split("."):
                    cls = getattr(cls, part)
            except Exception as exc:  # noqa: BLE001 - a plugin may raise anything
                raise PluginError(
                    f"{self.stage} {self.name!r} from plugin {self.plugin!r}"
                    f"{self._dist()} cannot be loaded ({self.target}): "
                    f"{type(exc).__name__}: {exc}. Reinstall or disable that plugin."
                ) from exc
        contract = _CONTRACTS.get(self.stage)
        if contract is not None:
            base = _import_path(contract)
            if not (isinstance(cls, type) and issubclass(cls, base)):
                raise PluginError(
                    f"{self.stage} {self.name!r} from plugin {self.plugin!r}{self._dist()} "
                    f"does not follow the stage contract: {self.target_path} is not a "
                    f"subclass of {contract.replace(':', '.')}. Fix or disable that plugin."
                )
        return cls

    def parse_options(self, values: dict[str, Any] | None = None) -> Any:
        """Validate ``values`` against this implementation's options schema."""
        return build(self.options, values, context=f"{self.stage} {self.name!r}")

    def _dist(self) -> str:
        return f" (distribution {self.distribution})" if self.distribution else ""


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that failed to import, raised in a hook or registered badly."""

    plugin: str
    distribution: str | None
    error: str


def _import_path(path: str) -> Any:
    module_name, _, attr = path.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


class Registry:
    """The plugin manager plus the implementations its plugins registered."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self._lock = threading.RLock()
        self._loaded = False
        self._impls: dict[str, dict[str, Implementation]] | None = None
        self.failures: list[PluginFailure] = []
        self._load_failures: list[PluginFailure] = []
        self._distributions: dict[str, str] = {}

    # -- loading -----------------------------------------------------------------
    def load(self) -> None:
        """Register built-in plugins and entry-point plugins (once)."""
        with self._lock:
            if self._loaded:
                return
            self._loaded = True
            for module_name in DEFAULT_PLUGINS:
                if self.pm.is_blocked(module_name):
                    continue
                module = importlib.import_module(module_name)
                self.pm.register(module, name=module_name)
                self._distributions[module_name] = "audiostyle"
            self._load_entry_points()
            self._check_unknown_hooks()

    def _check_unknown_hooks(self) -> None:
        """Report (and unregister) plugins with a hookimpl no spec declares.

        This is :meth:`pluggy.PluginManager.check_pending`, but every offender is
        reported with its plugin and distribution, and the others keep working.
        """
        import difflib

        specs = [n for n in dir(hookspecs) if n.startswith("register_")]
        offenders: dict[str, list[str]] = {}
        for hook_name, caller in list(vars(self.pm.hook).items()):
            if not isinstance(caller, pluggy.HookCaller) or caller.has_spec():
                continue
            for impl in caller.get_hookimpls():
                if impl.optionalhook:
                    continue
                plugin_name = self.pm.get_name(impl.plugin) or repr(impl.plugin)
                offenders.setdefault(plugin_name, []).append(hook_name)
        for plugin_name, hooks in offenders.items():
            match = difflib.get_close_matches(hooks[0], specs, n=1)
            hint = f" Did you mean {match[0]!r}?" if match else ""
            self._load_failures.append(
                PluginFailure(
                    plugin_name,
                    self._distributions.get(plugin_name),
                    f"implements unknown hook {hooks[0]!r}.{hint} Hooks: {', '.join(specs)}.",
                )
            )
            self.pm.unregister(name=plugin_name)

    def _load_entry_points(self) -> None:
        wanted = os.environ.get(LOAD_PLUGINS_ENV)
        allowed = None
        if wanted is not None:
            allowed = {w.strip() for w in wanted.split(",") if w.strip()}
            if not allowed:
                return
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if allowed is not None and ep.name not in allowed:
                continue
            if self.pm.is_blocked(ep.name) or self.pm.has_plugin(ep.name):
                continue
            dist = ep.dist.name if getattr(ep, "dist", None) else None
            try:
                plugin = ep.load()
            except BaseException as exc:  # noqa: BLE001 - a plugin may raise anything
                if isinstance(exc, KeyboardInterrupt):
                    raise
                self._load_failures.append(
                    PluginFailure(
                        ep.name,
                        dist,
                        f"failed to import {ep.value!r}: {type(exc).__name__}: {exc}",
                    )
                )
                continue
            try:
                self.pm.register(plugin, name=ep.name)
            except Exception as exc:  # noqa: BLE001 - e.g. a hookimpl with a wrong argument
                self._load_failures.append(
                    PluginFailure(
                        ep.name, dist, f"cannot be registered: {type(exc).__name__}: {exc}"
                    )
                )
                continue
            self._distributions[ep.name] = dist or "?"

    def register_plugin(self, plugin: object, *, name: str, distribution: str | None = None):
        """Register a plugin object (module or instance with hookimpls) by hand."""
        self.load()
        with self._lock:
            self.pm.register(plugin, name=name)
            if distribution:
                self._distributions[name] = distribution
            self._impls = None

    def unregister_plugin(self, name: str) -> None:
        """Remove a plugin registered by name and forget what it registered."""
        with self._lock:
            if self.pm.has_plugin(name):
                self.pm.unregister(name=name)
            self._impls = None

    def block(self, name: str) -> None:
        """Keep the plugin ``name`` from loading (like pytest's ``-p no:name``)."""
        with self._lock:
            if self.pm.has_plugin(name):
                self.pm.unregister(name=name)
            self.pm.set_blocked(name)
            self._impls = None

    # -- collecting --------------------------------------------------------------
    def _collect(self) -> dict[str, dict[str, Implementation]]:
        self.load()
        with self._lock:
            if self._impls is not None:
                return self._impls
            impls: dict[str, dict[str, Implementation]] = {k: {} for k in STAGES}
            failures = list(self._load_failures)
            for stage in STAGES.values():
                caller = getattr(self.pm.hook, stage.hook)
                # get_hookimpls() is in registration order (pluggy *calls* them in
                # reverse): built-ins come first and win name clashes.
                for impl in caller.get_hookimpls():
                    plugin_name = self.pm.get_name(impl.plugin) or repr(impl.plugin)
                    dist = self._distributions.get(plugin_name)
                    register = self._make_register(stage, plugin_name, dist, impls, failures)
                    try:
                        impl.function(**{a: register for a in impl.argnames})
                    except Exception as exc:  # noqa: BLE001
                        failures.append(
                            PluginFailure(
                                plugin_name,
                                dist,
                                f"{stage.hook} raised {type(exc).__name__}: {exc}",
                            )
                        )
            self._impls = impls
            self.failures = failures
            return impls

    def _make_register(
        self,
        stage: Stage,
        plugin: str,
        dist: str | None,
        impls: dict[str, dict[str, Implementation]],
        failures: list[PluginFailure],
    ) -> Callable[..., None]:
        def register(
            name: str,
            target: str | type,
            *,
            options: type | None = None,
            description: str = "",
            **extra: Any,
        ) -> None:
            problem = None
            if not isinstance(name, str) or not _NAME_RE.match(name):
                problem = f"invalid {stage.key} name {name!r} (use lower-case, digits, -_.)"
            elif not (isinstance(target, type) or (isinstance(target, str) and ":" in target)):
                problem = (
                    f"{stage.key} {name!r}: target must be a class or "
                    f"'module:Class', got {target!r}"
                )
            elif options is not None and not dataclasses.is_dataclass(options):
                problem = f"{stage.key} {name!r}: options must be a dataclass, got {options!r}"
            elif name in impls[stage.key]:
                first = impls[stage.key][name]
                problem = (
                    f"{stage.key} name {name!r} is already registered by plugin "
                    f"{first.plugin!r}; plugin {plugin!r} registered it again "
                    f"(ignored). Rename one of them."
                )
            if problem:
                failures.append(PluginFailure(plugin, dist, problem))
                return
            impls[stage.key][name] = Implementation(
                stage=stage.key,
                name=name,
                target=target,
                options=options or NoOptions,
                description=(description or "").strip().splitlines()[0] if description else "",
                plugin=plugin,
                distribution=dist,
                extra=dict(extra),
            )

        return register

    # -- lookup ------------------------------------------------------------------
    def available(self, stage: str) -> dict[str, Implementation]:
        """Every implementation of ``stage`` by name."""
        if stage not in STAGES:
            raise ParameterError(f"unknown stage {stage!r}; stages: {', '.join(STAGES)}.")
        return dict(self._collect()[stage])

    def get(self, stage: str, name: str) -> Implementation:
        """The implementation ``name`` of ``stage``; a clear error if there is none."""
        found = self.available(stage)
        if name not in found:
            title = STAGES[stage].title
            hint = closest_hint(name, found)
            broken = sorted({f.plugin for f in self.failures})
            note = (
                f" Plugins that failed to load (one may provide it): {', '.join(broken)}."
                if broken
                else ""
            )
            raise UnknownBackendError(
                f"no {title} named {name!r}.{hint} Installed: "
                f"{', '.join(sorted(found)) or '(none)'}.{note} Run 'audiostyle plugins' "
                "or install a plugin providing it."
            )
        return found[name]

    def add_failure(self, failure: PluginFailure) -> None:
        """Record a failure found outside collection (e.g. in ``register_commands``)."""
        with self._lock:
            self._load_failures.append(failure)
            self._impls = None

    def distribution(self, plugin: str) -> str | None:
        """The distribution that provides plugin ``plugin``, if known."""
        return self._distributions.get(plugin)

    def reset(self) -> None:
        """Forget collected implementations (after plugins change)."""
        with self._lock:
            self._impls = None


registry = Registry()
pm = registry.pm


def available(stage: str) -> dict[str, Implementation]:
    """Every implementation of ``stage`` by name (see :meth:`Registry.available`)."""
    return registry.available(stage)


def get_backend(stage: str, name: str) -> Implementation:
    """The implementation ``name`` of ``stage`` or :class:`UnknownBackendError`."""
    return registry.get(stage, name)


def failures() -> list[PluginFailure]:
    """Plugins that failed to load or register."""
    registry._collect()
    return list(registry.failures)


def accepted_keywords(cls: type, offered: dict[str, Any]) -> dict[str, Any]:
    """The items of ``offered`` that ``cls(...)`` takes as keyword arguments.

    Lets the engine offer optional context (e.g. ``sample_rate`` to a feature
    network) that only the implementations declaring it receive.
    """
    import inspect

    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return {}
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return dict(offered)
    return {
        k: v
        for k, v in offered.items()
        if k in params
        and params[k].kind
        in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    }


def create(
    stage: str,
    name: str,
    options: Any = None,
    *,
    optional: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """Instantiate implementation ``name`` with validated options and keyword args.

    ``optional`` keyword arguments are passed only if the class accepts them.
    An exception other than an :class:`~audiostyle.errors.AudiostyleError` raised
    while building the object (a plugin whose class does not follow the stage
    contract) becomes a :class:`PluginError` naming the plugin.
    """
    from audiostyle.errors import AudiostyleError

    impl = get_backend(stage, name)
    if options is None or isinstance(options, dict):
        options = impl.parse_options(options)
    cls = impl.load()
    if optional:
        kwargs.update(accepted_keywords(cls, optional))
    try:
        return cls(options, **kwargs)
    except AudiostyleError:
        raise
    except Exception as exc:  # noqa: BLE001 - a plugin may raise anything
        advice = (
            "Check its options."
            if impl.distribution == "audiostyle"
            else "Fix or disable that plugin (--disable-plugin)."
        )
        raise PluginError(
            f"{stage} {name!r} from plugin {impl.plugin!r}{impl._dist()} failed to build "
            f"({impl.target_path}): {type(exc).__name__}: {exc}. {advice}"
        ) from exc
