"""Insider-misuse detection: detectors over the audit stream, incidents, automatic response."""
