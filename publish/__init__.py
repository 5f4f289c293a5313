"""Publish stage: incidents, triage, resident alerts in nine languages, CAP/Atom/GeoJSON and delivery."""
