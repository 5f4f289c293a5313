"""Bosai Watch: the wiring on top of the stages (bus, pipeline, service, CLI, web app, notify, demo)."""
