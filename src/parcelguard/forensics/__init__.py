"""Leak forensics: attribute a leaked list to its source, canaries, exposure check."""
