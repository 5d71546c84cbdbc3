"""Packages for municipalities' own LMSs: the platform side (CLI, download page) of scorm_export."""
