"""Organisations, units, staff, invitations and assignments: the organisation admin's side."""
