"""Scoring: responses to item scores, domain ability with its interval, readiness, calibration, gaps."""
