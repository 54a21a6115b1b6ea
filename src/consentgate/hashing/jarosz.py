"""PDQ's Jarosz (two-pass box) filter and 64×64 decimation, as two small weight matrices.

The reference filters every pixel of the full image and then keeps only 64×64
samples. The filter is separable and linear, so the 64 sampled rows of the
filtered image are ``R @ luma`` and the sampled columns ``… @ C.T``, where each
row of R (64 × height) is the filter's impulse response at one sample. Two small
matrix products replace the full-image filter: the same numbers as the reference
(up to float rounding) at a fraction of the cost.

For a reduced-size decode (JPEG draft at 1/s) each reduced pixel approximates
the mean of an s×s block, so the weights are summed over each block.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

OUT = 64
PASSES = 2


def window_size(old: int, new: int = OUT) -> int:
    """The reference's ``computeJaroszFilterWindowSize``."""
    return (old + 2 * new - 1) // (2 * new)


def _box_bounds(n: int, w: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """[lo, hi) of the reference's truncated centred box filter at each output index."""
    half = (w + 2) // 2
    o = np.arange(n)
    return np.maximum(0, o - (w - half)), np.minimum(n, o + half)


def _box_transpose(x: npt.NDArray[np.float64], n: int, w: int) -> npt.NDArray[np.float64]:
    """Apply Bᵀ to every row of x (rows are length-n vectors), B = one box pass."""
    lo, hi = _box_bounds(n, w)
    scaled = x / (hi - lo)
    diff = np.zeros((x.shape[0], n + 1))
    np.add.at(diff.T, lo, scaled.T)
    np.add.at(diff.T, hi, -scaled.T)
    return np.cumsum(diff[:, :n], axis=1)


@lru_cache(maxsize=32)
def weights(n: int, scale: int = 1) -> npt.NDArray[np.float32]:
    """(64, ceil(n/scale)) weights: filtered-and-decimated samples along one axis."""
    w = window_size(n)
    samples = ((np.arange(OUT) + 0.5) * n / OUT).astype(np.int64)
    rows = np.zeros((OUT, n))
    rows[np.arange(OUT), samples] = 1.0
    for _ in range(PASSES):
        rows = _box_transpose(rows, n, w)
    if scale > 1:
        reduced = -(-n // scale)
        padded = np.zeros((OUT, reduced * scale))
        padded[:, :n] = rows
        rows = padded.reshape(OUT, reduced, scale).sum(axis=2)
    out: npt.NDArray[np.float32] = np.ascontiguousarray(rows, dtype=np.float32)
    out.setflags(write=False)
    return out


def downsample(
    luma: npt.NDArray[np.float32], original: tuple[int, int] | None = None
) -> npt.NDArray[np.float32]:
    """The 64×64 buffer PDQ hashes, from luma (rows × cols) of the image.

    ``original`` is (rows, cols) of the full-size image when ``luma`` comes from
    a reduced decode; the weights are then those of the full-size filter.
    """
    rows, cols = luma.shape
    full_rows, full_cols = original or (rows, cols)
    row_scale = max(1, round(full_rows / rows))
    col_scale = max(1, round(full_cols / cols))
    r = weights(full_rows, row_scale)[:, :rows]
    c = weights(full_cols, col_scale)[:, :cols]
    result = (r @ luma) @ c.T
    return np.asarray(result, dtype=np.float32)
