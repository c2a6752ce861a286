"""Assay: an open standard for production AI engineering, assessments, certification and verifiable credentials."""

__version__ = "0.1.0"
