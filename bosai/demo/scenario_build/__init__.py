"""Generator of the demo scenario's data files (run ``python -m bosai.demo.scenario_build``); not used at runtime."""
