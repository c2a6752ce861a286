"""Content shipped with Assay: the default standard and the crosswalk reference lists."""

from pathlib import Path

CONTENT_DIR = Path(__file__).parent
REFERENCES_DIR = CONTENT_DIR / "references"
DEFAULT_STANDARD_DIR = CONTENT_DIR / "standards" / "assay-pae"
DEFAULT_STANDARD_ID = "assay-pae"
PROGRAMMES_FILE = CONTENT_DIR / "programmes" / "programmes.yaml"
PRACTICE_ITEMS_DIR = CONTENT_DIR / "items" / "practice"
ASSESSMENT_TARGETS_FILE = CONTENT_DIR / "assessment" / "targets.yaml"
SECURE_ITEMS_DIR = CONTENT_DIR / "items" / "secure"
TASKS_DIR = CONTENT_DIR / "tasks"
INTERVIEWS_DIR = CONTENT_DIR / "interviews"
ANCHORS_DIR = CONTENT_DIR / "anchors"
