"""The contract layer: what a stage backend implements and the data it exchanges.

Backends (``audiostyle/<stage>/``, ``audiostyle/default_plugins/`` and third-party
plugins) import from here, from :mod:`audiostyle.hookspecs` and from
:mod:`audiostyle.errors`; never from the run or the faces.
"""
