"""A C2SP tlog-witness: cosigns a log's checkpoint only when it extends the last one it saw."""
