"""Who may see what: principals, API keys, passkeys, the reveal policy."""
