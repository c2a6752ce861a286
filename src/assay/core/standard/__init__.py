"""The standard as data: models, loading and validation, export and content hash, diff, crosswalk."""
