"""The executor flags (``--executor``, ``--workers``, ``--address``, ``--executor-opt``)
as one validated options dict: shared by ``batch`` and ``bench``."""

from __future__ import annotations

from audiostyle.errors import ParameterError


def executor_options(
    name: str,
    *,
    workers: int | None = None,
    address: str | None = None,
    pairs: dict[str, str] | None = None,
) -> dict[str, object]:
    """Options for executor ``name`` from the ``--workers``/``--address`` flags and
    ``--executor-opt`` pairs, with a clear error when ``name`` has no such option."""
    import dataclasses

    from audiostyle.plugins import get_backend

    impl = get_backend("executor", name)
    fields = {f.name for f in dataclasses.fields(impl.options)}
    out: dict[str, object] = dict(pairs or {})
    for flag, key, value in (("--workers", "workers", workers), ("--address", "address", address)):
        if value is None:
            continue
        if key not in fields:
            raise ParameterError(
                f"{flag} does not apply to the {name!r} executor (its options: "
                f"{', '.join(sorted(fields)) or 'none'}). "
                + ("Use --executor ray for a cluster address." if key == "address" else "")
            )
        out[key] = value
    impl.parse_options(out)  # validate now, before any work
    return out
