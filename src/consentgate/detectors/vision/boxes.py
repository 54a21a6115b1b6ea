"""Box arithmetic shared by the runners: intersection-over-union and suppression."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]


def iou(box: FloatArray, others: FloatArray) -> FloatArray:
    """IoU of one ``[x0, y0, x1, y1]`` box with each row of ``others``."""
    x0 = np.maximum(box[0], others[:, 0])
    y0 = np.maximum(box[1], others[:, 1])
    x1 = np.minimum(box[2], others[:, 2])
    y1 = np.minimum(box[3], others[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    union = area + areas - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0).astype(np.float32)


def suppress(boxes: FloatArray, scores: FloatArray, overlap: float) -> list[int]:
    """Greedy non-maximum suppression: indices kept, best score first."""
    order = list(np.argsort(-scores, kind="stable"))
    kept: list[int] = []
    while order:
        best = int(order.pop(0))
        kept.append(best)
        if order:
            rest = np.array(order)
            order = [int(i) for i in rest[iou(boxes[best], boxes[rest]) <= overlap]]
    return kept
