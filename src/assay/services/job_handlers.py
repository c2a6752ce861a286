"""Importing this module registers every job handler (the modules register themselves on import)."""

from assay.services import mail, maintenance, reminders, statuslists, translog

__all__ = ["mail", "maintenance", "reminders", "statuslists", "translog"]
