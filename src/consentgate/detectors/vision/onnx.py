"""ONNX Runtime sessions, built the same way for every model.

One intra-op thread per session: the engine already runs detectors
concurrently, and a screen is two images, so parallelism comes from running
sessions side by side, not from splitting one small convolution over cores
(which on a 2-core machine only adds contention).
"""

from __future__ import annotations

import onnxruntime as ort


def single_thread_session(model: bytes) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
