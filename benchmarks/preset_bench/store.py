"""The store: finished runs and scores, by the hash of what produced them (``--resume``)."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from preset_bench import one_run
from preset_bench.config import KEY_VERSION, RATE, SPEC_FIELDS
from preset_bench.files import _now, digest, file_sha256, write_json
from preset_bench.one_run import resolve


def code_fingerprint() -> tuple[str, dict[str, str]]:
    """A digest of audiostyle's Python sources now, and the SHA-256 of each file."""
    import audiostyle

    root = Path(audiostyle.__file__).resolve().parent
    files = {
        str(f.relative_to(root)): file_sha256(f)
        for f in sorted(root.rglob("*.py"))
        if "__pycache__" not in f.parts
    }
    return digest(files), files


def code_changes(workdir: Path, old: str | None) -> list[str]:
    """audiostyle's source files that changed since the code ``old`` ran (``[]``: none)."""
    now, files = code_fingerprint()
    if old is None or old == now:
        return []
    try:
        before = json.loads((workdir / "code" / f"{old}.json").read_text())
    except (OSError, ValueError):
        return ["(unknown files)"]
    return sorted(f for f in set(before) | set(files) if before.get(f) != files.get(f))


# Settings a run does not use, by the recipe that ignores them: they stay out of its key,
# so adding such a setting to audiostyle does not make finished runs stale.
INERT_SETTINGS = {"envelope_classes": lambda r: r.get("envelope") == 0}


def recipe_fingerprint(spec: dict):
    """The resolved recipe of ``spec`` as a dict: a changed preset changes the key.

    Settings the run ignores (:data:`INERT_SETTINGS`) are left out.
    """
    try:
        d = resolve(spec).to_dict()
    except Exception as exc:  # noqa: BLE001 - the run will report it; the key stays stable
        return f"unresolved: {type(exc).__name__}: {exc}"
    return {k: v for k, v in d.items() if not (k in INERT_SETTINGS and INERT_SETTINGS[k](d))}


def key_material(spec: dict, env: dict | None = None) -> dict:
    """What a run's key is the hash of: spec fields, overrides, environment, recipe."""
    return {
        "version": KEY_VERSION,
        "rate": RATE,
        **{k: spec.get(k) for k in SPEC_FIELDS},
        "overrides": spec.get("overrides") or {},
        "env": env or {},
        "recipe": recipe_fingerprint(spec),
    }


def spec_key(spec: dict, env: dict | None = None) -> str:
    """The key of a run: its spec fields, overrides, environment and resolved recipe."""
    return digest(key_material(spec, env))


def _flat(d, prefix: str = "") -> dict:
    if not isinstance(d, dict):
        return {prefix: d}
    out = {}
    for k, v in d.items():
        out.update(_flat(v, f"{prefix}{k}."))
    return out or {prefix: d}


def recipe_changes(runs: Path, material: dict) -> str | None:
    """Why an earlier finished run of the same spec is not reused: the recipe changed.

    Returns e.g. ``"envelope (new), steps 300 -> 200"`` or None (no such run).
    """
    same = {k: v for k, v in material.items() if k != "recipe"}
    for path in sorted(runs.glob("*.json")):
        try:
            old = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if not isinstance(old, dict) or not old.get("finished") or "material" not in old:
            continue
        if {k: v for k, v in old["material"].items() if k != "recipe"} != same:
            continue
        before, now = _flat(old["material"]["recipe"]), _flat(material["recipe"])
        diff = [
            f"{k.rstrip('.')} (new)"
            if k not in before
            else f"{k.rstrip('.')} (gone)"
            if k not in now
            else f"{k.rstrip('.')} {before[k]!r} -> {now[k]!r}"
            for k in sorted(set(before) | set(now))
            if before.get(k, object) != now.get(k, object)
        ]
        if diff:
            more = f" and {len(diff) - 4} more" if len(diff) > 4 else ""
            return f"{', '.join(diff[:4])}{more} (run of {old.get('measured_at')})"
    return None


def load_finished(path: Path, *, key: str, sha_field: str | None = "output_sha256") -> dict | None:
    """The finished record at ``path`` if it can be trusted, else None.

    Trusted: it parses, says ``finished``, carries ``key``, and (for a run) its output
    file beside it has the recorded SHA-256.
    """
    try:
        rec = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(rec, dict) or rec.get("finished") is not True or rec.get("key") != key:
        return None
    if sha_field is not None:
        wav = path.with_suffix(".wav")
        if not wav.is_file() or file_sha256(wav) != rec.get(sha_field):
            return None
        rec["output"] = str(wav)
    return rec


def run_spec(spec: dict, workdir: Path, *, env: dict | None = None, resume: bool = False) -> dict:
    """Run ``spec`` (or, with ``resume``, reuse its finished result); return the result.

    The output is ``workdir/runs/KEY.wav`` and the result ``KEY.json``: both are
    written under temporary names and renamed into place only when the run has
    finished, the result last, so a result on disk always describes its output.
    """
    material = key_material(spec, env)
    key = digest(material)
    runs = workdir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    result_path, wav = runs / f"{key}.json", runs / f"{key}.wav"
    if resume:
        done = load_finished(result_path, key=key)
        if done is not None:
            return {**done, "reused": True, "code_changed": code_changes(workdir, done.get("code"))}
        if result_path.exists():
            print(f"  (an unfinished or altered result {result_path.name} is ignored: run again)")
        else:
            changed = recipe_changes(runs, material)
            if changed:
                print(f"  ({spec['preset']}'s resolved recipe changed: {changed}; run again)")
    result_path.unlink(missing_ok=True)  # its output is about to change
    tag = f".{key}.partial-{os.getpid()}"
    tmp_wav, tmp_json = runs / f"{tag}.wav", runs / f"{tag}.json"
    started = time.time()
    load_start = os.getloadavg()[0]
    code, files = code_fingerprint()  # the sources the worker is about to import
    if not (workdir / "code" / f"{code}.json").exists():
        write_json(workdir / "code" / f"{code}.json", files)
    try:
        res = one_run.spawn(dict(spec, output=str(tmp_wav), result=str(tmp_json)), env)
        if "error" in res:
            return {**res, "key": key, "reused": False}
        os.replace(tmp_wav, wav)
        res.update(
            key=key,
            spec={k: spec.get(k) for k in (*SPEC_FIELDS, "overrides")},
            env=env or {},
            material=material,
            code=code,
            output=str(wav),
            output_sha256=file_sha256(wav),
            measured_at=_now(),
            started_at=datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
            load=os.getloadavg()[0],
            load_start=load_start,
            finished=True,
        )
        write_json(result_path, res)
        return {**res, "reused": False}
    finally:
        tmp_wav.unlink(missing_ok=True)
        tmp_json.unlink(missing_ok=True)
