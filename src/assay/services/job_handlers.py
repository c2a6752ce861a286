"""Importing this module registers every job handler (the modules register themselves on import)."""

from assay.services import mail, maintenance, statuslists, translog

__all__ = ["mail", "maintenance", "statuslists", "translog"]
