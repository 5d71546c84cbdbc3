"""Reports for unit leaders and organisation admins: completion per person and the spread of
choices per decision point, every figure read from the statements in elearn's own LRS."""
