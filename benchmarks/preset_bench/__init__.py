"""The modules of ``benchmarks/presets.py`` (issue 14's harness), one job each."""
