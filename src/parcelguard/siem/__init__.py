"""SIEM export: audit events and alerts as OCSF JSON or CEF, over syslog/TLS or to a file."""
