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


def window_size(old: int, new: int = OUT) -> int:
    """The reference's ``computeJaroszFilterWindowSize``."""
    return (old + 2 * new - 1) // (2 * new)


def _bounds(n: int, w: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """[lo, hi) averaged by output o of one pass of the reference's box filter:
    a centred window of w, truncated at the edges (``box1DFloat``)."""
    half = (w + 2) // 2
    o = np.arange(n)
    return np.maximum(0, o - (w - half)), np.minimum(n, o + half)


def _two_pass_rows(samples: npt.NDArray[np.int64], n: int, w: int) -> npt.NDArray[np.float64]:
    """Row r = the two-pass filter's weights on every input for output ``samples[r]``.

    Filtered = B·B·x, so row r is (Bᵀ)² applied to the one-hot at s = samples[r]:
    Bᵀ e_s is 1/cnt(s) on [lo(s), hi(s)); applying Bᵀ again puts 1/cnt(s)/cnt(o) on
    [lo(o), hi(o)) for each o there. Those few boxes go into a difference array
    (one bincount) and a cumulative sum over the filter's support only.
    """
    lo, hi = _bounds(n, w)
    count = hi - lo
    lengths = count[samples]
    r_idx = np.repeat(np.arange(len(samples)), lengths)
    starts = np.cumsum(lengths) - lengths
    o_idx = lo[samples][r_idx] + np.arange(int(lengths.sum())) - starts[r_idx]
    value = 1.0 / count[samples[r_idx]] / count[o_idx]
    # Work in a window per row (the filter's support), then place it in the full row.
    base = lo[lo[samples]]
    start, stop = lo[o_idx] - base[r_idx], hi[o_idx] - base[r_idx]
    width = int(stop.max()) + 1
    rows = len(samples)
    diff = np.bincount(r_idx * width + start, weights=value, minlength=rows * width)
    diff -= np.bincount(r_idx * width + stop, weights=value, minlength=rows * width)
    local = np.cumsum(diff.reshape(rows, width), axis=1)
    out = np.zeros((rows, n + width))
    out[np.arange(rows)[:, None], base[:, None] + np.arange(width)] = local
    return out[:, :n]


@lru_cache(maxsize=512)
def weights(n: int, scale: int = 1) -> npt.NDArray[np.float32]:
    """(64, ceil(n/scale)) weights: filtered-and-decimated samples along one axis."""
    w = window_size(n)
    samples = ((np.arange(OUT) + 0.5) * n / OUT).astype(np.int64)
    rows = _two_pass_rows(samples, n, w)  # PDQ's Jarosz filter makes 2 passes
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
