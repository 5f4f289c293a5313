"""The benchmarks behind ``bosai bench [e2e|ingest|classify|workers]`` and ``bosai bench-classify``.

e2e: a local X stream through the real service; ingest: collector into the store, plus parse (JMA telegrams);
classify: the classifier's inference paths next to a transformers pipeline; workers: scale-out over Redis.
common holds what they share. Part of the wiring: imported by no stage.
"""
