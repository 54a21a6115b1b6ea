"""ONNX Runtime sessions, built the same way for every model.

One intra-op thread per session: the engine already runs detectors
concurrently, and a screen is two images, so parallelism comes from running
sessions side by side, not from splitting one small convolution over cores
(which on a 2-core machine only adds contention). With one intra-op thread a
session computes in the thread that calls ``run``, where ONNX Runtime's own
"denormal as zero" option (applied to its pool's threads) has no effect, so
each run flushes denormals in the calling thread first (``consentgate.threads``:
the age network is five times faster for it, its answers unchanged).
"""

from __future__ import annotations

from typing import Any

import onnxruntime as ort

from consentgate.threads import flush_denormals


class FlushingSession(ort.InferenceSession):  # type: ignore[misc]
    """An ``InferenceSession`` whose every ``run`` treats denormal floats as zero."""

    def run(self, output_names: Any, input_feed: Any, run_options: Any = None) -> Any:
        flush_denormals()
        return super().run(output_names, input_feed, run_options)


def single_thread_session(model: bytes) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return FlushingSession(model, sess_options=options, providers=["CPUExecutionProvider"])
