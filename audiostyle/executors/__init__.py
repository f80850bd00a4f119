"""Executors: where many independent jobs run (local pool, Ray)."""
