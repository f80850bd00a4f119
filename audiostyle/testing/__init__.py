"""Helpers for testing audiostyle implementations, built-in or from a plugin.

The shared stage contracts live in :mod:`audiostyle.testing.contracts`; the names
plugin authors need are re-exported here::

    from audiostyle.testing import check_plugin

    def test_my_plugin_follows_the_contracts():
        check_plugin(my_plugin_module, options={"my-net": {"n_filters": 32}})

Importing this package is light (no torch): the checks import what they need.
"""

from audiostyle.testing.contracts import (
    CONTRACT_STAGES,
    TINY_OPTIONS,
    ContractError,
    check,
    check_options_schema,
    check_plugin,
    plugin_registered,
    registered,
)

__all__ = [
    "CONTRACT_STAGES",
    "TINY_OPTIONS",
    "ContractError",
    "check",
    "check_options_schema",
    "check_plugin",
    "plugin_registered",
    "registered",
]
