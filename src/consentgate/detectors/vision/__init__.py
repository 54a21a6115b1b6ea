"""Model runners behind the image detectors: files, sessions, pre- and post-processing.

Detectors (``consentgate.detectors.faces`` and friends) turn what these
runners find into signals; the runners know nothing of signals or policy.
"""
