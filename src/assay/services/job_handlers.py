"""Importing this module registers every job handler (the modules register themselves on import)."""

from assay.services import exams, mail, maintenance, panel, reminders, statuslists, translog

__all__ = ["exams", "mail", "maintenance", "panel", "reminders", "statuslists", "translog"]
