"""Privacy: the privacy and accessibility statements, a learner's data download, retention."""
