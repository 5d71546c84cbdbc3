"""The tracking domain."""
