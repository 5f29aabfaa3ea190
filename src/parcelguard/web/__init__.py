"""Web pages: the recipient portal, the staff console, and the scan landing page."""
