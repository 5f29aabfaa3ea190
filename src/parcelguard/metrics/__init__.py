"""Prometheus metrics: reveals, denials, alerts, queue lag, imports and relay routes."""
