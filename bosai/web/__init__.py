"""The service's web app: JSON/GeoJSON/CAP/Atom API, live command-center page, operator triage, public page."""
