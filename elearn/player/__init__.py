"""The player domain."""
