"""Starts of the optimisation: the built-in initializers (the ``init`` stage)."""
