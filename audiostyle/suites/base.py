"""The suite contract, re-exported: it lives in :mod:`audiostyle.contracts`."""

from audiostyle.contracts.suite import CACHE_ENV, Case, Suite, default_cache_dir

__all__ = ["CACHE_ENV", "Case", "Suite", "default_cache_dir"]
