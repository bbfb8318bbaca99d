"""Command-line tools for merchants and staff (they call the HTTP API, like any client)."""
