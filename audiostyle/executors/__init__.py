"""Executors: where many independent jobs run (a local process pool, Ray).

The contract is :class:`audiostyle.executors.base.Executor`; implementations are
registered through the ``register_executors`` hook and built with
``audiostyle.plugins.create("executor", name, options)``.
"""
