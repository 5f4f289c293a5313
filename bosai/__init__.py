"""Bosai Watch: wiring of the stages (records, config, store, bus, pipeline, CLI, web app)."""
