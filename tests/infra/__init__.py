"""Test package for the adapters in assay.infra."""
