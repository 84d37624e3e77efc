"""Platform connectors: each turns its platform's payloads into core messages and back."""
