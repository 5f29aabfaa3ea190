"""The built-in doctor checks, one class per module; `registry.py` lists them in order."""
