"""elearn's Learning Record Store: xAPI 1.0.3 over HTTP at `<prefix>/xapi/`.

The statement store itself is `elearn.tracking.store` (one store for the player and the LRS);
this package adds what an LRS needs around it: validation, the HTTP resources, documents,
attachments and client credentials.
"""
