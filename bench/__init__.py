"""relaydesk benchmarks: `make bench` (python -m bench) prints every number."""
