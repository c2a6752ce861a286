"""Adapters for the shared decisions: email, file storage, outbound HTTP, documents."""
