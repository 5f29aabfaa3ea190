"""A transparency log's mathematics (RFC 6962 / C2SP tlog): hashes, proofs, checkpoints; no I/O."""
