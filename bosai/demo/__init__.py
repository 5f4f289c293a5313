"""Built-in demo: a compressed heavy-rain day in Mie served by local sources that speak the real protocols."""
