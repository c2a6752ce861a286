"""Persistence: SQLAlchemy models (one module per aggregate), repositories and the session factory."""
