"""Certification: programmes, exams on the secure pool, practical tasks, interviews and decisions (pure)."""
