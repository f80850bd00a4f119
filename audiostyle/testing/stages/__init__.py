"""One module of contract checks per stage: ``check_<stage>(impl, cls, opts, *, device)``."""
