"""Bosai Watch kernel: records, errors, config, clock, logging, metrics, URL guard and the store.

The bottom layer: the stages (collectors, classifier, geocode, publish) and the wiring (bosai) import it;
it imports neither (enforced by the import-linter contracts in pyproject.toml).
"""
