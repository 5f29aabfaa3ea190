"""Chinese PII: normalization, validation, masking, detection and redaction. Pure: no database."""
