"""The files a run writes, checked before any work is done.

:func:`check_outputs` runs before any audio is read: no output may exist unless
``force``, its directory must exist, no two outputs may be the same file and none may
be an input (:func:`refuse_inputs`), whatever ``force`` says. The run checks them in
:func:`audiostyle.run_files.run_files` and again when it writes them
(:meth:`audiostyle.outcome.Outcome.write_outputs`); the API re-exports
:func:`check_outputs` and the CLI checks with it before it starts.
"""

from __future__ import annotations

import os
from pathlib import Path

from audiostyle.errors import ParameterError


def refuse_inputs(
    outputs: dict[str, str | Path | None], inputs: dict[str, str | Path | None]
) -> None:
    """Raise :class:`ParameterError` if an output is the same file as an input.

    Same file means the same path once resolved, or (when both exist) the same file
    by :func:`os.path.samefile`: a symlink or a hard link to an input is that input.
    ``--force`` allows replacing an old output, never an input.

    >>> refuse_inputs({"output": "./a.wav"}, {"content": "a.wav"})
    Traceback (most recent call last):
    ...
    audiostyle.errors.ParameterError: output 'a.wav' is the content file 'a.wav'; ...
    """
    for what, out in outputs.items():
        if out is None:
            continue
        for role, source in inputs.items():
            if source is None:
                continue
            same = os.path.realpath(out) == os.path.realpath(source)
            if not same and os.path.exists(out) and os.path.exists(source):
                try:
                    same = os.path.samefile(out, source)
                except OSError:
                    same = False
            if same:
                raise ParameterError(
                    f"{what} {os.path.normpath(out)!r} is the {role} file "
                    f"{os.path.normpath(source)!r}; an output never replaces an input (not "
                    "even with --force): choose another name."
                )


def check_outputs(
    output: str | Path | None = None,
    *,
    force: bool = False,
    save_recipe: str | Path | None = None,
    report: str | Path | None = None,
    html: str | Path | None = None,
    inputs: dict[str, str | Path] | None = None,
) -> Path | None:
    """Check, before any work, that every output can be written.

    ``output`` is the audio file (.wav, .flac, .ogg); ``save_recipe`` a TOML recipe,
    ``report`` a JSON report and ``html`` a report page. None of them may exist unless
    ``force``, their directories must exist, no two may be the same file, and none
    may be one of ``inputs`` (role -> path, e.g. ``{"content": "a.wav"}``), whatever
    ``force`` says. Returns ``output`` as a Path (or None).

    >>> check_outputs("no/such/dir/out.wav")
    Traceback (most recent call last):
    ...
    audiostyle.errors.AudioError: output directory 'no/such/dir' does not exist; ...
    """
    from audiostyle.audio import check_output, check_writable

    refuse_inputs(
        {"output": output, "save_recipe": save_recipe, "report": report, "html": html},
        inputs or {},
    )
    out = None if output is None else check_output(output, force=force)
    seen = {out.resolve(): "the audio output"} if out is not None else {}
    for what, extra in (("save_recipe", save_recipe), ("report", report)):
        if extra is None:
            continue
        extra = Path(extra)
        if extra.resolve() in seen:
            raise ParameterError(
                f"{what}={str(extra)!r} is also {seen[extra.resolve()]}; choose another name."
            )
        seen[extra.resolve()] = f"the {what} file"
        parent = extra.parent if str(extra.parent) else Path(".")
        if not parent.is_dir():
            raise ParameterError(f"directory {str(parent)!r} of {str(extra)!r} does not exist.")
        if extra.is_dir():
            raise ParameterError(f"{what}={str(extra)!r} is a directory; give a file name.")
        if extra.exists() and not force:
            raise ParameterError(f"{str(extra)!r} already exists; pass --force to overwrite it.")
        check_writable(extra, force=force, what=what)
    return out
