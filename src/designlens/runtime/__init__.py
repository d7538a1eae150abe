"""The runtime: wire protocol, worker, supervisor, scheduler and backends.

Importing this package is cheap; each module loads what it needs.
"""
