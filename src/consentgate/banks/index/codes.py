"""PDQ hashes as packed numpy arrays: 32 bytes (four uint64 words) per hash.

Hashes live in arrays, never as Python objects per hash: a 10M-hash bank is
320 MB of codes instead of gigabytes of strings and tuples.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Codes = npt.NDArray[np.uint64]  # shape (n, 4)
PDQ_BYTES = 32


def hex_to_codes(hexes: Sequence[str]) -> Codes:
    """64-digit hex strings → (n, 4) uint64 (already validated input)."""
    if not hexes:
        return np.zeros((0, 4), dtype=np.uint64)
    raw = bytes.fromhex("".join(hexes))
    return np.frombuffer(raw, dtype=np.uint8).reshape(len(hexes), PDQ_BYTES).view(np.uint64).copy()


def codes_to_hex(codes: Codes) -> list[str]:
    data = np.ascontiguousarray(codes, dtype=np.uint64).view(np.uint8).reshape(-1, PDQ_BYTES)
    return [row.tobytes().hex() for row in data]


def bits_to_codes(bits: npt.NDArray[np.integer]) -> Codes:
    """(n, 256) 0/1 arrays (most significant bit first) → (n, 4) uint64."""
    packed = np.packbits(np.asarray(bits, dtype=np.uint8).reshape(-1, 256), axis=1)
    return packed.view(np.uint64).copy()


def distances(codes: Codes, query: Codes) -> npt.NDArray[np.int64]:
    """Hamming distance of every row of ``codes`` to one (4,) query."""
    out: npt.NDArray[np.int64] = np.bitwise_count(codes ^ query.reshape(1, 4)).sum(
        axis=1, dtype=np.int64
    )
    return out


def random_codes(n: int, seed: int = 12345) -> Codes:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2**64, size=(n, 4), dtype=np.uint64, endpoint=False)


def flip_bits(code: Codes, k: int, rng: np.random.Generator) -> Codes:
    """A copy of one (4,) code with exactly ``k`` distinct random bits flipped."""
    out = code.copy().reshape(4)
    for bit in rng.choice(256, size=k, replace=False):
        out[bit // 64] ^= np.uint64(1) << np.uint64(bit % 64)
    return out
