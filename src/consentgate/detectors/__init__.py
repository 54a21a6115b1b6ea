"""Detectors: one module per detector, one interface, one registry.

Detectors never import the store, the policy or the web layer; the engine
hands them a ``ScreenInput`` and they return ``Signal`` records.
"""
