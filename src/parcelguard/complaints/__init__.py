"""Complaints that reach an answer, or a ready-made appeal to the postal regulator."""
