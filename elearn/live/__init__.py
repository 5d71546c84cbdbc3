"""Live facilitated sessions: a leader runs a scenario with a room of phones (issue 15)."""
