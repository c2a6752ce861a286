"""Importing this module registers every job handler (the modules register themselves on import)."""

from assay.services import exams, integrations, mail, maintenance, panel, reminders, statuslists, translog

__all__ = ["exams", "integrations", "mail", "maintenance", "panel", "reminders", "statuslists", "translog"]
