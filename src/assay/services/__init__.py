"""Use cases: the core plus repositories. Services flush; the adapter that opened the unit of work commits."""
