"""Verifiable credentials: Open Badges 3.0 documents, JSON-LD, Data Integrity proofs, keys and status lists."""
