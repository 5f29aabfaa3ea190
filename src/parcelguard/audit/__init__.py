"""The audit log: hash-chained append-only events, signed checkpoints, and the event bus."""
