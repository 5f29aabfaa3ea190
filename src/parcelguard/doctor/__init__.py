"""`parcelguard doctor`: the deployment's security self-check, as plug-in checks."""
