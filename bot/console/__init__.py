"""The staff console: queue, conversations, accounts, served under ``/console``."""
