"""The vault: sealed shipments and parties, import, masked views, rotation, retention."""
