"""The pure domain core: no web, database or CLI imports (enforced by import-linter)."""
