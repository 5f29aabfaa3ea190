"""Detector plug-ins: one class per file, a shared base, and the explicit registry."""
