"""The recipient portal's domain: one-time codes by SMS, person sessions, own data, erasure."""
