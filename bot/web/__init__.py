"""Static assets of the web chat page."""
